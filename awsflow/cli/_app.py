"""The ``awsflow`` command: its parser, the options every command shares, and how errors end it.

Each command group lives in a module of its own with a ``register(subparsers, shared)`` function
that adds its parsers (``parents=[shared]`` gives them the connection options and ``--json``)
and sets ``run`` (``run(args, cli) -> exit status``) on each. :func:`build_parser` lists the
groups in the order ``--help`` shows them: a new group of awsflow's own (``awsflow ui``) adds its
module's ``register`` to that tuple; code outside awsflow appends to :data:`COMMANDS`.

Errors a user can cause (an unknown execution, a refused request, the endpoint down, a bad
argument) end the command with one line on stderr and an exit status (:class:`Exit`), never a
traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO
from urllib.parse import urlparse

import botocore.exceptions
import botocore.session
from botocore.config import Config

from ..exceptions import NondeterminismError, PayloadTooLargeError, QueryError, WorkflowDefinitionError
from ..handles import client_caller
from ..swf_exceptions import SWFResponseError, is_connection_error
from ._format import parse_since, to_json

__all__ = ["COMMANDS", "Cli", "CliError", "Exit", "build_parser", "main"]


class Exit(enum.IntEnum):
    """The exit statuses of ``awsflow`` (listed in ``awsflow --help``)."""

    OK = 0
    FAILED = 1  # what was asked about failed: the workflow failed, a history did not replay
    USAGE = 2  # bad arguments, input or files
    REFUSED = 3  # SWF refused the request (unknown execution or domain, validation, ...)
    UNREACHABLE = 4  # no connection to the endpoint, or no credentials or region
    STILL_OPEN = 5  # the execution is still open (result without --wait, or --timeout passed)
    INTERRUPTED = 130


class CliError(Exception):
    """A user's mistake or an outcome to report in one line, with the exit status to end with."""

    def __init__(self, message: str, status: Exit = Exit.USAGE) -> None:
        super().__init__(message)
        self.status = status


def since_option(args: argparse.Namespace) -> dt.datetime | None:
    """The moment ``--since`` names (None without it); a bad value is the user's mistake."""
    if not args.since:
        return None
    try:
        return parse_since(args.since, dt.datetime.now(dt.timezone.utc))
    except ValueError as error:
        raise CliError(f"--since: {error}") from error


EPILOG = """\
exit status:
  0 ok; 1 the workflow failed or a history did not replay; 2 bad arguments or input;
  3 SWF refused the request (e.g. unknown execution); 4 cannot reach SWF (endpoint,
  credentials, region); 5 the execution is still open

examples:
  awsflow local --port 8080 &                       # an SWF to develop against
  export AWS_ENDPOINT_URL_SWF=http://127.0.0.1:8080 AWSFLOW_DOMAIN=dev
  awsflow domain register dev
  awsflow workflow start HelloWorkflow:1.0 --input '["world"]'
  awsflow workflow list --open
  awsflow workflow history ID --json > h.json && awsflow replay h.json --workflows app:Hello
  awsflow ui                                        # the web timeline; prints its URL

Endpoint, region and credentials come from botocore's usual chain (AWS_PROFILE,
AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_SWF, ~/.aws) unless given as options.
"""


class Cli:
    """What a command runs with: its arguments' shared options, a client, and the output."""

    def __init__(self, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> None:
        self.args = args
        self.stdout = stdout
        self.stderr = stderr
        self._client: Any = None

    @property
    def json(self) -> bool:
        """Whether ``--json`` asked for JSON output."""
        return bool(getattr(self.args, "json", False))

    @property
    def domain(self) -> str:
        """``--domain`` (or AWSFLOW_DOMAIN).

        Raises:
            CliError: neither is set.
        """
        domain = getattr(self.args, "domain", None) or os.environ.get("AWSFLOW_DOMAIN")
        if not domain:
            raise CliError("no domain: pass --domain NAME or set AWSFLOW_DOMAIN")
        return str(domain)

    @property
    def client(self) -> Any:
        """A botocore SWF client from the options and botocore's chain (made on first use)."""
        if self._client is None:
            self._client = make_client(
                getattr(self.args, "endpoint_url", None),
                getattr(self.args, "region", None),
                getattr(self.args, "profile", None),
            )
        return self._client

    def call(self, operation: str, request: dict[str, Any]) -> Any:
        """One SWF request; SWF's refusals raise SWFResponseError subclasses."""
        return client_caller(self.client)(operation, request)

    def print(self, *lines: str) -> None:
        """Write lines to stdout."""
        for line in lines:
            print(line, file=self.stdout)

    def print_json(self, value: Any) -> None:
        """Write ``value`` as JSON to stdout."""
        print(to_json(value), file=self.stdout)

    def warn(self, message: str) -> None:
        """One line on stderr."""
        print(f"awsflow: {message}", file=self.stderr)


def make_client(endpoint_url: str | None, region: str | None, profile: str | None) -> Any:
    """A botocore SWF client.

    With an endpoint on this machine (awsflow.local) and no credentials anywhere in the chain,
    fixed dummy credentials are used: awsflow.local checks signatures only with
    ``--verify-sigv4``. Elsewhere missing credentials are an error, as botocore makes them.

    Raises:
        CliError: the profile does not exist, or no region is configured.
    """
    try:
        session = botocore.session.Session(profile=profile)
        endpoint_url = (
            endpoint_url
            or os.environ.get("AWS_ENDPOINT_URL_SWF")
            or session.get_config_variable("endpoint_url")
            or None
        )
        region = region or session.get_config_variable("region")
        local = endpoint_url is not None and urlparse(endpoint_url).hostname in (
            "127.0.0.1",
            "localhost",
            "::1",
        )
        if region is None:
            if not local and endpoint_url is None:
                raise CliError("no region: pass --region or set AWS_DEFAULT_REGION", Exit.UNREACHABLE)
            region = "us-east-1"
        credentials: dict[str, str] = {}
        if local and session.get_credentials() is None:
            credentials = {"aws_access_key_id": "awsflow-local", "aws_secret_access_key": "awsflow-local"}
        config = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=5, read_timeout=70)
        return session.create_client(
            "swf", region_name=region, endpoint_url=endpoint_url, config=config, **credentials
        )
    except botocore.exceptions.ProfileNotFound as error:
        raise CliError(str(error), Exit.UNREACHABLE) from error


