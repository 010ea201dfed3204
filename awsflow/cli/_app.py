"""The ``awsflow`` command: its parser, the options every command shares, and how errors end it.

Each command group lives in a module of its own with a ``register(subparsers, shared)`` function
that adds its parsers (``parents=[shared]`` gives them the connection options and ``--json``)
and sets ``run`` (``run(args, cli) -> exit status``) on each. :func:`build_parser` lists the
groups in the order ``--help`` shows them: a new group of awsflow's own (``awsflow ui``) adds its
module's ``register`` to that tuple; code outside awsflow appends to :data:`COMMANDS`.

Errors a user can cause (an unknown execution, a refused request, the endpoint down, a bad
argument) end the command with one line on stderr and an exit status (:class:`Exit`), never a
traceback; anything else is a bug and keeps its traceback.

The modules stand in floors: this one, the entry, imports the command groups to register them;
they import what they share from the modules below them (``_errors``: how a command ends;
``_context``: what it runs with; ``_arguments``, ``_format``), never from this one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import botocore.exceptions

from ..exceptions import NondeterminismError, PayloadTooLargeError, QueryError, WorkflowDefinitionError
from ..swf_exceptions import SWFResponseError, is_connection_error
from . import _domains, _local, _replay, _ui, _workflows
from ._context import Cli
from ._errors import CliError, Exit

__all__ = ["COMMANDS", "build_parser", "console_main", "main"]


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
