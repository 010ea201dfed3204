"""Errors of the deterministic core.

``CancelledError`` keeps botoflow's spelling (SWF spells it "Canceled"; botoflow users catch this
name). ``CancellationError`` is what an activity raises (or :meth:`ActivityContext.heartbeat`
raises for it) to report its task as canceled.
"""

from __future__ import annotations

__all__ = ["CancellationError", "CancelledError"]


class CancelledError(Exception):
    """The awaited future, or the task waiting on it, was cancelled."""

    @property
    def cause(self) -> CancelledError:
        """botoflow compatibility: the error itself (its args carry the details)."""
        return self


class CancellationError(Exception):
    """Raised inside an activity to have its task recorded as canceled in SWF."""
