"""history_events and decisions: every SWF event type has a class; every decision is valid input."""

from __future__ import annotations

import botocore.session
from botocore.validate import ParamValidator

from awsflow import decisions, history_events

MODEL = botocore.session.get_session().get_service_model("swf")


def test_every_event_type_in_botocores_model_has_a_class() -> None:
    members = MODEL.shape_for("HistoryEvent").members
    event_types = {
        name[0].upper() + name[1 : -len("EventAttributes")]
        for name in members
        if name.endswith("EventAttributes")
    }
    assert len(event_types) == 54
    for event_type in event_types:
        key = event_type[0].lower() + event_type[1:] + "EventAttributes"
        event = history_events.swf_event_to_object({"eventId": 7, "eventType": event_type, key: {"x": 1}})
        assert type(event).__name__ == event_type and (event.id, event.attributes) == (7, {"x": 1})
    assert isinstance(
        history_events.swf_event_to_object({"eventId": 1, "eventType": "TimerStarted"}),
        history_events.DecisionEventBase,
    )


def test_every_decision_class_builds_input_botocore_accepts() -> None:
    made = decisions.DecisionList(
        [
            decisions.ScheduleActivityTask(
                "1", "A.b", "1.0", task_list="t", input="[]", start_to_close_timeout="5"
            ),
            decisions.RequestCancelActivityTask("1"),
            decisions.RecordMarker("m", details="d"),
            decisions.StartTimer("2", "60"),
            decisions.CancelTimer("2"),
            decisions.SignalExternalWorkflowExecution("w", None, "s", input="x"),
            decisions.RequestCancelExternalWorkflowExecution("w", "r"),
            decisions.StartChildWorkflowExecution({"name": "W", "version": "1"}, "c", task_list="t"),
            decisions.ScheduleLambdaFunction("3", "fn", input="{}"),
            decisions.ContinueAsNewWorkflowExecution(input="[]", task_list="t", version="2"),
            decisions.CompleteWorkflowExecution("null"),
            decisions.FailWorkflowExecution("reason", "details"),
            decisions.CancelWorkflowExecution("details"),
        ]
    )
    request = {"taskToken": "token", "decisions": made.to_swf()}
    report = ParamValidator().validate(
        request, MODEL.operation_model("RespondDecisionTaskCompleted").input_shape
    )
    assert not report.has_errors(), report.generate_report()
    assert made.delete_decision(decisions.StartTimer, "2") and not made.delete_decision(
        decisions.StartTimer, "2"
    )
    assert made.has_decision_type(decisions.CancelTimer)
