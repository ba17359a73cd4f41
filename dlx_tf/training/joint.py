"""Several training wrappers trained side by side on the same batches."""

from dlx_tf.training.trainable import TrainableModel


class JointTrainer(TrainableModel):
    """Runs one `train_step` of every member per batch, so one run, one checkpoint and
    one data pipeline serve several independently defined models.

    The members are complete training wrappers (`DCGAN`, `ACAI`, `ClassifierTrainer`,
    ...), each compiled with its own optimizers; they do not interact. Their logs and
    optimizers are prefixed with the member's name (`acai_reconstruction_loss`).

    Args:
        members: `{name: TrainableModel}`, compiled, created in the strategy scope.

    Example:
    ```python
    joint = JointTrainer({"dcgan": dcgan, "acai": acai})
    joint.compile()
    joint.build_for_training(batch)
    joint.fit(batches)
    ```
    """

    def __init__(self, members, **kwargs):
        super().__init__(**kwargs)
        self.member_names = tuple(members)
        for name, member in members.items():
            setattr(self, name, member)  # tracked as a sub-model: checkpoints see its variables

    def compile(self, jit_compile=False):
        # Keras' default "auto" would XLA-compile every member's step; members choose.
        super().compile(jit_compile=jit_compile)

    def members(self):
        return {name: getattr(self, name) for name in self.member_names}

    def call(self, inputs):
        return {name: member(inputs) for name, member in self.members().items()}

    def build_for_training(self, batch):
        for member in self.members().values():
            member.build_for_training(batch)
        self(batch)  # marks the trainer built, so `fit` does not build it from `x` alone

    def training_optimizers(self):
        return {f"{name}_{key}": optimizer
                for name, member in self.members().items()
                for key, optimizer in member.training_optimizers().items()}

    @property
    def metrics(self):
        return [metric for member in self.members().values() for metric in member.metrics]

    def train_step(self, data):
        return self._prefixed(lambda member: member.train_step(data))

    def test_step(self, data):
        return self._prefixed(lambda member: member.test_step(data))

    def _prefixed(self, step):
        return {f"{name}_{key}": value
                for name, member in self.members().items()
                for key, value in step(member).items()}
