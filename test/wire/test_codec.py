"""Decoding SWF's answers: what the stdlib would make, and the collector left as it was."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator

import pytest

from awsflow._wire import decode, encode
from awsflow._wire._codec import LARGE, stdlib_dumps

EVENT = {"eventId": 7, "eventType": "ActivityTaskCompleted", "eventTimestamp": 1767225600.125}
LARGE_PAGE = json.dumps({"events": [EVENT] * (LARGE // 60 + 1)}).encode()


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_an_answer_decodes_as_the_stdlib_decodes_it_timestamps_as_numbers() -> None:
    assert len(LARGE_PAGE) >= LARGE
    for body in (b'{"taskToken":"t","events":[]}', LARGE_PAGE):
        assert decode(body) == json.loads(body)
    assert decode(LARGE_PAGE)["events"][0]["eventTimestamp"] == 1767225600.125
    assert decode(b"") == {}


def test_a_request_is_compact_utf8_json() -> None:
    body = '{"taskToken":"t","details":"é"}'.encode()
    assert encode({"taskToken": "t", "details": "é"}) == body
    assert stdlib_dumps({"taskToken": "t", "details": "é"}) == body  # without orjson too


def test_an_answer_that_is_not_a_json_object_is_refused() -> None:
    with pytest.raises(ValueError):
        decode(b"[1, 2]")
    with pytest.raises(ValueError):
        decode(b"<html>")


def test_the_collector_runs_again_after_large_decodes_even_from_many_threads(collector_enabled: None) -> None:
    threads = [threading.Thread(target=lambda: [decode(LARGE_PAGE) for _ in range(20)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.isenabled()


def test_a_collector_the_process_turned_off_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        decode(LARGE_PAGE)
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
