"""Allowed ranges of numbers, one definition for config fields, command-line flags and
the inputs a SavedModel checks in its graph."""

import dataclasses
import math

import tensorflow as tf


@dataclasses.dataclass(frozen=True)
class Range:
    """The values a numeric config field allows: `low`/`high` bounds (None: unbounded),
    each inclusive unless `*_open`. Non-finite values never pass."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def allows(self, value):
        if not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def check(self, value, name):
        """A graph assertion that every element of `value` is finite and allowed; its
        error names `name` and this range, then shows the first values."""
        number = tf.cast(value, tf.float64)
        ok = tf.reduce_all(tf.math.is_finite(number))
        if self.low is not None:
            ok &= tf.reduce_all(number > self.low if self.low_open else number >= self.low)
        if self.high is not None:
            ok &= tf.reduce_all(number < self.high if self.high_open else number <= self.high)
        return tf.debugging.Assert(ok, [f"{name}: expected a value {self}, got",
                                        tf.reshape(value, [-1])])

    def __str__(self):
        low, high = _shown(self.low), _shown(self.high)
        if self.low is None and self.high is None:
            return "that is finite"
        if self.low is not None and self.high is not None:
            return (f"in {'(' if self.low_open else '['}{low}, {high}"
                    f"{')' if self.high_open else ']'}")
        if self.low is not None:
            return f"{'>' if self.low_open else '≥'} {low}"
        return f"{'<' if self.high_open else '≤'} {high}"


def _shown(number):
    if number is None:
        return ""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"

def at_least(low):
    return Range(low)


def at_most(high):
    return Range(high=high)


def above(low):
    return Range(low, low_open=True)


def within(low, high, high_open=False):
    return Range(low, high, high_open=high_open)


FINITE = Range()
POSITIVE = at_least(1)  # counts and sizes
NON_NEGATIVE = at_least(0)
FRACTION = within(0, 1)
RATE = above(0)  # learning rates, temperatures

