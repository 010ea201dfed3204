"""SWF's limits that awsflow checks before SWF would refuse a request, in one frozen value.

The numbers are SWF's (SWF-SEMANTICS §9, the SWF API reference's length constraints), and one
of the AWS Flow Framework's (100 decisions per response, §10.5). Code that checks a limit takes
it from a :class:`Limits` it is given (the replay takes one: ``ExecutionReplay(...,
limits=...)``), so a test can make a replay with small limits instead of patching constants.
awsflow.local's engine has limits of its own (it imports nothing of the framework).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..exceptions import PayloadTooLargeError

__all__ = ["LIMITS", "Limits", "check_size"]


@dataclass(frozen=True, slots=True)
class Limits:
    """SWF's limits (characters, events, decisions), as awsflow applies them.

    Args:
        payload: an input, result, details, execution context or marker details.
        reason: a failure reason.
        marker_name: a marker's name (awsflow prefixes its own: ``awsflow.patch.<id>``).
        description: a registered type's description.
        heartbeat_details: RecordActivityTaskHeartbeat's details.
        history_events: SWF terminates a run whose history reaches this many events.
        history_warning_at: awsflow warns once a history passes this many (80 %).
        decisions_per_response: the AWS Flow Framework's cap on decisions per response.
        decisions_bytes: the decisions of one response, encoded; the rest of SWF's 1 MB request
            is left for the task token, the execution context and JSON framing.
        open_activities: activities open at once in one execution (children likewise).
    """

    payload: int = 32_768
    reason: int = 256
    marker_name: int = 256
    description: int = 1_024
    heartbeat_details: int = 2_048
    history_events: int = 25_000
    history_warning_at: int = 20_000
    decisions_per_response: int = 100
    decisions_bytes: int = 900_000
    open_activities: int = 1_000

    @property
    def largest_decision(self) -> int:
        """A decision's size at most: a full payload plus names and options (2 KB)."""
        return self.payload + 2_048

    def check_payload(self, field_name: str, value: str | None) -> None:
        """Raise PayloadTooLargeError if ``value`` is over :attr:`payload` characters."""
        check_size(field_name, value, self.payload)


LIMITS = Limits()


def check_size(field_name: str, value: str | None, limit: int = LIMITS.payload) -> None:
    """Raise PayloadTooLargeError before SWF would refuse the request (nothing is cut)."""
    if value is not None and len(value) > limit:
        raise PayloadTooLargeError(field_name, len(value), limit)
