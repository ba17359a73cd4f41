"""The command line every experiment shares: `launch` turns it into a `Run` and runs
the experiment's `main(config, run)` in it."""

import os
import sys

from dlx_tf.errors import NonFiniteLoss, UsageError
from dlx_tf.training.cli import parse_args
from dlx_tf.training.config import apply_overrides
from dlx_tf.training.distribute import (
    configure_cpu_devices,
    resolve_strategy,
    set_mixed_precision,
)
from dlx_tf.training.epochs import check_batch_split
from dlx_tf.training.run import Run


def launch(experiment, profiles, main, argv=None, description=None):
    """Runs `main(config, run)` as `experiments/<experiment>.py` with the command line
    `argv`; returns the closed `Run`. User mistakes exit with status 2 and one line."""
    options = parse_args(argv, experiment, profiles, description)
    try:
        with start_run(experiment, profiles, options) as run:
            main(run.config, run)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except NonFiniteLoss as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    return run


def start_run(experiment, profiles, options):
    """The `Run` that parsed command-line `options` ask for."""
    if options.cpu_devices:
        configure_cpu_devices(options.cpu_devices)
    config = make_config(profiles[options.profile], options)
    strategy = resolve_strategy(options.strategy)
    check_batch_split(config.batch_size, strategy.num_replicas_in_sync)  # before any data loads
    precision = set_mixed_precision(strategy, options.mixed_precision)
    return Run(experiment, config, strategy,
               options.output_dir or os.path.join("runs", experiment, options.profile),
               profile=options.profile, export_dir=options.export_dir, export=options.export,
               fresh=options.fresh, precision=precision,
               command=[os.path.basename(sys.argv[0]), *sys.argv[1:]])


def make_config(config, options):
    """The profile's config with the command line's `--set`, `--data` and `--seed` applied."""
    assignments = list(options.set)
    if options.data is not None:
        assignments.append(f"data={options.data}")
    if options.seed is not None:
        assignments.append(f"seed={options.seed}")
    return apply_overrides(config, assignments)
