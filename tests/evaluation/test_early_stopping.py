import pytest

from dlx_tf.evaluation.early_stopping import early_stopping_choice


def _history(val_accuracy, test_accuracy):
    return [{"epoch": epoch, "val_accuracy": v, "test_accuracy": t, "loss": 1.0 / epoch}
            for epoch, (v, t) in enumerate(zip(val_accuracy, test_accuracy), start=1)]


def test_it_picks_the_epoch_with_the_highest_monitor():
    history = _history([0.5, 0.8, 0.7, 0.6], [0.4, 0.65, 0.9, 0.95])
    assert early_stopping_choice(history, "val_accuracy", "test_accuracy") == {
        "epoch": 2, "monitor": 0.8, "value": 0.65}


def test_ties_go_to_the_earliest_epoch():
    history = _history([0.5, 0.8, 0.8, 0.8], [0.1, 0.2, 0.3, 0.4])
    assert early_stopping_choice(history, "val_accuracy", "test_accuracy") == {
        "epoch": 2, "monitor": 0.8, "value": 0.2}


def test_the_target_may_be_the_monitor_itself():
    history = _history([0.3, 0.9, 0.1], [0.0, 0.0, 0.0])
    choice = early_stopping_choice(history, "val_accuracy", "val_accuracy")
    assert choice == {"epoch": 2, "monitor": 0.9, "value": 0.9}


@pytest.mark.parametrize("monitor, target, missing", [
    ("val_acc", "test_accuracy", "val_acc"),
    ("val_accuracy", "test_clean_accuracy", "test_clean_accuracy"),
])
def test_a_missing_key_is_named(monitor, target, missing):
    with pytest.raises(KeyError, match=f"history lacks {missing} "):
        early_stopping_choice(_history([0.5], [0.5]), monitor, target)
