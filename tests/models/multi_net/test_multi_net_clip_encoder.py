import keras
import numpy as np
from harness import check_keras_file_round_trip
from tiny_multi_net import HIDDEN, tiny_clip_encoder


def test_unit_embeddings_and_projection_parameters(clips):
    encoder = tiny_clip_encoder(embedding_dim=12)
    embeddings = np.asarray(encoder(clips))
    assert embeddings.shape == (3, 12)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)
    towers = encoder.video_encoder, encoder.audio_encoder, encoder.fusion
    assert encoder.count_params() == sum(t.count_params() for t in towers) + HIDDEN * 12


def test_changing_the_audio_changes_the_fused_embedding_only(clips):
    louder = dict(clips, audio=clips["audio"] * 3.0 + 0.5)
    fused, video_only = tiny_clip_encoder("fusion"), tiny_clip_encoder("video_only")
    with_audio = [np.asarray(model(clips)) for model in (fused, video_only)]
    changed = [np.asarray(model(louder)) for model in (fused, video_only)]
    assert not np.allclose(with_audio[0][0], changed[0][0], atol=1e-6)
    np.testing.assert_allclose(with_audio[0][1], changed[0][1], rtol=1e-5, atol=1e-6)  # silent
    np.testing.assert_allclose(with_audio[1], changed[1], rtol=1e-6)
    assert not video_only.audio_encoder.built  # never run, so no weights to train or export


def test_keras_file_round_trip(clips, tmp_path):
    encoder = tiny_clip_encoder()
    encoder(clips)
    check_keras_file_round_trip(encoder, clips, tmp_path)
    restored = keras.models.load_model(tmp_path / "model.keras")
    assert restored.fusion.get_config() == encoder.fusion.get_config()
