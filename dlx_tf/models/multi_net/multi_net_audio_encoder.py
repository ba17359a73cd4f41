"""Multi-Net's audio encoder: waveforms to a sequence of audio tokens over time."""

import keras
from keras import layers, ops

from dlx_tf.errors import DataError
from dlx_tf.layers.log_mel_spectrogram import LogMelSpectrogram
from dlx_tf.models.resnet.resnet_backbone import ResNetBackbone


@keras.saving.register_keras_serializable(package="dlx_tf")
class MultiNetAudioEncoder(keras.Model):
    """Audio-Net's log-mel front end and ResNet backbone (He et al. 2015,
    https://arxiv.org/abs/1512.03385), keeping time as the token axis for fusion.

    A 16 kHz waveform becomes a log-mel spectrogram (25 ms windows, 10 ms hop), is
    standardised with fixed statistics and repeated into three channels as in
    `AudioNetClassifier`, goes through `ResNetBackbone`, is averaged over frequency only
    and mapped to `token_dim`: one token per `32 × frame_step` samples.

    Silent clips (`has_audio` false) get every token replaced by one learned "no audio"
    token. A learned token, not masking: the sequence keeps a fixed length (XLA-friendly
    on TPU) and an audio-only model still has something to attend to, and the model can
    learn what silence means instead of reading the zeros' log-mel floor.

    Args:
        token_dim: size of each audio token.
        width: filters of the backbone's first stage.
        stackwise_num_blocks: backbone blocks per stage.
        num_mel_bins: mel bands of the front end.
        sample_rate: samples per second of the waveforms.
        input_mean: mean of the training log-mel values.
        input_std: their standard deviation.

    Example:
    ```python
    encoder = MultiNetAudioEncoder(token_dim=32, width=8, stackwise_num_blocks=(1, 1))
    tokens = encoder(keras.ops.zeros((2, 16000)), keras.ops.ones((2,), "bool"))  # (2, 13, 32)
    ```
    """

    def __init__(self, token_dim, width=16, stackwise_num_blocks=(1, 1, 1, 1), num_mel_bins=64,
                 sample_rate=16000, input_mean=-5.0, input_std=4.0, **kwargs):
        super().__init__(**kwargs)
        self.token_dim = token_dim
        self.width = width
        self.stackwise_num_blocks = tuple(stackwise_num_blocks)
        self.num_mel_bins = num_mel_bins
        self.sample_rate = sample_rate
        self.input_mean = float(input_mean)
        self.input_std = float(input_std)
        # === Layers ===
        self.front_end = LogMelSpectrogram(
            sample_rate=sample_rate, frame_length=sample_rate // 40, frame_step=sample_rate // 100,
            fft_length=_next_power_of_two(sample_rate // 40), num_mel_bins=num_mel_bins,
            name="log_mel")
        self.backbone = ResNetBackbone(self.stackwise_num_blocks, width, name="backbone")
        self.token_projection = layers.Dense(token_dim, name="token_projection")

    def build(self, waveforms_shape, has_audio_shape=None):
        _check_rank(waveforms_shape)
        batch, samples = waveforms_shape
        frames = None if samples is None else self.front_end.frames(samples)
        self.backbone.build((batch, frames, self.num_mel_bins, 3))
        self.token_projection.build((batch, None, self.backbone.output_channels))
        self.no_audio_token = self.add_weight(
            shape=(self.token_dim,), initializer="zeros", name="no_audio_token")

    def call(self, waveforms, has_audio):
        _check_rank(waveforms.shape)
        x = (self.front_end(waveforms) - self.input_mean) / self.input_std  # (batch, frames, mels)
        images = ops.repeat(ops.cast(x, self.compute_dtype)[..., None], 3, axis=-1)
        features = ops.mean(self.backbone(images), axis=2)  # (batch, ⌈frames/32⌉, channels)
        tokens = self.token_projection(features)  # (batch, time, token_dim)
        silent = ops.cast(self.no_audio_token, tokens.dtype)[None, None, :]
        return ops.where(ops.cast(has_audio, "bool")[:, None, None], tokens, silent)

    def get_config(self):
        config = super().get_config()
        config.update(
            token_dim=self.token_dim,
            width=self.width,
            stackwise_num_blocks=list(self.stackwise_num_blocks),
            num_mel_bins=self.num_mel_bins,
            sample_rate=self.sample_rate,
            input_mean=self.input_mean,
            input_std=self.input_std,
        )
        return config


def _next_power_of_two(value):
    return 1 << (value - 1).bit_length()


def _check_rank(shape):
    if len(shape) != 2:
        raise DataError(f"MultiNetAudioEncoder: waveforms must be float32 [batch, samples]; "
                        f"got shape {tuple(shape)}")
