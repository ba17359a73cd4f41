"""Early stopping read off a run's history: the epoch a `restore_best_weights` run keeps."""


def early_stopping_choice(history, monitor, target):
    """The epoch with the highest `monitor` (ties: the earliest) and `target` there.

    With `monitor` a validation metric and `target` the same metric on the test set
    evaluated every epoch, this is the test result of early stopping with patience
    longer than the run, decided on validation data alone.

    Returns:
        `{"epoch": int (1-based), "monitor": float, "value": float}`.
    """
    missing = [key for key in (monitor, target) if key not in history[0]]
    if missing:
        raise KeyError(f"history lacks {', '.join(missing)} (has {', '.join(history[0])})")
    best = max(history, key=lambda entry: (entry[monitor], -entry["epoch"]))
    return {"epoch": int(best["epoch"]), "monitor": best[monitor], "value": best[target]}
