"""Retry policies for activities and child workflows: which failures to retry, and how long to wait.

A :class:`RetryPolicy` is a value. Where it is set, the innermost wins:

1. ``with activity_options(retry_policy=...)`` / ``with workflow_options(retry_policy=...)``
   around a call: the per-call form (blocks nest; ``retry_policy=None`` turns retries off);
2. ``@activity(retry_policy=...)``, else ``@activities(retry_policy=...)`` on the class, or
   ``@execute(retry_policy=...)`` for a workflow started as a child.

The decider's retry loop runs it in workflow code, on the deterministic scheduler (see
:mod:`awsflow.decider._retrying`), so everything it does is in the history and replays:

- each attempt is its own ``ScheduleActivityTask`` (or ``StartChildWorkflowExecution``) whose id
  names the attempt: ``"<n>-attempt-<k>"`` for an activity whose call got the id ``n``; a child's
  workflow id gets the same ``-attempt-<k>`` suffix (SWF refuses ``:`` ``/`` ``|`` in ids);
- the wait before attempt ``k`` is an SWF timer ``"<n>-backoff-<k>"``, so a decider that
  crashes mid-backoff resumes from the history, and the timer fires on schedule;
- jitter comes from a hash of the run id and the call's id, never from ``random``;
- expiration is measured on workflow time (``workflow_time.time()``).

What may be retried: an activity that failed (:class:`~awsflow.exceptions.ActivityTaskFailedError`,
whose ``cause`` is the exception the activity raised) or timed out
(:class:`~awsflow.exceptions.ActivityTaskTimedOutError`); for child workflows,
:class:`~awsflow.exceptions.ChildWorkflowFailedError` (its ``cause`` is the child's exception) and
:class:`~awsflow.exceptions.ChildWorkflowTimedOutError`. Never retried: SWF refusing the decision
(``ScheduleActivityTaskFailedError``, ``StartChildWorkflowExecutionFailedError``: a
configuration error that a retry would repeat), cancellation, and a terminated child.

Two lists narrow that down, as AWS Flow for Java's ``ExponentialRetryPolicy`` does with
``exceptionsToRetry`` and ``exceptionsToExclude``. A failure *matches* a list when the failure
itself or its ``cause`` is an instance of a class in it, so a list may name the activity's own
exceptions or awsflow's failure classes:

- ``retryable`` (allow-list; ``None``, the default, allows every failure above): only matching
  failures are retried. ``retryable=(ConnectionError, ActivityTaskTimedOutError)`` retries
  connection errors and timeouts, and gives up at once on anything else.
- ``non_retryable`` (deny-list): matching failures are not retried. It wins over ``retryable``:
  ``retryable=(OSError,), non_retryable=(FileNotFoundError,)`` retries every OSError but that
  one. ``non_retryable=(ActivityTaskTimedOutError,)`` alone retries failures but not timeouts.

When the policy gives up, the workflow sees the last attempt's error, with ``error.attempts``
set to the number of attempts made.

A retried call runs as a task of the workflow (like a ``@coroutine``): the workflow does not
close while its retries go on, and a final failure nobody waits for fails the workflow rather
than vanishing.

.. versionadded:: 0.1
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

from .core.exceptions import CancelledError
from .exceptions import (
    ActivityTaskFailedError,
    ActivityTaskTimedOutError,
    ChildWorkflowFailedError,
    ChildWorkflowTerminatedError,
    ChildWorkflowTimedOutError,
    ScheduleActivityTaskFailedError,
    StartChildWorkflowExecutionFailedError,
)

__all__ = ["RetryPolicy"]

# Failures a policy may retry; everything else (cancellation, SWF refusing a decision, a
# terminated child) is raised at once.
_RETRYABLE = (
    ActivityTaskFailedError,
    ActivityTaskTimedOutError,
    ChildWorkflowFailedError,
    ChildWorkflowTimedOutError,
)
# Failures no policy retries, so an allow-list naming one is a mistake worth a clear error.
_NEVER_RETRIED = (
    CancelledError,
    ScheduleActivityTaskFailedError,
    StartChildWorkflowExecutionFailedError,
    ChildWorkflowTerminatedError,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How to retry a failed activity or child workflow (see the module docstring).

    Args:
        initial_interval: seconds to wait before the second attempt (0: retry at once, no timer).
        backoff_coefficient: each later wait is the previous one times this (>= 1).
        maximum_interval: no wait is longer (seconds); ``None`` means 100 x ``initial_interval``
            (Temporal's default), so an unlimited policy never waits absurdly long.
        maximum_attempts: attempts in all, the first included; 0 means unlimited.
        expiration: seconds of workflow time after the first attempt started beyond which no
            new attempt starts (``None``: no limit). The attempt running then is not cut short:
            give the activity its own timeouts for that.
        non_retryable: exception classes that are not retried: the activity's (or child's)
            exception, or one of awsflow's failure classes. Wins over ``retryable``.
        retryable: if given, only failures matching one of these exception classes are retried
            (an allow-list, like Java Flow's ``exceptionsToRetry``; ``None`` allows all). It
            must not be empty, and must not name a failure awsflow never retries
            (cancellation, SWF refusing a decision, a terminated child).
        jitter: a fraction in [0, 1): each wait is shortened by a deterministic pseudo-random
            share of at most this much, so many executions failing together do not retry in
            lockstep (0: exact waits).

    SWF timers count whole seconds: waits are rounded up.

    Raises:
        ValueError: a value out of range (the message says which and why).

    Example::

        @activities(start_to_close_timeout=60, schedule_to_start_timeout=60)
        class Billing:
            @activity("1.0", retry_policy=RetryPolicy(initial_interval=5, maximum_attempts=4))
            def charge(self, amount): ...
    """

    initial_interval: float
    backoff_coefficient: float = 2.0
    maximum_interval: float | None = None
    maximum_attempts: int = 0
    expiration: float | None = None
    non_retryable: tuple[type[BaseException], ...] = ()
    jitter: float = 0.0
    retryable: tuple[type[BaseException], ...] | None = None

    def __post_init__(self) -> None:
        if not _number(self.initial_interval) or self.initial_interval < 0:
            raise ValueError(
                f"RetryPolicy.initial_interval must be seconds >= 0, not {self.initial_interval!r}"
            )
        if not _number(self.backoff_coefficient) or self.backoff_coefficient < 1:
            raise ValueError(
                f"RetryPolicy.backoff_coefficient must be a number >= 1, not {self.backoff_coefficient!r}"
            )
        if self.maximum_interval is not None and (
            not _number(self.maximum_interval) or self.maximum_interval < self.initial_interval
        ):
            raise ValueError(
                f"RetryPolicy.maximum_interval must be seconds >= initial_interval "
                f"({self.initial_interval}), not {self.maximum_interval!r}"
            )
        if isinstance(self.maximum_attempts, bool) or not isinstance(self.maximum_attempts, int):
            raise ValueError(f"RetryPolicy.maximum_attempts must be an int, not {self.maximum_attempts!r}")
        if self.maximum_attempts < 0:
            raise ValueError(
                f"RetryPolicy.maximum_attempts must be >= 0 (0: unlimited), not {self.maximum_attempts}"
            )
        if self.expiration is not None and (not _number(self.expiration) or self.expiration <= 0):
            raise ValueError(f"RetryPolicy.expiration must be seconds > 0 or None, not {self.expiration!r}")
        if not _number(self.jitter) or not 0 <= self.jitter < 1:
            raise ValueError(f"RetryPolicy.jitter must be a fraction in [0, 1), not {self.jitter!r}")
        # Lists given are kept as tuples: the policy stays a hashable value.
        object.__setattr__(self, "non_retryable", _exception_classes("non_retryable", self.non_retryable))
        if self.retryable is not None:
            allowed = _exception_classes("retryable", self.retryable)
            if not allowed:
                raise ValueError(
                    "RetryPolicy.retryable=() would retry nothing: leave it None to retry every "
                    "failure, or set maximum_attempts=1 to turn retries off"
                )
            for cls in allowed:
                if issubclass(cls, _NEVER_RETRIED):
                    raise ValueError(
                        f"RetryPolicy.retryable names {cls.__name__}, which is never retried "
                        "(cancellation, SWF refusing the decision, a terminated child): a retry "
                        "would repeat it or undo the cancel"
                    )
            object.__setattr__(self, "retryable", allowed)

    def is_retryable(self, error: BaseException) -> bool:
        """Whether this failure may be retried (ignoring attempts and time: see :meth:`next_delay`).

        >>> policy = RetryPolicy(initial_interval=1, retryable=(OSError,), non_retryable=(FileNotFoundError,))
        >>> failed = lambda cause: ActivityTaskFailedError(5, None, "1-attempt-1", cause)
        >>> [policy.is_retryable(failed(error)) for error in (TimeoutError(), FileNotFoundError(), KeyError())]
        [True, False, False]
        """
        if not isinstance(error, _RETRYABLE) or _matches(error, self.non_retryable):
            return False
        return self.retryable is None or _matches(error, self.retryable)

    def backoff(self, attempt: int, salt: str = "") -> int:
        """Whole seconds to wait after attempt ``attempt`` (1 for the first) failed.

        ``salt`` picks the jitter (the same salt and attempt give the same wait on every replay).

        >>> policy = RetryPolicy(initial_interval=2, backoff_coefficient=3, maximum_interval=30)
        >>> [policy.backoff(attempt) for attempt in (1, 2, 3, 4)]
        [2, 6, 18, 30]
        """
        if attempt < 1:
            raise ValueError(f"attempts are numbered from 1, not {attempt}")
        cap = self.maximum_interval if self.maximum_interval is not None else 100 * self.initial_interval
        # The exponent is bounded so a long unlimited retry does not overflow a float.
        wait = min(cap, self.initial_interval * self.backoff_coefficient ** min(attempt - 1, 1000))
        if self.jitter:
            wait *= 1 - self.jitter * _fraction(f"{salt}|{attempt}")
        return math.ceil(wait)

    def next_delay(self, attempt: int, error: BaseException, elapsed: float, salt: str = "") -> int | None:
        """Seconds to wait before retrying after attempt ``attempt`` failed with ``error``; None: give up.

        ``elapsed`` is the workflow time (seconds) since the first attempt started.
        """
        if not self.is_retryable(error):
            return None
        if self.maximum_attempts and attempt >= self.maximum_attempts:
            return None
        delay = self.backoff(attempt, salt)
        if self.expiration is not None and elapsed + delay >= self.expiration:
            return None
        return delay

    def retry_delay(
        self, attempt: int, value: Any, error: BaseException | None, elapsed: float, salt: str
    ) -> int | None:
        """What attempt ``attempt``'s outcome means to the retry loop: seconds to wait before the
        next attempt, or None when the outcome stands (a value is returned, an error raised).

        A giving-up error gets ``error.attempts``, the number of attempts made.
        """
        if error is None:
            return None
        delay = self.next_delay(attempt, error, elapsed, salt)
        if delay is None:
            error.attempts = attempt  # type: ignore[attr-defined]
        return delay


def _matches(error: BaseException, classes: tuple[type[BaseException], ...]) -> bool:
    """The failure, or the exception it carries as ``cause``, is one of ``classes``."""
    return isinstance(error, classes) or isinstance(getattr(error, "cause", None), classes)


def _exception_classes(field: str, value: Any) -> tuple[type[BaseException], ...]:
    items = (value,) if isinstance(value, type) else value
    try:
        classes: tuple[Any, ...] = tuple(items)
    except TypeError:
        raise ValueError(f"RetryPolicy.{field} must be exception classes, not {value!r}") from None
    for cls in classes:
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            raise ValueError(f"RetryPolicy.{field} must hold exception classes, not {cls!r}")
    return classes


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fraction(text: str) -> float:
    """A number in [0, 1) drawn from ``text``: the same on every replay, unlike ``random``."""
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
