"""Fault injection: which requests awsflow.local answers wrongly on purpose, and how.

Real SWF throttles, fails, is slow, and loses connections; code that talks to it must survive
all of that, and a test can only prove it if the service misbehaves on demand, reproducibly.
``python -m awsflow.local --faults SPEC [--faults-seed N] [--throttle aws[:SCALE]]`` and
``LocalSWF(faults=SPEC, faults_seed=N, throttle="aws")`` turn it on.

Grammar (spaces around the separators are ignored)::

    SPEC      := RULE (";" RULE)*
    RULE      := ACTION ":" OPERATIONS [":" TRIGGER]
    ACTION    := "throttle" | "500" | "503" | "delay=" SECONDS | "drop" | "lose"
    OPERATIONS:= PATTERN ("," PATTERN)*     an SWF operation name; "*" and "?" glob: Respond*
    TRIGGER   := "p=" PROBABILITY           each matching call, with this seeded probability
               | "nth=" N                   the Nth matching call only (1 is the first)
               | "every=" N                 every Nth matching call (N, 2N, ...)
                                            (no trigger: every matching call)

Actions, and whether the request's change happens:

=============  ===================================================================  =========
``throttle``   answer HTTP 400 ``ThrottlingException`` "Rate exceeded"                  no
``500``        answer HTTP 500 ``InternalFailure``                                      no
``503``        answer HTTP 503 ``ServiceUnavailableException``                          no
``delay=S``    answer S seconds (wall time) late                                        yes
``drop``       close the connection without an answer: the client sees a               yes
               connection error though the change was committed
``lose``       polls only: a poll that took a task has its answer dropped — the task   yes
               is started and never delivered, so it must time out on SWF's timeout
=============  ===================================================================  =========

Counting: a rule counts the calls it could act on — for ``throttle``, ``500``, ``503`` every
call of its operations; for ``delay`` and ``drop`` those that were carried out (a call an
earlier rule refused never gets that far); for ``lose`` the polls that took a task. Rules are
tried in order; the first that fires decides, and the rules after it do not see that call. Each rule draws from its own generator, seeded
from ``faults_seed`` and the rule's position, so the same calls in the same order meet the same
faults on every run.

``--throttle aws`` adds SWF's documented rate limits (``awsflow.local._throttle``) in front of the
rules; ``aws:0.01`` scales every bucket by 0.01, so a test meets them within a few calls.

Example: ``throttle:PollFor*:p=0.2; drop:RespondActivityTaskCompleted:nth=1; lose:PollForActivityTask:nth=2``.

Nothing here does I/O, reads a clock or takes a lock (``now`` is passed in); the HTTP front calls
it under a lock of its own.
"""

from __future__ import annotations

import enum
import fnmatch
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ._model import operation_names
from ._throttle import Throttle
from .engine import (
    POLL_OPERATIONS,
    InternalFailure,
    ServiceUnavailableException,
    SwfFault,
    ThrottlingException,
)

__all__ = [
    "Action",
    "Delay",
    "Drop",
    "FaultInjector",
    "FaultPlan",
    "FaultRule",
    "FaultSpecError",
    "Trigger",
    "parse_throttle",
]

MAX_DELAY = 3600.0
_T = TypeVar("_T")


class FaultSpecError(ValueError):
    """A ``--faults`` or ``--throttle`` value that does not follow the grammar."""


class Action(str, enum.Enum):
    THROTTLE = "throttle"
    ERROR_500 = "500"
    ERROR_503 = "503"
    DELAY = "delay"
    DROP = "drop"
    LOSE = "lose"


_REFUSALS = (Action.THROTTLE, Action.ERROR_500, Action.ERROR_503)


