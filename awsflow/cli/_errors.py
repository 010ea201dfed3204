"""How an ``awsflow`` command ends: its exit statuses, and the error that reports one in one line.

Errors a user can cause (an unknown execution, a refused request, the endpoint down, a bad
argument) end the command with one line on stderr and an exit status, never a traceback; a
command raises :class:`CliError` for its own, and ``main`` maps the library's and botocore's.
"""

from __future__ import annotations

import enum

__all__ = ["CliError", "Exit"]


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
