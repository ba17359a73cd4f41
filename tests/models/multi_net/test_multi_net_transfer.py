"""MultiNet's transfer learning: one optimizer for the new layers and one for the
pretrained backbones, the frozen-backbone phase, and audio dropout."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from tiny_multi_net import clip_batch, tiny_clip_encoder, tiny_text_encoder, token_batch

from dlx_tf.errors import UsageError
from dlx_tf.models.multi_net import MultiNet
from dlx_tf.training.checkpoint import TrainingCheckpoint
from dlx_tf.training.distribute import replica_seed
from dlx_tf.training.unfreezing import BackboneUnfreezing

# Adam, not AdamW: without weight decay a variable moves only where it has a gradient.
NEW_LR, PRETRAINED_LR = 1e-2, 1e-5
PAIRS, BATCH = 8, 4  # 2 steps an epoch
# BERT weights the loss never reaches: the [CLS] pooler (the text tower mean-pools), and
# the attention key biases (one adds the same logit to every key of a query, which the
# softmax ignores: their gradient is rounding noise, sometimes exactly zero).
UNREACHED = ("pooled_dense/", "/key/bias")


def _pairs(size=PAIRS, seed=0):
    return {**clip_batch(size, seed), "text": token_batch(size, seed)}


def _pretrained(model):
    """The text BERT and the audio ResNet stand in for preset backbones."""
    return [model.text_encoder.backbone, model.clip_encoder.audio_encoder.backbone]


def _compiled(audio_dropout=0.0, seed=0, pretrained=True):
    keras.utils.set_random_seed(0)  # the same initial weights and dropout seeds every time
    model = MultiNet(tiny_clip_encoder(), tiny_text_encoder(), audio_dropout=audio_dropout,
                     seed=seed)
    model.compile(keras.optimizers.Adam(NEW_LR), keras.optimizers.Adam(PRETRAINED_LR),
                  pretrained_layers=_pretrained(model) if pretrained else ())
    model.build_for_training((_pairs(),))
    return model


def _values(variables):
    return [np.asarray(v).copy() for v in variables]


def _moved(before, after):
    return [not np.array_equal(b, a) for b, a in zip(before, after)]


class _EpochEndSnapshots(keras.callbacks.Callback):
    def __init__(self, groups):
        super().__init__()
        self.groups = groups
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append({
            **{name: _values(variables) for name, variables in self.groups.items()},
            "steps": int(self.model.optimizer.iterations),
            "pretrained_steps": int(self.model.pretrained_optimizer.iterations),
            "frozen": self.model.backbone_frozen,
        })


@pytest.fixture(scope="module")
def trained():
    """A model after 2 epochs of 2 steps, its backbones frozen in the first; snapshots of
    its variables before training and after each epoch."""
    model = _compiled()
    text_backbone, audio_backbone = _pretrained(model)
    pretrained_ids = {id(v) for layer in _pretrained(model) for v in layer.weights}
    groups = {
        "text_backbone": [v for v in text_backbone.trainable_weights
                          if not any(part in v.path for part in UNREACHED)],
        "audio_backbone": audio_backbone.trainable_weights,
        "audio_statistics": audio_backbone.non_trainable_weights,  # batch-norm moving stats
        "new": [v for v in model.trainable_weights if id(v) not in pretrained_ids],
    }
    assert len(groups["text_backbone"]) == len(text_backbone.trainable_weights) - 3
    assert groups["audio_statistics"] and len(groups["new"]) > 10
    initial = {name: _values(variables) for name, variables in groups.items()}
    snapshots = _EpochEndSnapshots(groups)
    model.fit(_pairs(), batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
              callbacks=[BackboneUnfreezing(1), snapshots])
    return model, initial, *snapshots.epochs


def test_the_frozen_epoch_leaves_the_backbones_and_their_statistics(trained):
    _, initial, frozen, _ = trained
    assert frozen["frozen"]
    for name in ("text_backbone", "audio_backbone", "audio_statistics"):
        assert not any(_moved(initial[name], frozen[name])), name
    assert all(_moved(initial["new"], frozen["new"]))


def test_after_unfreezing_everything_trains_the_backbones_at_their_own_rate(trained):
    model, _, frozen, unfrozen = trained
    assert not unfrozen["frozen"] and not model.backbone_frozen
    for name in ("text_backbone", "audio_backbone", "audio_statistics", "new"):
        assert all(_moved(frozen[name], unfrozen[name])), name
    # Two Adam steps move a weight by about 2 × its learning rate: the backbones were
    # stepped by the pretrained optimizer, the new layers by the other one.
    for name, rate in (("text_backbone", PRETRAINED_LR), ("audio_backbone", PRETRAINED_LR),
                       ("new", NEW_LR)):
        largest = max(np.abs(a - b).max() for b, a in zip(frozen[name], unfrozen[name]))
        assert rate / 2 < largest < 6 * rate, name


def test_each_optimizer_counts_only_its_own_steps(trained):
    _, _, frozen, unfrozen = trained
    assert (frozen["steps"], frozen["pretrained_steps"]) == (2, 0)
    assert (unfrozen["steps"], unfrozen["pretrained_steps"]) == (4, 2)


def test_a_checkpoint_carries_both_optimizers(trained, tmp_path):
    model = trained[0]
    assert sorted(model.training_optimizers()) == ["optimizer", "pretrained_optimizer"]
    assert sorted(_compiled(pretrained=False).training_optimizers()) == ["optimizer"]
    TrainingCheckpoint(tmp_path, model).save(epoch=2, metadata={})

    restored = _compiled()
    TrainingCheckpoint(tmp_path, restored).restore()
    for name, optimizer in restored.training_optimizers().items():
        saved = model.training_optimizers()[name]
        assert int(optimizer.iterations) == int(saved.iterations) > 0, name
        for ours, theirs in zip(optimizer.variables, saved.variables):
            np.testing.assert_array_equal(ours, theirs, err_msg=name)


def _step(model, batch):
    """One eager training step; the trainable weights after it."""
    model.train_step(tf.nest.map_structure(tf.constant, batch))
    return _values(model.trainable_weights)


def test_audio_dropout_hides_the_audio_the_seeded_draw_says():
    batch, rate, seed = _pairs(), 0.5, 3
    dropped = _step(_compiled(audio_dropout=rate, seed=seed), batch)
    for ours, again in zip(dropped, _step(_compiled(audio_dropout=rate, seed=seed), batch)):
        np.testing.assert_array_equal(ours, again)

    # The first step's draw, by hand: stateless in (seed, step 0, replica 0).
    keep = tf.random.stateless_uniform([PAIRS], replica_seed(seed, 0)).numpy() >= rate
    hidden = dict(batch, has_audio=batch["has_audio"] & keep)
    assert (hidden["has_audio"] != batch["has_audio"]).any()  # the draw hid some audio
    for ours, by_hand in zip(dropped, _step(_compiled(), hidden)):
        np.testing.assert_allclose(ours, by_hand, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_audio_dropout_outside_zero_to_one_is_refused(rate):
    with pytest.raises(UsageError, match=rf"audio_dropout must be in \[0, 1\); got {rate}"):
        MultiNet(tiny_clip_encoder(), tiny_text_encoder(), audio_dropout=rate)


def test_pretrained_layers_need_a_pretrained_optimizer():
    model = MultiNet(tiny_clip_encoder(), tiny_text_encoder())
    with pytest.raises(UsageError, match="pretrained_layers need a pretrained_optimizer"):
        model.compile(keras.optimizers.Adam(), pretrained_layers=[model.text_encoder.backbone])