@dataclass(frozen=True, slots=True)
class Trigger:
    """When a rule fires among the calls it counts: with probability ``p``, on call ``nth``, or every ``every``."""

    p: float | None = None
    nth: int | None = None
    every: int | None = None

    def __post_init__(self) -> None:
        given = [value for value in (self.p, self.nth, self.every) if value is not None]
        if len(given) > 1:
            raise FaultSpecError("a rule takes one trigger: p=, nth= or every=")
        if self.p is not None and not 0.0 <= self.p <= 1.0:
            raise FaultSpecError(f"p= must be a probability from 0 to 1, not {self.p}")
        for name in ("nth", "every"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise FaultSpecError(f"{name}= must be 1 or more, not {value}")

    def fires(self, count: int, rng: random.Random) -> bool:
        """Whether the ``count``-th counted call (1-based) meets the fault."""
        if self.nth is not None:
            return count == self.nth
        if self.every is not None:
            return count % self.every == 0
        if self.p is not None:
            return rng.random() < self.p
        return True


@dataclass(frozen=True, slots=True)
class FaultRule:
    """One rule: ``action`` on the calls of ``operations`` (glob patterns) that ``trigger`` picks."""

    action: Action
    operations: tuple[str, ...]
    trigger: Trigger = Trigger()
    delay: float = 0.0

    def __post_init__(self) -> None:
        if not self.operations:
            raise FaultSpecError("a rule names at least one operation (or *)")
        known = operation_names()
        for pattern in self.operations:
            if not fnmatch.filter(known, pattern):
                raise FaultSpecError(f"{pattern!r} matches no SWF operation")
        if self.action is Action.LOSE and not any(
            fnmatch.filter(POLL_OPERATIONS, p) for p in self.operations
        ):
            raise FaultSpecError(
                "lose applies to polls only: name PollForActivityTask or PollForDecisionTask"
            )
        if self.action is Action.DELAY and not 0.0 < self.delay <= MAX_DELAY:
            raise FaultSpecError(f"delay= takes seconds above 0 and at most {MAX_DELAY:g}, not {self.delay}")

    def matches(self, operation: str) -> bool:
        if self.action is Action.LOSE and operation not in POLL_OPERATIONS:
            return False
        return any(fnmatch.fnmatchcase(operation, pattern) for pattern in self.operations)


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """A parsed ``--faults`` value: its rules, in order."""

    rules: tuple[FaultRule, ...]

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """Parse the grammar in the module docstring; FaultSpecError says what is wrong, and where.

        >>> FaultPlan.parse("throttle:PollFor*:p=0.5; delay=1.5:StartWorkflowExecution").rules[1].delay
        1.5
        """
        rules = []
        for number, text in enumerate(part.strip() for part in spec.split(";")):
            if not text:
                continue
            try:
                rules.append(_parse_rule(text))
            except FaultSpecError as error:
                raise FaultSpecError(f"fault rule {number + 1} ({text!r}): {error}") from None
        return cls(tuple(rules))


def _parse_rule(text: str) -> FaultRule:
    fields = [field.strip() for field in text.split(":")]
    if len(fields) not in (2, 3):
        raise FaultSpecError("expected ACTION:OPERATIONS[:TRIGGER]")
    action_text, operations_text = fields[0], fields[1]
    name, _, argument = action_text.partition("=")
    try:
        action = Action(name.strip())
    except ValueError:
        raise FaultSpecError(
            f"unknown action {name!r}; expected throttle, 500, 503, delay=SECONDS, drop or lose"
        ) from None
    delay = 0.0
    if action is Action.DELAY:
        delay = _number(argument, "delay=", float)
    elif argument:
        raise FaultSpecError(f"{action.value} takes no argument")
    operations = tuple(op.strip() for op in operations_text.split(",") if op.strip())
    trigger = _parse_trigger(fields[2]) if len(fields) == 3 else Trigger()
    return FaultRule(action, operations, trigger, delay)


def _parse_trigger(text: str) -> Trigger:
    name, sep, value = (part.strip() for part in text.partition("="))
    if not sep:
        raise FaultSpecError(f"expected p=, nth= or every=, not {text!r}")
    if name == "p":
        return Trigger(p=_number(value, "p=", float))
    if name in ("nth", "every"):
        return Trigger(**{name: _number(value, f"{name}=", int)})
    raise FaultSpecError(f"unknown trigger {name!r}; expected p=, nth= or every=")


def _number(text: str, what: str, kind: type[float] | type[int]) -> Any:
    # ASCII digits only: int() and float() also take "²"-like digits and "nan".
    allowed = set("0123456789" + (".eE+-" if kind is float else ""))
    if not text or not set(text) <= allowed:
        raise FaultSpecError(f"{what} needs a number, not {text!r}")
    try:
        return kind(text)
    except ValueError:
        raise FaultSpecError(f"{what} needs a number, not {text!r}") from None


def parse_throttle(value: str) -> Throttle:
    """``aws`` or ``aws:SCALE`` (SCALE > 0 multiplies every bucket) into a :class:`Throttle`."""
    name, sep, scale_text = (part.strip() for part in value.partition(":"))
    if name != "aws":
        raise FaultSpecError(f"unknown throttle {name!r}; expected aws or aws:SCALE")
    scale = _number(scale_text, "the scale", float) if sep else 1.0
    if not scale > 0:
        raise FaultSpecError(f"the scale must be positive, not {scale_text!r}")
    return Throttle(scale)


@dataclass(frozen=True, slots=True)
class Delay:
    """Answer ``seconds`` late."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Drop:
    """Close the connection without answering (the request's change is committed)."""

    rule: str


class FaultInjector:
    """The running state of a plan: per-rule counters and generators, and the throttle's buckets.

    Args:
        plan: the rules (None or empty: none).
        seed: seeds each rule's generator.
        throttle: SWF's rate limits, tried before the rules (None: no limits).
    """

    def __init__(
        self, plan: FaultPlan | None = None, *, seed: int = 0, throttle: Throttle | None = None
    ) -> None:
        self.plan = plan if plan is not None else FaultPlan(())
        self.throttle = throttle
        self._counts = [0] * len(self.plan.rules)
        self._rngs = [random.Random(f"awsflow.local faults {seed} {n}") for n in range(len(self.plan.rules))]
        self.injected: dict[str, int] = {}

    def before(self, operation: str, request: Mapping[str, Any], now: float) -> SwfFault | None:
        """The fault to answer instead of carrying out the request, if any."""
        if self.throttle is not None and not self.throttle.allows(operation, request, now):
            return self._count("throttle (aws limits)", ThrottlingException("Rate exceeded"))
        index = self._firing(operation, _REFUSALS)
        if index is not None:
            action = self.plan.rules[index].action
            if action is Action.THROTTLE:
                return self._count("throttle", ThrottlingException("Rate exceeded"))
            if action is Action.ERROR_500:
                return self._count("500", InternalFailure("Internal failure (injected)"))
            return self._count("503", ServiceUnavailableException("Service unavailable (injected)"))
        return None

    def after(self, operation: str, response: Mapping[str, Any] | None) -> Delay | Drop | None:
        """What to do with the answer of a request that was carried out, if anything."""
        took_task = operation in POLL_OPERATIONS and bool((response or {}).get("taskToken"))
        index = self._firing(operation, (Action.DELAY, Action.DROP, Action.LOSE), took_task=took_task)
        if index is not None:
            rule = self.plan.rules[index]
            if rule.action is Action.DELAY:
                return self._count("delay", Delay(rule.delay))
            return self._count(rule.action.value, Drop(rule.action.value))
        return None

    def _firing(self, operation: str, actions: Sequence[Action], *, took_task: bool = False) -> int | None:
        """Count the call in the rules of ``actions`` that see it, up to the first that fires (its index)."""
        for index, rule in enumerate(self.plan.rules):
            if rule.action not in actions or not rule.matches(operation):
                continue
            if rule.action is Action.LOSE and not took_task:
                continue
            self._counts[index] += 1
            if rule.trigger.fires(self._counts[index], self._rngs[index]):
                return index
        return None

    def _count(self, what: str, outcome: _T) -> _T:
        self.injected[what] = self.injected.get(what, 0) + 1
        return outcome
