"""Comparing two frameworks' histories of one program, event by event, after a few normalisations.

Everything in an event must be equal except what differs between two runs by nature, or between
the two frameworks by a choice README.rst documents. Each normalisation, and why:

- **run ids**: the service draws them at random. Each is replaced by ``<run N>``, numbering the
  executions in the order :meth:`botoflow_diff.Run.executions` lists them (the started one is
  ``<run 1>``, then the runs it led to), wherever it occurs in a string: a child ``workflowId``
  of the ``runId:n`` form, an input, a control field.
- **framework frames in failure details**: ``details`` holding ``[exception, frames]`` keep only
  the frames outside botoflow's and awsflow's own packages (each framework's internals are its
  own); the program's frames compare exactly (file, line, function, text).
- **framework class names in data**: a class of botoflow or awsflow written into data
  (``botoflow.exceptions:ActivityTaskFailedError``) is compared with its package name replaced by
  ``<flow>``: the two packages have the same module layout.
- **an empty failure reason**: botoflow 0.8 always fails an activity task or a workflow with
  ``reason=""`` (so its parent's ChildWorkflowExecutionFailed has it too); where botoflow's
  reason is empty, awsflow's (``"Type: message"``, shown in the SWF console) is not compared.
- **routing**: awsflow's workflow workers route a run's decision tasks back to themselves by
  default (README: a task list of the worker's own, named ``<task list>-sticky-<random>``);
  botoflow 0.8 never did. DecisionTaskCompleted's ``taskList``/``taskListScheduleToStartTimeout``
  are dropped, and a DecisionTaskScheduled on such a list is written as on the task list it
  stands for, without its ``scheduleToStartTimeout``.

Not normalised: event ids, order and types, timestamps (both services' virtual clocks start at
the same instant and move only with the driver), identities (both sides' workers use the same
one), activity, timer and child ids, inputs, results, details and reasons otherwise.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from botoflow_shims import botoflow

import awsflow

__all__ = ["attributes_of", "first_difference", "normalise"]

_DATA_MEMBERS = frozenset({"input", "result", "details", "control"})
_CLASS_NAME = re.compile(r"^(?:botoflow|awsflow)(?=[.:])")
_CLASS_TAGS = ("__obj", "__class", "__listclass", "__dictclass", "__namedtuple")
_FRAMEWORK_DIRS = tuple(
    os.path.dirname(module.__file__) + os.sep for module in (awsflow, botoflow) if module is not None
)
_FAILURE_EVENTS = frozenset({"ActivityTaskFailed", "WorkflowExecutionFailed", "ChildWorkflowExecutionFailed"})


def attributes_of(event: dict[str, Any]) -> dict[str, Any]:
    """The ``<type>EventAttributes`` member of an event (empty if it has none)."""
    kind = event["eventType"]
    attributes: dict[str, Any] = event.get(kind[0].lower() + kind[1:] + "EventAttributes", {})
    return attributes


def normalise(
    histories: list[list[dict[str, Any]]], run_ids_in_order: Sequence[str] = ()
) -> list[list[dict[str, Any]]]:
    """The histories of one side's executions with the normalisations above applied.

    Args:
        histories: each execution's events, in a deterministic order (the root first).
        run_ids_in_order: those executions' run ids, in the same order: they are numbered
            first (a history does not name its own run), then any other run id it mentions.
    """
    run_ids: dict[str, str] = {}
    for run_id in run_ids_in_order:
        run_ids.setdefault(run_id, f"<run {len(run_ids) + 1}>")
    for events in histories:
        for run_id in _run_ids(events):
            run_ids.setdefault(run_id, f"<run {len(run_ids) + 1}>")
    pattern = re.compile("|".join(re.escape(r) for r in sorted(run_ids, key=len, reverse=True)) or "(?!)")

    def rewrite(value: Any, key: str) -> Any:
        if isinstance(value, dict):
            return {member: rewrite(item, member) for member, item in value.items()}
        if isinstance(value, list):
            return [rewrite(item, key) for item in value]
        if isinstance(value, str):
            value = pattern.sub(lambda match: run_ids[match.group(0)], value)
            if key in _DATA_MEMBERS:
                value = _normalised_data(value)
        return value

    return [[_unrouted(rewrite(event, "")) for event in events] for events in histories]


_ROUTING_LIST = re.compile(r"^(?P<shared>.+)-sticky-[0-9a-f]+$")


def _unrouted(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` as if no worker had routed the run to a task list of its own (see above)."""
    attributes = attributes_of(event)
    if event["eventType"] == "DecisionTaskCompleted":
        attributes.pop("taskList", None)
        attributes.pop("taskListScheduleToStartTimeout", None)
    elif event["eventType"] == "DecisionTaskScheduled":
        routed = _ROUTING_LIST.match(attributes.get("taskList", {}).get("name", ""))
        if routed:
            attributes["taskList"] = {**attributes["taskList"], "name": routed.group("shared")}
            attributes.pop("scheduleToStartTimeout", None)
    return event


