"""``awsflow local``: the SWF-compatible service, with ``python -m awsflow.local``'s options, and
with ``--ui [--ui-port PORT]`` the web timeline beside it (``awsflow ui`` on the service)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from ..handles import client_caller
from ..local.__main__ import main as service_main
from ..ui import UiServer
from ._context import Cli, make_client
from ._errors import CliError

__all__ = ["register"]


def register(commands: Any, shared: argparse.ArgumentParser) -> None:
    """Add ``awsflow local``."""
    parser = commands.add_parser(
        "local",
        help="run awsflow.local, an SWF-compatible service (awsflow local --help for its options; "
        "--ui [--ui-port PORT] also serves the web timeline)",
        add_help=False,
        prefix_chars="\0",  # every argument, --help included, goes to the service's own parser
    )
    parser.add_argument("service_args", nargs=argparse.REMAINDER)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, cli: Cli) -> int:
    """Run the service in the foreground until SIGINT or SIGTERM."""
    service_args, ui_port = _ui_options(list(args.service_args))
    on_started = None if ui_port is None else _ui_beside(cli, ui_port)
    try:
        return service_main(service_args, prog="awsflow local", on_started=on_started)
    except SystemExit as stop:  # the service's argparse: --help, or a usage error (status 2)
        return stop.code if isinstance(stop.code, int) else 2


def _ui_options(argv: list[str]) -> tuple[list[str], int | None]:
    """The service's arguments without ``--ui`` and ``--ui-port PORT``, and the UI's port (None:
    no UI; 0: any free port)."""
    rest: list[str] = []
    port: int | None = None
    words = iter(argv)
    for word in words:
        if word == "--ui":
            port = 0 if port is None else port
        elif word == "--ui-port" or word.startswith("--ui-port="):
            value = word.partition("=")[2] if "=" in word else next(words, "")
            if not value.isdigit():
                raise CliError(f"--ui-port needs a port number, not {value!r}")
            port = int(value)
        else:
            rest.append(word)
    return rest, port


def _ui_beside(cli: Cli, port: int) -> Callable[[str], Callable[[], None]]:
    def start(endpoint_url: str) -> Callable[[], None]:
        client = make_client(endpoint_url, None, None)
        domain = os.environ.get("AWSFLOW_DOMAIN") or None
        server = UiServer(client_caller(client), port=port, default_domain=domain).start()
        cli.print(f"awsflow ui listening on {server.url}")
        cli.stdout.flush()
        return server.close

    return start
