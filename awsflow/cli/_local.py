"""``awsflow local``: the SWF-compatible service, with ``python -m awsflow.local``'s options."""

from __future__ import annotations

import argparse
from typing import Any

from ..local.__main__ import main as service_main

__all__ = ["register"]


def register(commands: Any, shared: argparse.ArgumentParser) -> None:
    """Add ``awsflow local``."""
    parser = commands.add_parser(
        "local",
        help="run awsflow.local, an SWF-compatible service (awsflow local --help for its options)",
        add_help=False,
        prefix_chars="\0",  # every argument, --help included, goes to the service's own parser
    )
    parser.add_argument("service_args", nargs=argparse.REMAINDER)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, cli: Any) -> int:
    """Run the service in the foreground until SIGINT or SIGTERM."""
    try:
        return service_main(args.service_args, prog="awsflow local")
    except SystemExit as stop:  # the service's argparse: --help, or a usage error (status 2)
        return stop.code if isinstance(stop.code, int) else 2
