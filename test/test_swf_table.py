"""awsflow's one table of SWF's events and decisions agrees with botocore's model of SWF."""

from __future__ import annotations

import botocore.session
import pytest

from awsflow import history_events
from awsflow._swf import CLOSE_DECISIONS, CLOSING_EVENTS, DECISIONS, EVENTS, LIMITS, Call, EventSpec, Limits

MODEL = botocore.session.get_session().get_service_model("swf")


def test_the_table_has_every_event_type_of_the_model_and_its_attributes_member() -> None:
    assert set(EVENTS) == set(MODEL.shape_for("EventType").enum)
    members = MODEL.shape_for("HistoryEvent").members
    for spec in EVENTS.values():
        assert spec.attributes in members, spec.event_type


def test_the_table_has_every_decision_type_of_the_model_and_its_attributes_member() -> None:
    assert set(DECISIONS) == set(MODEL.shape_for("DecisionType").enum)
    members = MODEL.shape_for("Decision").members
    for spec in DECISIONS.values():
        assert spec.attributes in members, spec.decision_type
        if spec.id_member:
            assert spec.id_member in members[spec.attributes].members, spec.decision_type


@pytest.mark.parametrize("spec", list(EVENTS.values()), ids=list(EVENTS))
def test_every_member_an_event_spec_names_exists_in_that_events_attributes(spec: EventSpec) -> None:
    attributes = MODEL.shape_for("HistoryEvent").members[spec.attributes].members
    for member in (spec.id_member, spec.type_member, spec.call and spec.call.key):
        if member:
            assert member in attributes, member
    if spec.records is not None:
        decision = DECISIONS[spec.records]
        # The event names the decision by the member the decision itself is named by.
        assert (spec.id_member or None) == decision.id_member
    if spec.late:
        assert "initiatedEventId" in attributes and spec.records is not None


def test_what_closes_a_run_is_the_four_close_decisions_and_the_six_closed_events() -> None:
    assert {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    } == CLOSE_DECISIONS
    assert {name.removeprefix("WorkflowExecution") for name in CLOSING_EVENTS} == {
        "Completed",
        "Failed",
        "Canceled",
        "ContinuedAsNew",
        "TimedOut",
        "Terminated",
    }
    assert {EVENTS[name].records for name in CLOSING_EVENTS} - {None} == CLOSE_DECISIONS


def test_history_event_classes_take_their_attributes_member_from_the_table() -> None:
    for name, spec in EVENTS.items():
        assert getattr(history_events, name).attribute_key == spec.attributes
    assert history_events.ActivityEventBase.attribute_key == ""
    assert Call.ACTIVITY.key == "scheduledEventId" and Call.CHILD.key == "initiatedEventId"


def test_limits_are_a_frozen_value_that_a_replay_can_be_given() -> None:
    small = Limits(payload=10)
    with pytest.raises(AttributeError):
        small.payload = 20  # type: ignore[misc]
    assert (LIMITS.payload, LIMITS.history_events, LIMITS.decisions_per_response) == (32_768, 25_000, 100)
    with pytest.raises(ValueError, match="input is 11 characters once encoded; SWF accepts at most 10"):
        small.check_payload("input", "x" * 11)
