"""Answers with many events: the cached event texts give the same JSON as encoding afresh."""

from __future__ import annotations

import json
from typing import Any

from awsflow.local import LocalSWF
from awsflow.local._event_json import CACHED_FROM_EVENTS, AnswerEncoder


def _events(count: int, first: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "eventId": first + i,
            "eventType": "ActivityTaskScheduled",
            "eventTimestamp": 1.7e9 + i / 8,
            "activityTaskScheduledEventAttributes": {"activityId": str(i), "input": 'é\u2028"x"'},
        }
        for i in range(count)
    ]


def test_an_answer_with_many_events_decodes_to_itself_first_and_cached() -> None:
    encoder = AnswerEncoder()
    answer = {"taskToken": "t", "startedEventId": 3, "events": _events(CACHED_FROM_EVENTS * 2)}
    first = encoder.encode(answer)
    assert encoder.cached_bytes() > 0
    assert json.loads(first) == answer
    assert encoder.encode(answer) == first
    assert json.loads(encoder.encode({"events": answer["events"][::-1]})) == {
        "events": answer["events"][::-1]
    }


def test_the_cache_keeps_no_more_than_its_bytes_and_still_encodes_right() -> None:
    encoder = AnswerEncoder(max_bytes=2_000)
    for first in range(1, 1_000, 100):
        answer = {"events": _events(CACHED_FROM_EVENTS, first), "nextPageToken": "p"}
        assert json.loads(encoder.encode(answer)) == answer
        assert encoder.cached_bytes() <= 2_000


def test_a_long_history_reads_the_same_through_every_page_twice() -> None:
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        client.register_workflow_type(
            domain="d",
            name="W",
            version="1",
            defaultTaskList={"name": "l"},
            defaultExecutionStartToCloseTimeout="3600",
            defaultTaskStartToCloseTimeout="600",
            defaultChildPolicy="TERMINATE",
        )
        run = client.start_workflow_execution(
            domain="d", workflowId="w", workflowType={"name": "W", "version": "1"}
        )
        execution = {"workflowId": "w", "runId": run["runId"]}
        for i in range(150):
            client.signal_workflow_execution(domain="d", workflowId="w", signalName="s", input=str(i))

        def read_all() -> list[dict[str, Any]]:
            events, token = [], None
            while True:
                extra = {"nextPageToken": token} if token else {}
                page = client.get_workflow_execution_history(
                    domain="d", execution=execution, maximumPageSize=100, **extra
                )
                events += page["events"]
                token = page.get("nextPageToken")
                if not token:
                    return events

        first, again = read_all(), read_all()
    assert first == again
    assert [e["eventId"] for e in first] == list(range(1, len(first) + 1))
    assert len(first) >= 152
    assert [e["workflowExecutionSignaledEventAttributes"]["input"] for e in first[2:152]] == [
        str(i) for i in range(150)
    ]
