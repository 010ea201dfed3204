"""Changing workflow code while executions of it are open: ``patched`` and ``deprecate_patch``.

A deploy that changes the decisions a workflow makes breaks every open execution of it: their
histories were written by the old code, and replaying them with the new one diverges
(NondeterminismError). ``patched`` lets old and new code paths live side by side::

    if awsflow.patched("charge-before-ship"):
        yield Billing.charge(order)          # the new path
        yield Shipping.ship(order)
    else:
        yield Shipping.ship(order)           # the old path, for executions that took it

The three steps of a change:

1. *Patch*: wrap the change in ``if patched("id"): new else: old``. New executions, and open
   ones reaching the ``patched`` call for the first time after the deploy, record a marker
   (``awsflow.patch.<id>``) and take the new path; a replay takes the new path exactly where the
   history recorded that marker, so executions that passed the call under the old code keep
   their old path.
2. *Deprecate*: once no open execution can still take the old path, keep only the new one and
   call ``deprecate_patch("id")`` where ``patched`` was. It records nothing, and replay skips
   the markers older executions recorded for that id instead of reporting a divergence.
3. *Remove*: once no open execution has the marker in its history, drop the call.

Skipping a step is reported like any divergence: removing the old path while executions
that took it are open, or removing ``patched``/``deprecate_patch`` while histories hold the
marker, raises NondeterminismError when such an execution is replayed.

Place each ``patched`` call before the decisions it chooses between, and give each change its
own id; the same id at several places answers the same for the whole run. Markers are SWF
decisions: each ``patched`` that records adds one ``MarkerRecorded`` event to the history.
"""

from __future__ import annotations

from .._runtime import in_workflow

__all__ = ["deprecate_patch", "patched"]


def patched(change_id: str) -> bool:
    """True where the workflow should take the code path of change ``change_id``.

    While the code runs for the first time (not replaying), records the marker of the change
    (once per change id per run) and returns True. While replaying, returns True exactly when
    the decision task being replayed recorded that marker. Repeated calls with the same id in
    one run return the first answer and record nothing more.

    Args:
        change_id: names the change; at most 242 characters (it goes in an SWF marker name).

    Raises:
        NotInWorkflowError: called outside workflow code.
        ValueError: ``change_id`` is empty or too long.

    .. versionadded:: 0.1
    """
    return bool(in_workflow("awsflow.patched").runtime.patched(change_id))


def deprecate_patch(change_id: str) -> None:
    """Declare that only the new path of change ``change_id`` remains.

    Records nothing; replaying a history that recorded the change's marker skips that marker
    instead of reporting a divergence. Call it where ``patched(change_id)`` was, before the
    decisions of the (now only) path.

    Raises:
        NotInWorkflowError: called outside workflow code.
        ValueError: ``change_id`` is empty or too long.

    .. versionadded:: 0.1
    """
    in_workflow("awsflow.deprecate_patch").runtime.deprecate_patch(change_id)
