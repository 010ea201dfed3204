"""Timestamps read the same whether they came as the wire's numbers or botocore's datetimes."""

from __future__ import annotations

import datetime as dt

import pytest

from awsflow._swf import as_datetime, epoch_seconds
from awsflow.history_events import swf_event_to_object

WHEN = dt.datetime(2026, 1, 1, 12, 30, 15, 250000, tzinfo=dt.timezone.utc)
FORMS = [
    WHEN,
    WHEN.timestamp(),
    int(WHEN.timestamp()) + 0.25,
    WHEN.replace(tzinfo=None),
    str(WHEN.timestamp()),
]


@pytest.mark.parametrize("value", FORMS)
def test_every_form_of_a_timestamp_is_the_same_instant(value: object) -> None:
    assert epoch_seconds(value) == WHEN.timestamp()
    assert as_datetime(value) == WHEN
    assert as_datetime(value).tzinfo is not None


@pytest.mark.parametrize("value", [None, [], "yesterday"])
def test_what_is_not_a_timestamp_is_refused(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        epoch_seconds(value)


def test_an_event_from_the_wire_keeps_its_number_and_gives_a_datetime_when_asked() -> None:
    event = swf_event_to_object(
        {"eventId": 3, "eventType": "DecisionTaskStarted", "eventTimestamp": WHEN.timestamp()}
    )
    assert event.timestamp == WHEN.timestamp()
    assert event.datetime == WHEN
