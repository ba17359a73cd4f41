"""The command line every experiment shares (the run contract in DESIGN.md)."""

import argparse

from dlx_tf.training.config_help import config_help
from dlx_tf.training.distribute import STRATEGIES


def parse_args(argv, experiment, profiles, description=None):
    parser = argparse.ArgumentParser(
        prog=f"python experiments/{experiment}.py",
        description=description,
        epilog=config_help(profiles),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--profile", choices=sorted(profiles), default="smoke",
                        help="smoke: offline, minutes on 2 CPU cores; paper: the paper's settings")
    parser.add_argument("--data", help="data source (sets the config key `data`, listed below)")
    parser.add_argument("--strategy", choices=STRATEGIES, default="auto")
    parser.add_argument("--cpu-devices", type=int, metavar="N",
                        help="split the CPU into N logical devices (try MirroredStrategy anywhere)")
    parser.add_argument("--output-dir", help="run folder (default runs/<experiment>/<profile>); "
                        "an unfinished run there is resumed")
    parser.add_argument("--fresh", action="store_true",
                        help="move an unfinished run in the output folder aside and start over")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config field (repeatable)")
    parser.add_argument("--seed", type=int, help="sets the config key `seed`")
    parser.add_argument("--mixed-precision", action="store_true",
                        help="float16 with loss scaling on GPU, bfloat16 on TPU and CPU")
    parser.add_argument("--export", action=argparse.BooleanOptionalAction, default=True,
                        help="write SavedModels for TF Serving at the end")
    parser.add_argument("--export-dir", default="saved_models")
    return parser.parse_args(argv)
