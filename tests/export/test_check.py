from dlx_tf.export import check


def test_main_returns_the_standalone_check_exit_status(tmp_path, capfd):
    assert check.main([str(tmp_path / "missing")]) == 2
    assert f"error: {tmp_path / 'missing'}: no such folder" in capfd.readouterr().err
