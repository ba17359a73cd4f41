"""Choosing the next token from logits: greedy, temperature, top-k and top-p, seeded.

TensorFlow ops rather than `keras.ops`: the exported generation loop runs these inside
a `tf.while_loop`, with every setting a tensor the serving request supplies.
"""

import tensorflow as tf

from dlx_tf.ranges import NON_NEGATIVE, Range

# What the sampler accepts (temperature 0 = greedy, top_k 0 = off, top_p 1 = off): the
# generate command, the config and the exported signature all check these.
SAMPLING_RANGES = {"temperature": NON_NEGATIVE, "top_k": NON_NEGATIVE,
                   "top_p": Range(0, 1, low_open=True)}


def sample_next_tokens(logits, seed, temperature=1.0, top_k=0, top_p=1.0):
    """Draws one token id per row of `logits`.

    Temperature divides the logits; top-k keeps the k most likely tokens (Fan et al.
    2018); top-p keeps the smallest set whose probability reaches p (nucleus sampling,
    Holtzman et al. 2020, §3.1). With both set, top-p reads the top-k tokens'
    probabilities renormalised among themselves, the order of Hugging Face's samplers and
    most others (top-k first, then the nucleus of what is left). The draw is the
    Gumbel-max trick (argmax of logits plus Gumbel noise, an exact categorical sample),
    which, unlike `tf.random.stateless_categorical`, XLA compiles on the CPU too.

    Args:
        logits: float `(batch, vocabulary)`.
        seed: int `[2]`, for `tf.random.stateless_uniform`: the same seed and logits
            always give the same tokens.
        temperature: `<= 0` means greedy (argmax), ignoring the other settings.
        top_k: `<= 0` keeps every token.
        top_p: `>= 1` keeps every token.

    Returns:
        int32 `(batch,)`.
    """
    logits = tf.cast(logits, tf.float32)
    temperature = tf.cast(temperature, tf.float32)
    greedy = tf.argmax(logits, axis=-1, output_type=tf.int32)
    scaled = logits / tf.maximum(temperature, 1e-6)
    vocabulary = tf.shape(scaled)[-1]
    descending = tf.sort(scaled, axis=-1, direction="DESCENDING")
    top_k = tf.cast(top_k, tf.int32)
    k = tf.where(top_k > 0, tf.minimum(top_k, vocabulary), vocabulary)
    kth_largest = descending[:, k - 1 : k]
    # Softmax over the top k alone: top-p then measures mass within what top-k kept.
    rank = tf.range(vocabulary)[None]
    probabilities = tf.nn.softmax(tf.where(rank < k, descending, tf.float32.min), axis=-1)
    # A token stays if the tokens more likely than it hold less than top_p in all; the
    # most likely token therefore always stays.
    mass_before = tf.cumsum(probabilities, axis=-1, exclusive=True)
    in_nucleus = mass_before < tf.cast(top_p, tf.float32)
    smallest_kept = tf.reduce_min(tf.where(in_nucleus, descending, descending[:, :1]), axis=-1,
                                  keepdims=True)
    threshold = tf.maximum(kth_largest, smallest_kept)
    filtered = tf.where(scaled >= threshold, scaled, tf.float32.min)
    uniform = tf.random.stateless_uniform(tf.shape(filtered), tf.cast(seed, tf.int64),
                                          minval=1e-20, maxval=1.0)
    sampled = tf.argmax(filtered - tf.math.log(-tf.math.log(uniform)), axis=-1,
                        output_type=tf.int32)
    return tf.where(temperature > 0, sampled, greedy)
