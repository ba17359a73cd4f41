"""One experiment run at each value of one config field, then summarised in one record."""

import argparse
import datetime
import gc
import os
import sys

from dlx_tf.errors import UsageError
from dlx_tf.training.cli import parse_args
from dlx_tf.training.config import apply_overrides, config_to_dict
from dlx_tf.training.distribute import is_chief, resolve_strategy
from dlx_tf.training.run_record import RunRecord, library_versions
from dlx_tf.training.runner import make_config, run


def run_sweep(experiment, profiles, build, sweep_field, point_field, summarize, argv=None,
              description=None):
    """Parses the command line and runs `sweep`; user mistakes exit 2 with one line."""
    options = parse_args(argv, experiment, profiles, description)
    try:
        return sweep(experiment, profiles, build, options, sweep_field, point_field, summarize)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def sweep(experiment, profiles, build, options, sweep_field, point_field, summarize):
    """Runs the experiment once per value of the config field `sweep_field`, each value set
    as `point_field` in its own run folder `<output>/<point_field>_<value>/` with its own
    `run.json`, then writes `<output>/run.json` with `summarize(records, output_dir)`.

    A point whose folder already holds a completed run with the same config is reused, so
    rerunning an interrupted sweep continues it (the unfinished point resumes from its
    checkpoint); `--fresh` reruns every point. Returns the summary record.
    """
    config = make_config(profiles[options.profile], options)
    values = getattr(config, sweep_field)
    if not values:
        raise UsageError(f"{sweep_field}: expected at least one value, got none")
    output_dir = options.output_dir or os.path.join("runs", experiment, options.profile)
    records = []
    for value in values:
        assignment = f"{point_field}={value}"
        point = argparse.Namespace(**{**vars(options), "set": [*options.set, assignment],
                                      "output_dir": _point_dir(output_dir, point_field, value)})
        point_config = config_to_dict(apply_overrides(config, [assignment]))
        saved = RunRecord.load(point.output_dir)
        if (not options.fresh and saved and saved.get("status") == "completed"
                and saved.get("config") == point_config):
            print(f"Reusing the completed run in {point.output_dir}")
            records.append(saved)
            continue
        print(f"=== {experiment}: {assignment} ({len(records) + 1} of {len(values)}) ===")
        records.append(run(experiment, profiles, build, point).record)
        gc.collect()  # the finished point's models and datasets are no longer referenced
    if not is_chief(resolve_strategy(options.strategy)):
        return None
    summary = summarize(records, output_dir)
    record = RunRecord(output_dir, {
        "experiment": experiment,
        "profile": options.profile,
        "status": "completed",
        "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "config": config_to_dict(config),
        "sweep": {"field": point_field, "values": list(values)},
        "runs": [{point_field: value, "run_dir": _point_dir(output_dir, point_field, value),
                  "status": saved["status"], "metrics": saved["metrics"]}
                 for value, saved in zip(values, records)],
        "data": records[0]["data"],
        "metrics": summary.get("metrics", {}),
        "artifacts": summary.get("artifacts", {}),
        "exports": [exported for saved in records for exported in saved.get("exports", [])],
        "versions": library_versions(),
    })
    print(f"Sweep summary: {record.path}")
    return record.data


def _point_dir(output_dir, field, value):
    return os.path.join(output_dir, f"{field}_{value}")
