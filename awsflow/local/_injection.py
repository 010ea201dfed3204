"""Faults on demand: answers that fail the way SWF and networks fail, to prove clients survive them.

A *fault spec* (``python -m awsflow.local --faults SPEC``, ``LocalSWF(faults=SPEC)``) is a list
of rules separated by ``;``, each ``OPERATIONS:ACTION[@WHEN]``:

- ``OPERATIONS``: SWF operation names separated by ``,`` (``RespondActivityTaskCompleted``),
  or ``*`` for every operation.
- ``ACTION``, what the matching request gets:

  ``throttle``   HTTP 400 ``ThrottlingException`` ("Rate exceeded"); nothing is done.
  ``500``        HTTP 500 ``InternalFailure``; nothing is done.
  ``503``        HTTP 503 ``ServiceUnavailableException``; nothing is done.
  ``delay=S``    the answer comes S seconds late (wall time); the request is done as usual.
  ``drop``       the request is done (committed), then the connection is closed unanswered:
                 the client sees a connection error although the change happened.
  ``lose``       for a poll: the task is started but the answer says "no task", so it is never
                 run and times out as SWF's timeouts say; for other operations, as ``drop``.

- ``WHEN`` (default: every matching request): ``p=0.1`` — each matching request with that
  probability, from a generator seeded by ``--fault-seed`` (same seed, same faults for the same
  sequence of requests); ``nth=3`` — the third matching request only; ``every=5`` — every fifth.

Example: ``RespondActivityTaskCompleted:drop@nth=1;PollForActivityTask:lose@nth=2;*:throttle@p=0.02``.

``--throttle aws`` answers ThrottlingException the way SWF's token buckets do, with the figures
of the "Amazon SWF Quotas" page of the Developer Guide (``awsflow.local._throttle`` has the whole
table and its source): a bucket per API for the account — polls, answers and
StartWorkflowExecution 2000 burst / 200 per s, GetWorkflowExecutionHistory 2000 / 60 per s,
SignalWorkflowExecution 2000 / 30 per s, and so on for every API — and, for the calls that name
an execution, a bucket per execution too (GetWorkflowExecutionHistory 400 / 200 per s,
SignalWorkflowExecution 1000 / 1000 per s, RequestCancelWorkflowExecution 200 / 200 per s). The
buckets refill on the service clock. ``--throttle aws:0.01`` scales every bucket by 0.01, so a
test meets the limits within a few calls. Quotas can be raised per account; these are the
defaults.

Everything here is pure: the HTTP front asks :meth:`FaultPlan.decide` once per request and
carries the answer out.
"""

from __future__ import annotations

import enum
import math
import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._throttle import Throttle

__all__ = ["MAX_DELAY", "Action", "Fault", "FaultPlan", "Rule", "parse_faults", "parse_throttle"]

MAX_DELAY = 3600.0  # seconds an injected delay may hold an answer


class Action(str, enum.Enum):
    THROTTLE = "throttle"
    INTERNAL_FAILURE = "500"
    UNAVAILABLE = "503"
    DELAY = "delay"
    DROP = "drop"
    LOSE = "lose"


