"""The history of generated images that CycleGAN's discriminators train on."""

import keras
from keras import ops


class ImagePool(keras.layers.Layer):
    """A buffer of `pool_size` generated images (Shrivastava et al. 2017; CycleGAN §4).

    Official semantics (`util/image_pool.py`), image by image: while the buffer is not
    full, store the image and return it; afterwards, with probability ½ return a stored
    image chosen uniformly and put the new one in its place, otherwise return the new
    image. `pool_size=0` returns the input unchanged.

    The state is per replica (on-read variables): each replica keeps the history of
    the images it generated, as each GPU of the official multi-GPU code would with its
    own batch. Checkpoints save the first replica's buffer.

    Args:
        pool_size: images kept (50 in the paper).
    """

    def __init__(self, pool_size=50, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = pool_size

    def build(self, input_shape):
        _, height, width, channels = input_shape
        per_replica = {"synchronization": "on_read", "aggregation": "only_first_replica",
                       "trainable": False}
        self.images = keras.Variable(
            ops.zeros((max(self.pool_size, 1), height, width, channels)), dtype="float32",
            name="images", **per_replica,
        )
        self.count = keras.Variable(0, dtype="int32", name="count", **per_replica)

    def call(self, images, draws):
        """`images` `(batch, h, w, c)`; `draws` `(batch, 2)` uniform in [0, 1): the swap
        coin and the slot. Returns the images the discriminator should see."""
        if self.pool_size == 0:
            return images
        if images.shape[0] is None:
            raise ValueError("ImagePool needs a static batch size: batch the dataset with "
                             "drop_remainder=True (Run.fit does)")
        images = ops.cast(images, "float32")
        returned = []
        for i in range(images.shape[0]):  # the per-replica batch is static (drop_remainder)
            returned.append(self._query_one(images[i], draws[i]))
        return ops.stack(returned)

    def _query_one(self, image, draws):
        count = self.count.value
        filling = count < self.pool_size
        swap = draws[0] > 0.5
        random_slot = ops.minimum(ops.cast(draws[1] * self.pool_size, "int32"),
                                  self.pool_size - 1)
        slot = ops.where(filling, count, random_slot)
        stored = ops.take(self.images.value, slot, axis=0)
        keep_new = ops.logical_or(filling, ops.logical_not(swap))
        written = ops.where(ops.logical_or(filling, swap), image, stored)
        self.images.assign(ops.scatter_update(self.images.value, ops.reshape(slot, (1, 1)),
                                              written[None]))
        self.count.assign(ops.minimum(count + 1, self.pool_size))
        return ops.where(keep_new, image, stored)

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=self.pool_size)
        return config
