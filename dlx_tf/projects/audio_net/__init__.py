"""Audio-Net: genre classification of log-mel spectrograms with an ImageNet ResNet-18."""
from dlx_tf.projects.audio_net.audio_net_classifier import AudioNetClassifier
from dlx_tf.projects.audio_net.audio_net_trainer import AudioNetTrainer

__all__ = ["AudioNetClassifier", "AudioNetTrainer"]