def first_difference(reference: list[dict[str, Any]], mine: list[dict[str, Any]]) -> str | None:
    """Where ``mine`` (awsflow's normalised events) first differs from botoflow's, or None."""
    for position, (theirs, ours) in enumerate(zip(reference, mine, strict=False)):
        if theirs != _reconciled(theirs, ours):
            return (
                f"event {position + 1} differs\n  botoflow: {_show(theirs)}\n  awsflow:  {_show(ours)}"
                f"\n  botoflow's events: {_types(reference)}\n  awsflow's events:  {_types(mine)}"
            )
    if len(reference) != len(mine):
        return (
            f"botoflow wrote {len(reference)} events, awsflow {len(mine)}"
            f"\n  botoflow's events: {_types(reference)}\n  awsflow's events:  {_types(mine)}"
        )
    return None


def _run_ids(value: Any, key: str = "") -> Iterable[str]:
    if isinstance(value, dict):
        for member, item in value.items():
            yield from _run_ids(item, member)
    elif isinstance(value, list):
        for item in value:
            yield from _run_ids(item, key)
    elif key in ("runId", "continuedExecutionRunId", "newExecutionRunId") and isinstance(value, str):
        yield value


def _normalised_data(text: str) -> str:
    """Data written by a converter, with framework class names and frames normalised."""
    try:
        decoded = json.loads(text)
    except ValueError:
        return text  # not JSON (botoflow's cancel details are str(reason)): compared as is
    if isinstance(decoded, list) and len(decoded) == 2 and isinstance(decoded[1], list):
        frames = [frame for frame in decoded[1] if not _in_framework(frame)]
        decoded = [decoded[0], frames]
    return json.dumps(_neutral_class_names(decoded), sort_keys=True)


def _in_framework(frame: Any) -> bool:
    items = frame.get("__tuple") if isinstance(frame, dict) else frame
    return isinstance(items, list) and bool(items) and str(items[0]).startswith(_FRAMEWORK_DIRS)


def _neutral_class_names(value: Any) -> Any:
    if isinstance(value, list):
        return [_neutral_class_names(item) for item in value]
    if not isinstance(value, dict):
        return value
    rewritten = {key: _neutral_class_names(item) for key, item in value.items()}
    for tag in _CLASS_TAGS:
        named = rewritten.get(tag)
        if isinstance(named, str):
            rewritten[tag] = _CLASS_NAME.sub("<flow>", named)
        elif isinstance(named, list) and named and isinstance(named[0], str):
            rewritten[tag] = [_CLASS_NAME.sub("<flow>", named[0]), *named[1:]]
    return rewritten


def _reconciled(reference: dict[str, Any], mine: dict[str, Any]) -> dict[str, Any]:
    """``mine`` with the members botoflow leaves empty by design taken from ``reference``."""
    if reference["eventType"] != mine["eventType"] or mine["eventType"] not in _FAILURE_EVENTS:
        return mine
    if attributes_of(reference).get("reason") != "":
        return mine
    mine = copy.deepcopy(mine)
    attributes_of(mine)["reason"] = ""  # botoflow 0.8 sends none; awsflow's is "Type: message"
    return mine


def _show(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, default=str)


def _types(events: list[dict[str, Any]]) -> str:
    return ", ".join(f"{e['eventId']} {e['eventType']}" for e in events)
