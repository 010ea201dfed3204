"""The ``awsflow`` command line: run awsflow.local, manage domains, operate executions, replay
histories. ``awsflow --help`` lists the commands; each has ``--help`` with examples.

:func:`main` runs it in-process (``main(["workflow", "list", "--json"])`` returns the exit
status); the ``awsflow`` console script calls it. A new command group adds its
``register(subparsers, shared)`` to :data:`COMMANDS`.

.. versionadded:: 0.1
"""

from __future__ import annotations

from ._app import COMMANDS, console_main, main
from ._errors import Exit

__all__ = ["COMMANDS", "Exit", "console_main", "main"]

for _public in (Exit, console_main, main):
    _public.__module__ = __name__
del _public