# Actions that answer without doing the request, and those that do it first.
REFUSALS = frozenset({Action.THROTTLE, Action.INTERNAL_FAILURE, Action.UNAVAILABLE})


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a fault spec (see the module docstring)."""

    operations: frozenset[str] | None  # None: every operation
    action: Action
    delay: float = 0.0
    probability: float | None = None
    nth: int | None = None
    every: int | None = None

    def __post_init__(self) -> None:
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"p must be from 0 to 1, not {self.probability}")
        for name, value in (("nth", self.nth), ("every", self.every)):
            if value is not None and value < 1:
                raise ValueError(f"{name} must be 1 or more, not {value}")
        if not 0 <= self.delay <= MAX_DELAY:  # NaN fails this too
            raise ValueError(f"delay must be from 0 to {MAX_DELAY:g} seconds, not {self.delay}")

    def matches(self, operation: str) -> bool:
        return self.operations is None or operation in self.operations


@dataclass(frozen=True, slots=True)
class Fault:
    """What one request gets: the action, and for ``delay`` how long."""

    action: Action
    delay: float = 0.0


def parse_faults(spec: str, known_operations: Sequence[str] = ()) -> tuple[Rule, ...]:
    """The rules of a fault spec; ValueError naming the rule for anything malformed.

    >>> parse_faults("PollForActivityTask:lose@nth=2")[0].nth
    2
    """
    rules = []
    for text in (part.strip() for part in spec.split(";")):
        if not text:
            continue
        try:
            rules.append(_parse_rule(text, known_operations))
        except ValueError as err:
            raise ValueError(f"fault rule {text!r}: {err}") from None
    return tuple(rules)


def _parse_rule(text: str, known_operations: Sequence[str]) -> Rule:
    operations_text, sep, rest = text.partition(":")
    if not sep:
        raise ValueError("expected OPERATIONS:ACTION[@WHEN]")
    operations: frozenset[str] | None = None
    if operations_text.strip() != "*":
        operations = frozenset(name.strip() for name in operations_text.split(",") if name.strip())
        unknown = sorted(operations - set(known_operations)) if known_operations else []
        if not operations or unknown:
            raise ValueError(f"unknown operation(s) {unknown or operations_text!r}")
    action_text, _, when = rest.partition("@")
    action_name, _, argument = action_text.strip().partition("=")
    try:
        action = Action(action_name)
    except ValueError:
        choices = ", ".join(a.value for a in Action)
        raise ValueError(f"unknown action {action_name!r} (one of {choices})") from None
    delay = 0.0
    if action is Action.DELAY:
        delay = _number(argument, "delay", float)
    elif argument:
        raise ValueError(f"{action.value} takes no argument")
    options: dict[str, float | int] = {}
    if when:
        key, _, value = when.partition("=")
        if key == "p":
            options["probability"] = _number(value, "p", float)
        elif key in ("nth", "every"):
            options[key] = _number(value, key, int)
        else:
            raise ValueError(f"unknown condition {when!r} (p=, nth= or every=)")
    return Rule(operations, action, delay, **options)  # type: ignore[arg-type]


def _number(text: str, name: str, kind: type[float] | type[int]) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{name} needs a number, not {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} needs a finite number, not {text!r}")
    return value


def parse_throttle(value: str) -> Throttle:
    """``aws``, or ``aws:SCALE`` (every bucket times SCALE > 0), as a :class:`Throttle`.

    >>> parse_throttle("aws:0.5").scale
    0.5
    """
    name, sep, scale_text = value.partition(":")
    if name.strip() != "aws":
        raise ValueError(f"unknown throttle {value!r}: expected aws or aws:SCALE")
    scale = _number(scale_text.strip(), "the throttle's scale", float) if sep else 1.0
    if not scale > 0:
        raise ValueError(f"the throttle's scale must be above 0, not {scale_text!r}")
    return Throttle(scale)


class FaultPlan:
    """Decides, request by request, which fault (if any) each gets.

    Args:
        rules: from :func:`parse_faults`; the first rule that fires wins.
        seed: seeds the draws of ``p=`` rules.
        throttle: SWF's rate limits (``--throttle aws``), checked before the rules.
    """

    def __init__(self, rules: Sequence[Rule] = (), *, seed: int = 0, throttle: Throttle | None = None):
        self._rules = tuple(rules)
        self._random = random.Random(seed)
        self._seen = [0] * len(self._rules)
        self._throttle = throttle
        self._lock = threading.Lock()  # requests arrive on many threads; draws stay reproducible

    def decide(self, operation: str, now: float, request: Mapping[str, Any] | None = None) -> Fault | None:
        """The fault for this request, or None to answer it normally.

        ``request`` (the validated request) lets the throttle find the execution it names.
        """
        with self._lock:
            if self._throttle is not None and not self._throttle.allows(operation, request or {}, now):
                return Fault(Action.THROTTLE)
            chosen: Fault | None = None
            for index, rule in enumerate(self._rules):
                if not rule.matches(operation):
                    continue
                self._seen[index] += 1
                if chosen is None and self._fires(rule, self._seen[index]):
                    chosen = Fault(rule.action, rule.delay)
            return chosen

    def _fires(self, rule: Rule, seen: int) -> bool:
        if rule.nth is not None:
            return seen == rule.nth
        if rule.every is not None:
            return seen % rule.every == 0
        if rule.probability is not None:
            return self._random.random() < rule.probability
        return True
