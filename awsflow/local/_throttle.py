"""SWF's documented API rate limits as token buckets, for ``--throttle aws``.

Amazon SWF throttles API calls per account with one token bucket per API: a call takes a
token, a bucket holds at most *bucket size* tokens and regains *refill rate* tokens a second,
and a call that finds its bucket empty is answered ``ThrottlingException`` (HTTP 400). A few
APIs are throttled per workflow execution too. The numbers below are AWS's, from "Amazon SWF
Quotas", sections "Throttling quotas for all Regions" and "Workflow-level quotas"
(https://docs.aws.amazon.com/amazonswf/latest/developerguide/swf-dg-limits.html#swf-throttling-limits;
the same in every Region). Not modelled: the per-decision quotas of the same page
(``ScheduleActivityTask`` 1000/200 and others), which SWF enforces by failing the decision
(e.g. ``ACTIVITY_CREATION_RATE_EXCEEDED``) rather than the call; and the workflow-level bucket of
``RecordActivityTaskHeartbeat``, whose request names a task token, not an execution.

Time is the service clock's, passed in as ``now``: on a :class:`~awsflow.local.VirtualClock` a
test empties a bucket and refills it by advancing the clock, in no wall time. Nothing here reads
a clock or takes a lock; the caller serialises calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ACCOUNT_QUOTAS", "WORKFLOW_QUOTAS", "Quota", "Throttle", "TokenBucket"]


@dataclass(frozen=True, slots=True)
class Quota:
    """A token bucket's shape: ``burst`` tokens at most, ``rate`` regained per second."""

    burst: int
    rate: float

    def __post_init__(self) -> None:
        if self.burst < 1 or not self.rate > 0:
            raise ValueError(f"a quota needs a burst of at least 1 and a positive rate, not {self}")

    def scaled(self, factor: float) -> Quota:
        """This quota times ``factor`` (a burst never below one call)."""
        return Quota(max(1, round(self.burst * factor)), self.rate * factor)


def _table(rows: str) -> dict[str, Quota]:
    table: dict[str, Quota] = {}
    for line in rows.strip().splitlines():
        name, burst, rate = line.split()
        table[name] = Quota(int(burst), float(rate))
    return table


# API, bucket size, refill rate per second: "Throttling quotas for all Regions".
ACCOUNT_QUOTAS: Mapping[str, Quota] = _table(
    """
    CountClosedWorkflowExecutions   2000    6
    CountOpenWorkflowExecutions     2000    6
    CountPendingActivityTasks        200    6
    CountPendingDecisionTasks        200    6
    DeleteActivityType               200    6
    DeleteWorkflowType               200    6
    DeprecateActivityType            200    6
    DeprecateDomain                  100    6
    DeprecateWorkflowType            200    6
    DescribeActivityType            2000    6
    DescribeDomain                   200    6
    DescribeWorkflowExecution       2000    6
    DescribeWorkflowType            2000    6
    GetWorkflowExecutionHistory     2000   60
    ListActivityTypes                200    6
    ListClosedWorkflowExecutions     200    6
    ListDomains                      100    6
    ListOpenWorkflowExecutions       200   48
    ListTagsForResource               50   30
    ListWorkflowTypes                200    6
    PollForActivityTask             2000  200
    PollForDecisionTask             2000  200
    RecordActivityTaskHeartbeat     2000  160
    RegisterActivityType             200   60
    RegisterDomain                   100    6
    RegisterWorkflowType             200   60
    RequestCancelWorkflowExecution  2000   30
    RespondActivityTaskCanceled     2000  200
    RespondActivityTaskCompleted    2000  200
    RespondActivityTaskFailed       2000  200
    RespondDecisionTaskCompleted    2000  200
    SignalWorkflowExecution         2000   30
    StartWorkflowExecution          2000  200
    TagResource                       50   30
    TerminateWorkflowExecution      2000   60
    UndeprecateActivityType          200    6
    UndeprecateDomain                100    6
    UndeprecateWorkflowType          200    6
    UntagResource                     50   30
    """
)

