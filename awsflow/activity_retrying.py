"""botoflow's ``@retry_activity`` policy: retrying activities from the workflow, attempts separated
by durable SWF timers.

The parameters are those of the ``retrying`` library that botoflow wrapped, in seconds. Random
waits are drawn from a hash of the run id and attempt number, not from ``random``: workflow code
must make the same choice on every replay (botoflow used ``random`` here, which broke replay).

A :class:`Retrying` is a policy only: the decider's one retry loop runs it, as it runs a
:class:`~awsflow.retry_policy.RetryPolicy` (the newer way: attempts named in the history, child
workflows too), asking :meth:`Retrying.retry_delay` after each attempt. What differs is how the
history names them (see :mod:`awsflow.decider._retrying`): botoflow's attempts and timers take
plain ids from the decider's counter ("1", "2", ...), time is counted in whole seconds, and every
wait between two attempts is a timer, a zero wait too (``startToFireTimeout`` "0"; SWF fires it
at once), so histories botoflow 0.8 wrote keep replaying.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

from .exceptions import ActivityTaskFailedError, AwsflowError

__all__ = ["RetryError", "Retrying", "retry_on_exception"]


class RetryError(AwsflowError):
    """Retries stopped; ``last_attempt`` holds the last outcome (with ``wrap_exception``)."""

    def __init__(self, last_attempt: Any) -> None:
        super().__init__(
            f"Retries stopped after attempt {last_attempt.attempt_number}: {last_attempt.value!r}"
        )
        self.last_attempt = last_attempt


class Attempt:
    """The outcome of one attempt."""

    def __init__(self, value: Any, attempt_number: int, has_exception: bool) -> None:
        self.value = value
        self.attempt_number = attempt_number
        self.has_exception = has_exception


def retry_on_exception(*args: type[BaseException]) -> Callable[[BaseException], bool]:
    """A predicate retrying on these exception types, looking inside ActivityTaskFailedError."""

    def should_retry(error: BaseException) -> bool:
        if isinstance(error, ActivityTaskFailedError):
            return isinstance(error.cause, args)
        return isinstance(error, args)

    return should_retry


class Retrying:
    """A retry policy (stop rule, wait rule, what to retry on) applied to activity calls."""

    def __init__(
        self,
        stop_max_attempt_number: int | None = None,
        stop_max_delay: float | None = None,
        wait_fixed: float | None = None,
        wait_random_min: float | None = None,
        wait_random_max: float | None = None,
        wait_incrementing_start: float | None = None,
        wait_incrementing_increment: float | None = None,
        wait_exponential_multiplier: float | None = None,
        wait_exponential_max: float | None = None,
        retry_on_exception: Callable[[BaseException], bool] | None = None,
        retry_on_result: Callable[[Any], bool] | None = None,
        wrap_exception: bool = False,
        stop_func: Callable[[int, int], bool] | None = None,
        wait_func: Callable[[int, int], float] | None = None,
    ) -> None:
        self._stop_max_attempt_number = stop_max_attempt_number
        self._stop_max_delay = stop_max_delay
        self._stop_func = stop_func
        self._wait_fixed = wait_fixed
        self._wait_random = (wait_random_min, wait_random_max)
        self._wait_incrementing = (wait_incrementing_start, wait_incrementing_increment)
        self._wait_exponential = (wait_exponential_multiplier, wait_exponential_max)
        self._wait_func = wait_func
        self._retry_on_exception = retry_on_exception or (lambda error: True)
        self._retry_on_result = retry_on_result or (lambda result: False)
        self._wrap_exception = wrap_exception

    def stop(self, attempt_number: int, seconds_since_first: float) -> bool:
        """True when no further attempt should be made."""
        if self._stop_func is not None:
            return self._stop_func(attempt_number, int(seconds_since_first * 1000))
        if self._stop_max_attempt_number is not None and attempt_number >= self._stop_max_attempt_number:
            return True
        return self._stop_max_delay is not None and seconds_since_first >= self._stop_max_delay

    def wait(self, attempt_number: int, seconds_since_first: float, salt: str) -> float:
        """Seconds to wait before the next attempt (0: a timer of 0 s)."""
        if self._wait_func is not None:
            return float(self._wait_func(attempt_number, int(seconds_since_first * 1000))) / 1000.0
        if self._wait_fixed is not None:
            return self._wait_fixed
        low, high = self._wait_random
        if low is not None or high is not None:
            low, high = low or 0.0, high if high is not None else 1.0
            digest = hashlib.sha256(f"{salt}:{attempt_number}".encode()).digest()
            return low + (high - low) * (int.from_bytes(digest[:8], "big") / 2**64)
        start, increment = self._wait_incrementing
        if start is not None or increment is not None:
            return max(
                0.0, (start or 0.0) + (increment if increment is not None else 1.0) * (attempt_number - 1)
            )
        multiplier, maximum = self._wait_exponential
        if multiplier is not None or maximum is not None:
            wait = float(multiplier if multiplier is not None else 1.0) * float(2**attempt_number)
            return min(wait, maximum) if maximum is not None else wait
        return 0.0

    def should_reject(self, attempt: Attempt) -> bool:
        if attempt.has_exception:
            return bool(self._retry_on_exception(attempt.value))
        return bool(self._retry_on_result(attempt.value))

    def retry_delay(
        self, attempt_number: int, value: Any, error: BaseException | None, elapsed: float, salt: str
    ) -> float | None:
        """What attempt ``attempt_number``'s outcome means: seconds to wait before the next attempt,
        or None when the outcome stands (the value is returned, the error raised).

        ``elapsed`` is the workflow time since the first attempt, ``salt`` picks random waits.

        Raises:
            RetryError: the policy stopped on a rejected result, or on an error with
                ``wrap_exception``.
        """
        attempt = Attempt(error if error is not None else value, attempt_number, error is not None)
        if not self.should_reject(attempt):
            return None
        if self.stop(attempt_number, elapsed):
            if attempt.has_exception and not self._wrap_exception:
                return None
            raise RetryError(attempt)
        return math.ceil(self.wait(attempt_number, elapsed, salt))
