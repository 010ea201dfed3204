"""Telling trouble with the service from a failed call, and logging each spell of it once.

A worker talks to SWF all the time — a long poll after another, an answer per task — so when
the service is unreachable (a restart, a network blip) or refuses for a while (throttling, HTTP
5xx), every call fails the same way, and logging each failure buries the one fact that matters.
:class:`ServiceHealth` turns them into a story of two lines: one WARNING when the trouble starts
(what failed and how), one INFO when the service answers again (after how long, how many calls
failed meanwhile); the failures in between go to DEBUG. Callers still retry every one of them
(polls by backing off and polling again, answers by ``_answers``).

What counts as trouble (:func:`classify`):

- *unreachable*: the call never got an answer — botocore's connection errors and timeouts
  (``HTTPClientError``, ``ConnectionError``) and the socket errors of the workers' own poll
  transport (``OSError``, ``http.client.HTTPException``). An answer may or may not have been
  committed before the connection broke.
- *failing*: the service answered HTTP 5xx (``InternalFailure``, ``ServiceUnavailable``...),
  nothing was done.
- *throttled*: ``ThrottlingException`` (or another throttling code), nothing was done.

Anything else (a fault SWF raised about the request itself) is not trouble with the service,
and is the caller's to handle.
"""

from __future__ import annotations

import enum
import http.client
import logging
import threading
import time

from botocore.exceptions import ConnectionError as BotocoreConnectionError
from botocore.exceptions import HTTPClientError

from ..swf_exceptions import SWFResponseError, ThrottlingException, is_retryable
from ._transport import PollAborted

logger = logging.getLogger(__name__)

_THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded"}
)


class Trouble(str, enum.Enum):
    """How a call failed, when the service rather than the request is at fault."""

    UNREACHABLE = "unreachable"
    FAILING = "failing"
    THROTTLED = "throttled"


def classify(error: BaseException) -> Trouble | None:
    """The kind of service trouble ``error`` shows, or None when it is about the request itself.

    >>> classify(ConnectionRefusedError(111, "Connection refused"))
    <Trouble.UNREACHABLE: 'unreachable'>
    >>> classify(KeyError("a bug")) is None
    True
    """
    if isinstance(error, PollAborted):
        return None  # the worker is stopping: nothing is wrong with the service
    if isinstance(error, (HTTPClientError, BotocoreConnectionError, OSError, http.client.HTTPException)):
        return Trouble.UNREACHABLE
    if not is_retryable(error):
        return None
    if isinstance(error, SWFResponseError):
        code = error.code or ("ThrottlingException" if isinstance(error, ThrottlingException) else "")
    else:
        response = getattr(error, "response", None) or {}
        code = str(response.get("Error", {}).get("Code", ""))
    return Trouble.THROTTLED if code in _THROTTLING_CODES else Trouble.FAILING


class ServiceHealth:
    """What one worker knows of the service's health; logs the start and end of each spell of trouble.

    Args:
        owner: names the worker in the log lines.
    """

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._lock = threading.Lock()
        self._trouble: Trouble | None = None
        self._since = 0.0
        self._failures = 0

    @property
    def trouble(self) -> Trouble | None:
        """The trouble now (None: the last call was answered)."""
        with self._lock:
            return self._trouble

    def failed(self, operation: str, error: BaseException) -> Trouble | None:
        """Note a failed call; returns its kind of trouble (None: the request's own fault, not noted)."""
        trouble = classify(error)
        if trouble is None:
            return None
        with self._lock:
            self._failures += 1
            starting = self._trouble is None
            changed = not starting and trouble is not self._trouble
            if starting:
                self._since = time.monotonic()
            self._trouble = trouble
        if starting or changed:
            logger.warning(
                "%s: SWF %s (%s: %s); retrying until it answers",
                self._owner,
                _DESCRIBED[trouble],
                operation,
                str(error) or type(error).__name__,
            )
        else:
            logger.debug("%s: %s failed again: %r", self._owner, operation, error)
        return trouble

    def answered(self) -> None:
        """Note an answered call: the end of the trouble, if there was some."""
        with self._lock:
            if self._trouble is None:
                return
            trouble, since, failures = self._trouble, self._since, self._failures
            self._trouble, self._failures = None, 0
        logger.info(
            "%s: SWF answers again (it was %s for %.1f s; %d call(s) failed meanwhile)",
            self._owner,
            _DESCRIBED[trouble],
            time.monotonic() - since,
            failures,
        )


_DESCRIBED = {
    Trouble.UNREACHABLE: "unreachable",
    Trouble.FAILING: "failing (HTTP 5xx)",
    Trouble.THROTTLED: "throttling calls",
}