# -- the parser --------------------------------------------------------------------------------
Register = Callable[[Any, argparse.ArgumentParser], None]


def shared_options() -> argparse.ArgumentParser:
    """The options every command takes, before or after its name (defaults left to the top)."""
    shared = argparse.ArgumentParser(add_help=False)
    group = shared.add_argument_group("connection")
    group.add_argument(
        "--endpoint-url", default=argparse.SUPPRESS, help="SWF endpoint, e.g. http://127.0.0.1:8080"
    )
    group.add_argument("--region", default=argparse.SUPPRESS, help="AWS region (default: botocore's chain)")
    group.add_argument(
        "--profile", default=argparse.SUPPRESS, help="AWS profile of ~/.aws (default: the chain's)"
    )
    group.add_argument("--domain", default=argparse.SUPPRESS, help="SWF domain (default: $AWSFLOW_DOMAIN)")
    shared.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="output JSON")
    return shared


def build_parser() -> argparse.ArgumentParser:
    """The whole ``awsflow`` parser."""
    from . import _domains, _local, _replay, _ui, _workflows

    shared = shared_options()
    parser = argparse.ArgumentParser(
        prog="awsflow",
        description="Operate awsflow workflows on Amazon SWF or awsflow.local.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        # A parser of its own: set_defaults changes the actions, which parents share by reference.
        parents=[shared_options()],
    )
    parser.set_defaults(endpoint_url=None, region=None, profile=None, domain=None, json=False)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    commands.required = True
    groups = (_local.register, _domains.register, _workflows.register, _replay.register, _ui.register)
    for register in (*groups, *COMMANDS):
        register(commands, shared)
    return parser


# Command groups added by code outside awsflow: each ``register(subparsers, shared)``.
COMMANDS: list[Register] = []


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run ``awsflow`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse's usage errors and --help
        return int(stop.code or 0) if not isinstance(stop.code, str) else Exit.USAGE
    cli = Cli(args, out, err)
    try:
        return int(args.run(args, cli))
    except CliError as error:
        cli.warn(f"error: {error}")
        return error.status
    except SWFResponseError as error:
        cli.warn(f"error: {error.code or type(error).__name__}: {error.message}")
        return Exit.REFUSED
    except (WorkflowDefinitionError, PayloadTooLargeError) as error:  # a query or input the code refuses
        cli.warn(f"error: {type(error).__name__}: {error}")
        return Exit.USAGE
    except QueryError as error:  # the execution cannot answer yet
        cli.warn(f"error: {type(error).__name__}: {error}")
        return Exit.REFUSED
    except NondeterminismError as error:  # a query's replay diverged from the history
        cli.warn(f"error: {type(error).__name__}: {error}")
        return Exit.FAILED
    except (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError) as error:
        cli.warn(f"error: {error} (configure credentials, or pass --profile)")
        return Exit.UNREACHABLE
    except botocore.exceptions.NoRegionError:
        cli.warn("error: no region: pass --region or set AWS_DEFAULT_REGION")
        return Exit.UNREACHABLE
    except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectionError) as error:
        cli.warn(f"error: cannot reach SWF: {error}")
        return Exit.UNREACHABLE
    except OSError as error:
        if is_connection_error(error):
            cli.warn(f"error: cannot reach SWF: {error}")
            return Exit.UNREACHABLE
        cli.warn(f"error: {error}")
        return Exit.USAGE
    except json.JSONDecodeError as error:
        cli.warn(f"error: not JSON: {error}")
        return Exit.USAGE
    except KeyboardInterrupt:
        cli.warn("interrupted")
        return Exit.INTERRUPTED


def console_main() -> None:
    """The ``awsflow`` console script."""
    sys.exit(main())
