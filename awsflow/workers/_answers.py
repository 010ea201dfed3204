"""Delivering a task's answer: retried for as long as SWF may still take it.

A worker that has done a task's work must not lose the result to a passing outage — a
service restart, a dropped connection, throttling — or the task runs again after its timeout.
So an answer (``RespondActivityTaskCompleted``/``Failed``/``Canceled``,
``RespondDecisionTaskCompleted``) is retried with capped, jittered backoff until one of:

- SWF takes it: **delivered**;
- SWF says it no longer knows the task token (``UnknownResourceFault``). If an earlier attempt
  broke off in transit (the connection failed, or the service failed, after the request may
  have been committed — ``--faults drop`` does exactly this), or botocore itself retried the
  call before giving this answer (a client configured with retries does so on a closed
  connection), that attempt was most likely recorded: **probably delivered**, logged at INFO. Otherwise the task timed out or was closed
  meanwhile: **gone**, logged at WARNING. Neither is an error of the worker;
- the task token cannot be valid any more: its deadline (the task's start-to-close timeout, as
  far as the worker knows it, from when it took the task) has passed: **given up**, logged at
  ERROR — SWF times the task out and the work is retried as the workflow decides;
- the worker is told to hurry (a second stop signal, or its shutdown grace is over): **given up**;
- SWF refuses the answer itself (a ``ValidationException``, say): **given up**, at ERROR.

While the service is unreachable or failing, attempts come at most :data:`PROBE_INTERVAL` apart,
so an answer goes through within about that long of the service answering again; throttling
backs off further (up to ``_backoff.MAX_DELAY``), never past the deadline. The waits end early
when the worker stops (the next attempt is made at once); after the stop they go on until the
deadline, unless the worker hurries.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..swf_exceptions import UnknownResourceError
from ._backoff import backoff_delay
from ._service_health import Trouble, classify

logger = logging.getLogger(__name__)

PROBE_INTERVAL = 1.0  # the longest wait between attempts while the service is unreachable
VALIDITY_FLOOR = 60.0  # tokens are assumed valid at least this long (per-call timeout overrides)
VALIDITY_CAP = 3600.0  # and retried at most this long ("NONE" timeouts included)


class Delivery(str, enum.Enum):
    DELIVERED = "delivered"
    PROBABLY_DELIVERED = "probably delivered"
    GONE = "gone"
    GIVEN_UP = "given up"

    @property
    def taken(self) -> bool:
        """Whether SWF (most likely) recorded the answer."""
        return self in (Delivery.DELIVERED, Delivery.PROBABLY_DELIVERED)


def validity(*timeouts: int | float | str | None, floor: float = VALIDITY_FLOOR) -> float:
    """Seconds a task token may stay valid, from timeouts in SWF's form (seconds, "NONE", None).

    The longest one counts (the worker may not know which applies); "NONE" or none at all means
    :data:`VALIDITY_CAP`; the result is kept between ``floor`` and the cap.

    >>> validity("300", 30), validity("NONE"), validity(5, floor=0), validity()
    (300.0, 3600.0, 5.0, 3600.0)
    """
    known = [t for t in timeouts if t is not None]
    if not known or any(str(t).strip().upper() == "NONE" for t in known):
        return VALIDITY_CAP
    seconds = max(float(t) for t in known)
    return min(VALIDITY_CAP, max(floor, seconds))


def _retried_by_botocore(error: UnknownResourceError) -> bool:
    metadata = (error.response or {}).get("ResponseMetadata", {})
    return bool(metadata.get("RetryAttempts", 0))


@dataclass(frozen=True, slots=True)
class Stopping:
    """The worker's two stop events: ``stopping`` (stop polling) and ``hurry`` (give up answers)."""

    stopping: threading.Event
    hurry: threading.Event
    give_up: Callable[[], bool] = lambda: False


def deliver(
    send: Callable[[], object],
    *,
    operation: str,
    what: str,
    deadline: float,
    stop: Stopping,
    clock: Callable[[], float] = time.monotonic,
) -> Delivery:
    """Call ``send`` until the answer is delivered or cannot be (see the module docstring).

    Args:
        send: sends the answer once; raises what the client raises.
        operation: the answer's SWF operation (for the log).
        what: names the task in the log ("activity Charge (id 3)").
        deadline: on ``clock``, when the task token surely is no longer valid.
        stop: the worker's stop events.
        clock: monotonic seconds.
    """
    attempt, in_doubt, began = 0, False, clock()
    while True:
        attempt += 1
        try:
            send()
            return Delivery.DELIVERED
        except UnknownResourceError as gone:
            if in_doubt or _retried_by_botocore(gone):
                logger.info(
                    "%s: %s was most likely recorded by an earlier attempt that failed in transit "
                    "(SWF no longer knows the task: %s)",
                    what,
                    operation,
                    gone.message,
                )
                return Delivery.PROBABLY_DELIVERED
            logger.warning(
                "%s: SWF no longer has the task (it timed out, or was closed): %s", what, gone.message
            )
            return Delivery.GONE
        except Exception as error:  # classified below: only service trouble is retried
            trouble = classify(error)
            if trouble is None:
                logger.error("%s: SWF refused %s; the task will time out: %r", what, operation, error)
                return Delivery.GIVEN_UP
            in_doubt = in_doubt or trouble is not Trouble.THROTTLED
            cap = None if trouble is Trouble.THROTTLED else PROBE_INTERVAL
            now = clock()
            if now >= deadline or stop.hurry.is_set() or stop.give_up():
                logger.error(
                    "%s: %s not delivered after %d attempt(s) over %.1f s (%r); the task token may no "
                    "longer be valid and SWF will time the task out",
                    what,
                    operation,
                    attempt,
                    now - began,
                    error,
                )
                return Delivery.GIVEN_UP
            delay = min(backoff_delay(attempt, cap=cap), deadline - now)
        (stop.hurry if stop.stopping.is_set() else stop.stopping).wait(delay)
