from dlx_tf.training.flops import measure_matmul_flops, transformer_training_flops_per_token


def test_flops_per_token_follows_the_palm_formula():
    # A GPT-2-small-like shape: 6N plus attention's 12·L·H·Q·T.
    flops = transformer_training_flops_per_token(124_000_000, 12, 12, 64, 1024)
    assert flops == 6 * 124_000_000 + 12 * 12 * 12 * 64 * 1024


def test_the_measured_peak_is_a_positive_rate():
    assert measure_matmul_flops(size=64, seconds=0.01) > 0
