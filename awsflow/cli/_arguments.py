"""What several commands read from their arguments: ``--input`` values, ``--since``, and the
execution named."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from ..handles import WorkflowHandle
from ._context import Cli
from ._errors import CliError
from ._format import parse_since

__all__ = ["handle_for", "parse_arguments", "since_option"]


def parse_arguments(text: str | None) -> tuple[Any, ...]:
    """``--input``: a JSON array is the positional arguments; any other JSON value is the one argument.

    Raises:
        CliError: not JSON.
    """
    if text is None:
        return ()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise CliError(f"--input is not JSON: {error}") from error
    return tuple(value) if isinstance(value, list) else (value,)


def since_option(args: argparse.Namespace) -> dt.datetime | None:
    """The moment ``--since`` names (None without it); a bad value is the user's mistake."""
    if not args.since:
        return None
    try:
        return parse_since(args.since, dt.datetime.now(dt.timezone.utc))
    except ValueError as error:
        raise CliError(f"--since: {error}") from error


def handle_for(cli: Cli, args: argparse.Namespace, definition: type | None = None) -> WorkflowHandle:
    """The handle of the execution ``ID`` / ``--run-id`` names."""
    return WorkflowHandle(cli.call, cli.domain, args.workflow_id, args.run_id, definition=definition)
