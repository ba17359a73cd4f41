"""The per-epoch input pipeline a `Run` trains on: seeded shuffles, augmentation, sharding."""

import functools

import tensorflow as tf

from dlx_tf.errors import UsageError


def check_batch_split(global_batch, replicas):
    """A `UsageError` naming the nearest batch sizes that would split evenly, unless
    `global_batch` does (a TPU v3-8 has 8 replicas: a batch of 1 becomes 8, 1 per core)."""
    if global_batch % replicas == 0:
        return
    below = global_batch // replicas * replicas
    choices = [size for size in (below, below + replicas) if size]
    suggested = " or ".join(f"--set batch_size={size} ({size // replicas} per replica)"
                            for size in choices)
    raise UsageError(f"batch_size {global_batch} does not split evenly over {replicas} "
                     f"replicas: use {suggested}")


def steps_per_epoch(train_data, global_batch, replicas, train_examples=None):
    """Full global batches in one epoch; `train_examples` stands in for an unknown
    cardinality. User mistakes are `UsageError`s."""
    check_batch_split(global_batch, replicas)
    examples = int(train_data.cardinality())
    if examples < 0:
        examples = -1 if train_examples is None else train_examples
    if examples < 0:
        raise UsageError("the training set's size is unknown: describe the data with "
                         "train_examples")
    if examples < global_batch:
        raise UsageError(f"batch_size {global_batch} exceeds the {examples} training examples")
    return examples // global_batch


def steps_per_execution(steps, at_least):
    """The smallest divisor of an epoch's `steps` that is at least `at_least` (the whole
    epoch if it is shorter): Keras runs that many steps in one compiled call, and a count
    that did not divide the epoch would carry its last call into the next epoch. Rounding
    up, not down: 146 steps at "8" would otherwise get 2 per call."""
    if at_least < 1:
        raise UsageError(f"steps_per_execution must be at least 1, got {at_least}")
    return min(d for d in range(min(at_least, steps), steps + 1) if steps % d == 0)


def training_batches(examples, global_batch, seed, initial_epoch, epochs, augment=None,
                     shuffle_buffer=10_000):
    """Epochs `initial_epoch..epochs-1`, each shuffled and augmented from seeds of
    (seed, epoch), so a resumed run sees exactly the batches the uninterrupted run would."""

    def one_epoch(epoch):
        epoch_seed = seed * 1_000_003 + epoch
        seed_tensor = tf.constant(epoch_seed, tf.int64)
        # Keras opens the dataset once to build, then again to train: without this the
        # first epoch would see a second, different shuffle and resumes would diverge.
        shuffled = examples.shuffle(shuffle_buffer, seed=epoch_seed,
                                    reshuffle_each_iteration=False)
        if augment is not None:
            shuffled = shuffled.enumerate().map(
                lambda index, example: augment(example, tf.stack([seed_tensor, index])),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        return shuffled.batch(global_batch, drop_remainder=True)

    # Python-int seeds per epoch: `shuffle` rejects tensor seeds once a global seed is set.
    batches = functools.reduce(
        tf.data.Dataset.concatenate, map(one_epoch, range(initial_epoch + 1, epochs)),
        one_epoch(initial_epoch),
    )
    return with_data_sharding(batches.prefetch(tf.data.AUTOTUNE))


def batched(examples, global_batch):
    """Evaluation batches (the last one may be short), or None for no data."""
    if examples is None:
        return None
    return with_data_sharding(examples.batch(global_batch).prefetch(tf.data.AUTOTUNE))


def with_data_sharding(dataset):
    # Shard by element, not by file: tfds splits often have fewer files than workers.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)
