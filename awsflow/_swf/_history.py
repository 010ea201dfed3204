"""Reading SWF's paged answers: every page of a list, and a whole history, through any caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["iter_pages", "page_lists", "read_history"]

Caller = Callable[[str, dict[str, Any]], Mapping[str, Any]]


def page_lists(call: Caller, operation: str, request: Mapping[str, Any], key: str) -> Iterator[list[Any]]:
    """The list under ``key`` of every page ``operation`` answers, page by page, fetching a page
    only when the iteration reaches it: each page's ``nextPageToken`` is passed back until SWF
    gives none.

    ``call(operation, request)`` sends one request (a botocore client's method, awsflow.local's
    engine, a recorded history's reader) and returns SWF's answer. The one paging loop of the
    framework: histories, executions, domains and types are all paged this way. Whole pages
    rather than items: a worker reading a 6,000-event history extends its list a page at a time
    instead of resuming a generator per event.
    """
    page_request = dict(request)
    while True:
        page = call(operation, page_request)
        yield page.get(key) or []
        token = page.get("nextPageToken")
        if not token:
            return
        page_request["nextPageToken"] = token


def iter_pages(call: Caller, operation: str, request: Mapping[str, Any], key: str) -> Iterator[Any]:
    """The items of :func:`page_lists`, one by one (pages still fetched as they are reached)."""
    for items in page_lists(call, operation, request, key):
        yield from items


def read_history(call: Caller, request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every event of the execution ``request`` names, in order."""
    events: list[dict[str, Any]] = []
    for page in page_lists(call, "GetWorkflowExecutionHistory", request, "events"):
        events.extend(page)
    return events
