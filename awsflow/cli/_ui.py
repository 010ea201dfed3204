"""``awsflow ui``: serve the web timeline (``awsflow.ui``) until interrupted."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..handles import client_caller
from ..ui import UiServer
from ._context import Cli
from ._errors import CliError, Exit

__all__ = ["register"]

EPILOG = """\
examples:
  awsflow ui --endpoint-url http://127.0.0.1:8080 --domain dev
  awsflow ui --port 8081                # a fixed port instead of any free one

The server binds 127.0.0.1 unless --host says otherwise: its buttons signal, cancel and
terminate executions with the credentials it runs with.
"""


def register(commands: Any, shared: argparse.ArgumentParser) -> None:
    """Add ``awsflow ui``."""
    parser = commands.add_parser(
        "ui",
        parents=[shared],
        help="serve the web timeline: executions, their timelines and events, in a browser",
        description="Serve the web timeline and print its URL; stop it with Ctrl-C.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: 0, any free port)")
    parser.set_defaults(run=serve)


def serve(args: argparse.Namespace, cli: Cli) -> int:
    """Serve in the foreground until SIGINT."""
    domain = getattr(args, "domain", None) or os.environ.get("AWSFLOW_DOMAIN") or None
    try:
        server = UiServer(client_caller(cli.client), host=args.host, port=args.port, default_domain=domain)
    except OSError as error:
        raise CliError(f"cannot serve on {args.host}:{args.port}: {error.strerror or error}") from error
    with server:
        cli.print(f"awsflow ui listening on {server.url}")
        cli.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            return Exit.OK
    return Exit.OK
