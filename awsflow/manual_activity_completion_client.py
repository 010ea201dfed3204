"""Completing a ``@manual_activity`` from anywhere: a person's approval, a callback, a batch job.

The activity worker runs a manual activity's method and does not answer its task; whoever holds
the task token (``get_context().task.token`` inside the activity) answers it later with this
client. botoflow's version called two SWF methods by misspelt names (``..._cancelled``,
``..._hearbeat``); these work.
"""

from __future__ import annotations

from typing import Any

from ._swf import LIMITS
from .data_converter import AbstractDataConverter, JSONDataConverter
from .exceptions import ActivityCancelledError
from .swf_exceptions import swf_exception_wrapper

__all__ = ["ManualActivityCompletionClient"]


class ManualActivityCompletionClient:
    """Answer activity tasks by token.

    Args:
        swf_client: a botocore SWF client.
        data_converter: encodes results and details (JSON by default, as the activity's).
    """

    def __init__(self, swf_client: Any, data_converter: AbstractDataConverter | None = None) -> None:
        self._swf_client = swf_client
        self.data_converter = data_converter or JSONDataConverter()

    def complete(self, result: Any, task_token: str) -> None:
        """Complete the task with ``result``."""
        with swf_exception_wrapper():
            self._swf_client.respond_activity_task_completed(
                taskToken=task_token, result=self.data_converter.dumps(result)
            )

    def fail(self, details: Any, task_token: str, reason: str = "") -> None:
        """Fail the task; ``details`` reach the workflow as ``ActivityTaskFailedError.cause``."""
        with swf_exception_wrapper():
            self._swf_client.respond_activity_task_failed(
                taskToken=task_token,
                reason=reason[: LIMITS.reason],
                details=self.data_converter.dumps(details),
            )

    def cancel(self, details: Any, task_token: str) -> None:
        """Report the task canceled."""
        with swf_exception_wrapper():
            self._swf_client.respond_activity_task_canceled(
                taskToken=task_token, details=self.data_converter.dumps(details)
            )

    def record_heartbeat(self, details: str | None, task_token: str) -> None:
        """Heartbeat the task; raises ActivityCancelledError (a CancellationError) if a cancel was requested."""
        request: dict[str, Any] = {"taskToken": task_token}
        if details is not None:
            request["details"] = details
        with swf_exception_wrapper():
            response = self._swf_client.record_activity_task_heartbeat(**request)
        if response.get("cancelRequested"):
            raise ActivityCancelledError("Cancel was requested for this activity")
