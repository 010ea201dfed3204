"""Paged answers are read page by page, each fetched only when the reader reaches it."""

from __future__ import annotations

from typing import Any

from awsflow._swf import iter_pages, page_lists, read_history


class Pages:
    """A caller answering from fixed pages, recording the requests it was sent."""

    def __init__(self, *pages: list[int]) -> None:
        self.pages = pages
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append((operation, dict(request)))
        index = int(request.get("nextPageToken", 0))
        page: dict[str, Any] = {"events": self.pages[index]}
        if index + 1 < len(self.pages):
            page["nextPageToken"] = str(index + 1)
        return page


def test_pages_come_whole_and_each_passes_the_last_token_back() -> None:
    call = Pages([1, 2], [], [3])
    pages = page_lists(call, "GetWorkflowExecutionHistory", {"domain": "d"}, "events")
    assert list(pages) == [[1, 2], [], [3]]
    assert call.requests == [
        ("GetWorkflowExecutionHistory", {"domain": "d"}),
        ("GetWorkflowExecutionHistory", {"domain": "d", "nextPageToken": "1"}),
        ("GetWorkflowExecutionHistory", {"domain": "d", "nextPageToken": "2"}),
    ]


def test_a_page_is_fetched_only_when_the_reader_reaches_it() -> None:
    call = Pages([1, 2], [3])
    pages = page_lists(call, "Op", {}, "events")
    assert next(pages) == [1, 2] and len(call.requests) == 1
    call = Pages([1, 2], [3])
    items = iter_pages(call, "Op", {}, "events")
    assert [next(items), next(items)] == [1, 2] and len(call.requests) == 1


def test_items_and_whole_histories_are_the_pages_in_order() -> None:
    assert list(iter_pages(Pages([1], [], [2, 3]), "Op", {}, "events")) == [1, 2, 3]
    assert read_history(Pages([1, 2], [3]), {}) == [1, 2, 3]
    assert list(page_lists(Pages([]), "Op", {}, "missing")) == [[]]
