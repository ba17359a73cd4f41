import numpy as np
import pytest
from keras import ops

from dlx_tf.models.acai.interpolation import lerp, slerp

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 2, 2, 4)).astype("float32")
B = RNG.normal(size=(3, 2, 2, 4)).astype("float32")


def _np(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("interpolate", [lerp, slerp])
def test_endpoints(interpolate):
    np.testing.assert_allclose(_np(interpolate(A, B, 0.0)), A, atol=1e-5)
    np.testing.assert_allclose(_np(interpolate(A, B, 1.0)), B, atol=1e-5)
    # t per example: the first example at a, the second at b.
    mixed = _np(interpolate(A, B, np.array([0.0, 1.0, 0.0], "float32")))
    np.testing.assert_allclose(mixed[[0, 2]], A[[0, 2]], atol=1e-5)
    np.testing.assert_allclose(mixed[1], B[1], atol=1e-5)


def test_lerp_by_hand():
    a = np.array([[0.0, 2.0]], "float32")
    b = np.array([[4.0, 6.0]], "float32")
    np.testing.assert_allclose(_np(lerp(a, b, 0.25)), [[1.0, 3.0]])


def test_slerp_midpoint_of_orthogonal_unit_vectors():
    a = np.array([[1.0, 0.0]], "float32")
    b = np.array([[0.0, 1.0]], "float32")
    # ω = 90°: sin(45°) / sin(90°) on each, the point at 45° on the unit circle.
    np.testing.assert_allclose(_np(slerp(a, b, 0.5)), [[np.cos(np.pi / 4), np.sin(np.pi / 4)]],
                               rtol=1e-6)
    np.testing.assert_allclose(_np(slerp(a, b, 1 / 3)), [[np.cos(np.pi / 6), np.sin(np.pi / 6)]],
                               rtol=1e-5)


def test_slerp_keeps_unit_vectors_on_the_sphere():
    a = A / np.linalg.norm(A.reshape(3, -1), axis=1)[:, None, None, None]
    b = B / np.linalg.norm(B.reshape(3, -1), axis=1)[:, None, None, None]
    for t in (0.1, 0.5, 0.8):
        norms = np.linalg.norm(_np(slerp(a, b, t)).reshape(3, -1), axis=1)
        np.testing.assert_allclose(norms, 1.0, rtol=1e-5)
    # lerp cuts the chord instead.
    assert np.all(np.linalg.norm(_np(lerp(a, b, 0.5)).reshape(3, -1), axis=1) < 1)


@pytest.mark.parametrize("scale", [2.0, -3.0, 0.0], ids=["parallel", "anti-parallel", "zero"])
def test_slerp_falls_back_to_lerp_without_nan(scale):
    a = A[:1]
    b = scale * a
    for t in (0.0, 0.3, 1.0):
        result = _np(slerp(a, b, t))
        assert not np.isnan(result).any()
        np.testing.assert_allclose(result, _np(lerp(a, b, t)), rtol=1e-6, atol=1e-6)


def test_slerp_mixes_degenerate_and_regular_examples():
    a = np.array([[1.0, 0.0], [1.0, 0.0]], "float32")
    b = np.array([[0.0, 1.0], [-1.0, 0.0]], "float32")
    result = _np(slerp(a, b, 0.5))
    np.testing.assert_allclose(result[0], [np.sqrt(0.5), np.sqrt(0.5)], rtol=1e-6)
    np.testing.assert_allclose(result[1], [0.0, 0.0], atol=1e-7)