# "Workflow-level quotas": a bucket per workflow execution, besides the account's.
WORKFLOW_QUOTAS: Mapping[str, Quota] = _table(
    """
    GetWorkflowExecutionHistory      400  200
    SignalWorkflowExecution         1000 1000
    RequestCancelWorkflowExecution   200  200
    """
)

# Per-execution buckets that have refilled are forgotten once there are this many.
_PRUNE_ABOVE = 10_000


@dataclass(slots=True)
class TokenBucket:
    """One bucket: full at first; :meth:`take` spends a token if there is one."""

    quota: Quota
    tokens: float = field(init=False)
    updated_at: float | None = None

    def __post_init__(self) -> None:
        self.tokens = float(self.quota.burst)

    def _refill(self, now: float) -> None:
        if self.updated_at is not None:
            # A clock that steps back (wall time) refills nothing rather than draining.
            elapsed = max(0.0, now - self.updated_at)
            self.tokens = min(float(self.quota.burst), self.tokens + elapsed * self.quota.rate)
        self.updated_at = now if self.updated_at is None else max(now, self.updated_at)

    def has_token(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= 1.0

    def take(self, now: float) -> bool:
        """Spend one token at ``now``; False (and nothing spent) when the bucket is empty."""
        if self.has_token(now):
            self.tokens -= 1.0
            return True
        return False

    def full(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.quota.burst


class Throttle:
    """SWF's buckets, account-wide and per execution, scaled by ``scale``.

    Args:
        scale: multiplies every burst and rate (``--throttle aws:0.01`` gives PollForActivityTask
            a burst of 20 and 2 a second, so a test meets the limits in a few calls).

    >>> throttle = Throttle(scale=0.001)      # bursts of 1 or 2 calls
    >>> [throttle.allows("SignalWorkflowExecution", {"workflowId": "w"}, now=0.0) for _ in range(3)]
    [True, False, False]
    >>> throttle.allows("SignalWorkflowExecution", {"workflowId": "other"}, now=0.0)
    True
    >>> throttle.allows("SignalWorkflowExecution", {"workflowId": "w"}, now=34.0)  # 0.03 a second
    True
    """

    def __init__(self, scale: float = 1.0) -> None:
        if not scale > 0:
            raise ValueError(f"the throttle's scale must be positive, not {scale}")
        self.scale = scale
        self._account = {name: TokenBucket(q.scaled(scale)) for name, q in ACCOUNT_QUOTAS.items()}
        self._per_execution: dict[tuple[str, str, str], TokenBucket] = {}

    def allows(self, operation: str, request: Mapping[str, Any], now: float) -> bool:
        """Whether ``operation`` may run at ``now``; if so, its tokens are spent."""
        buckets = [self._account.get(operation), self._execution_bucket(operation, request, now)]
        present = [bucket for bucket in buckets if bucket is not None]
        if not all(bucket.has_token(now) for bucket in present):
            return False  # a refused call spends nothing
        for bucket in present:
            bucket.take(now)
        return True

    def _execution_bucket(self, operation: str, request: Mapping[str, Any], now: float) -> TokenBucket | None:
        quota = WORKFLOW_QUOTAS.get(operation)
        if quota is None:
            return None
        execution = request.get("execution", request)
        workflow_id = execution.get("workflowId") if isinstance(execution, Mapping) else None
        if not isinstance(workflow_id, str):
            return None
        key = (operation, str(request.get("domain", "")), workflow_id)
        bucket = self._per_execution.get(key)
        if bucket is None:
            if len(self._per_execution) >= _PRUNE_ABOVE:
                self._per_execution = {k: b for k, b in self._per_execution.items() if not b.full(now)}
            bucket = self._per_execution[key] = TokenBucket(quota.scaled(self.scale))
        return bucket
