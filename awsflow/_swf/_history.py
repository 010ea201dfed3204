"""Reading a whole history: GetWorkflowExecutionHistory, page after page, through any caller."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["read_history"]

Caller = Callable[[str, dict[str, Any]], Mapping[str, Any]]


def read_history(call: Caller, request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every event of the execution ``request`` names, in order: each page's ``nextPageToken`` is
    passed back until SWF gives none.

    ``call(operation, request)`` sends one request (a botocore client's method, awsflow.local's
    engine, a recorded history's reader) and returns SWF's answer.
    """
    page_request = dict(request)
    events: list[dict[str, Any]] = []
    while True:
        page = call("GetWorkflowExecutionHistory", page_request)
        events.extend(page.get("events", ()))
        token = page.get("nextPageToken")
        if not token:
            return events
        page_request["nextPageToken"] = token
