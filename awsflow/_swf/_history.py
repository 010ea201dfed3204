"""Reading SWF's paged answers: every page of a list, and a whole history, through any caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["iter_pages", "read_history"]

Caller = Callable[[str, dict[str, Any]], Mapping[str, Any]]


def iter_pages(call: Caller, operation: str, request: Mapping[str, Any], key: str) -> Iterator[Any]:
    """The items under ``key`` of every page ``operation`` answers, fetching a page only when the
    iteration reaches it: each page's ``nextPageToken`` is passed back until SWF gives none.

    ``call(operation, request)`` sends one request (a botocore client's method, awsflow.local's
    engine, a recorded history's reader) and returns SWF's answer. The one paging loop of the
    framework: histories, executions, domains and types are all paged this way.
    """
    page_request = dict(request)
    while True:
        page = call(operation, page_request)
        yield from page.get(key, ())
        token = page.get("nextPageToken")
        if not token:
            return
        page_request["nextPageToken"] = token


def read_history(call: Caller, request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every event of the execution ``request`` names, in order."""
    return list(iter_pages(call, "GetWorkflowExecutionHistory", request, "events"))
