"""Testing your workflows.

- :class:`Replayer` replays saved histories against the current workflow code (see
  :mod:`awsflow.replaying`).

This module only re-exports; each name lives in a module of its own.
"""

from __future__ import annotations

from ..replaying import Replayer

__all__ = [
    "Replayer",
]
