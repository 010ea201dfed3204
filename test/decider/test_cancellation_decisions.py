"""Cancellation as botoflow 0.8 did it: activity cancel requests, a workflow cancelling itself or
asked to from outside, the details it records, its cancellation_handler, and refused closes.

Each test runs the workflow on the in-memory engine (the decider answers every decision task
with a cold replay of the whole history) and checks the decisions the history recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from harness import DOMAIN, TASK_LIST, Harness

from awsflow import workflow_time
from awsflow.core import CancellationError, CancelledError, Future, coroutine
from awsflow.data_converter import JSONDataConverter
from awsflow.decider import ExecutionReplay
from awsflow.decorators import activities, activity, execute, signal
from awsflow.exceptions import RequestCancelActivityTaskFailedError
from awsflow.options import workflow_options
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution

CONVERTER = JSONDataConverter()
ran: list[str] = []  # what activities and handlers ran, in order


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Chores:
    @activity("1.0")
    def work(self, name: str) -> str:
        ran.append(name)
        return f"{name} done"

    @activity("1.0")
    def give_up(self) -> str:
        raise CancellationError("gave up")  # the task ends canceled, though nobody asked


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    return dict(event.get(event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes", {}))


def types(history: list[dict[str, Any]]) -> list[str]:
    return [e["eventType"] for e in history]


def last_decision(history: list[dict[str, Any]]) -> list[str]:
    """The events recorded by the last completed decision task (its decisions' results)."""
    completed = max(e["eventId"] for e in history if e["eventType"] == "DecisionTaskCompleted")
    return [e["eventType"] for e in history if attributes(e).get("decisionTaskCompletedEventId") == completed]


def result_of(history: list[dict[str, Any]]) -> Any:
    assert history[-1]["eventType"] == "WorkflowExecutionCompleted", history[-1]
    return CONVERTER.loads(attributes(history[-1])["result"])


def canceled_details(history: list[dict[str, Any]]) -> Any:
    assert history[-1]["eventType"] == "WorkflowExecutionCanceled", history[-1]
    return attributes(history[-1]).get("details")


def fire_timers(h: Harness) -> None:
    """Fire the timers that are due now (0-second timers), without running activities."""
    h.engine.advance(h.now)


def decide_while(h: Harness, run: dict[str, str], meanwhile: Callable[[], Any]) -> None:
    """Decide the next task, doing ``meanwhile`` between the poll and the answer (a race)."""
    task = h.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": TASK_LIST}})
    assert task is not None
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    decisions = ExecutionReplay(h.table, execution, TASK_LIST).apply(h.history(run)).decisions
    meanwhile()
    h.call("RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": decisions})


# -- item 2: Future.cancel() of an activity returns the Future of the cancel request --------------
class CancelsOnceSent(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        work = Chores.work("slow")
        yield workflow_time.sleep(0)  # the ScheduleActivityTask is sent meanwhile
        request = work.cancel()
        again = work.cancel()
        answer = yield request
        try:
            yield work
        except CancelledError as error:
            return [answer, again is request, type(error).__name__, str(error.cause)]
        return "not canceled"


def test_yield_future_cancel_waits_for_swf_to_record_the_request_then_the_activity_is_canceled() -> None:
    h = Harness((CancelsOnceSent,), (Chores(),))
    run = h.start(CancelsOnceSent, "run")
    h.decide_once()
    fire_timers(h)
    h.run()
    history = h.history(run)
    assert result_of(history) == [
        None,
        True,
        "ActivityTaskCanceledError",
        "Activity was cancelled before being picked up by activity worker",
    ]
    assert types(history).count("RequestCancelActivityTaskFailed") == 0
    assert types(history).count("ActivityTaskCancelRequested") == 1  # cancel() twice: one request


class CancelsBeforeSending(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        work = Chores.work("never")
        answer = yield work.cancel()
        try:
            yield work
        except CancelledError as error:
            return [answer, str(error)]
        return "not canceled"


def test_cancelling_an_activity_not_sent_yet_withdraws_it_and_the_request_is_done_at_once() -> None:
    h = Harness((CancelsBeforeSending,), (Chores(),))
    run = h.start(CancelsBeforeSending, "run")
    h.run()
    history = h.history(run)
    assert result_of(history) == [None, "Activity was cancelled before being scheduled with SWF"]
    assert "ActivityTaskScheduled" not in types(history)


class CancelsAfterAWhile(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        work = Chores.work("quick")
        yield workflow_time.sleep(0)
        request = work.cancel()
        try:
            yield request
        except RequestCancelActivityTaskFailedError as error:
            return ["refused", error.cause, error.activity_id, (yield work)]
        return "accepted"


def test_a_cancel_request_swf_refuses_raises_request_cancel_activity_task_failed_error() -> None:
    h = Harness((CancelsAfterAWhile,), (Chores(),))
    run = h.start(CancelsAfterAWhile, "run")
    h.decide_once()
    fire_timers(h)
    # The activity completes while the decision task asking to cancel it is out: SWF refuses it.
    decide_while(h, run, h.work_once)
    h.run()
    history = h.history(run)
    assert "RequestCancelActivityTaskFailed" in types(history)
    assert result_of(history) == ["refused", "ACTIVITY_ID_UNKNOWN", "1", "quick done"]


class CancelsWhatFinished(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        work = Chores.work("finished")
        result = yield work
        try:
            yield work.cancel()
        except RequestCancelActivityTaskFailedError as error:
            return [result, error.cause]
        return "accepted"


def test_cancelling_an_activity_that_already_completed_asks_swf_anyway_which_refuses() -> None:
    h = Harness((CancelsWhatFinished,), (Chores(),))
    run = h.start(CancelsWhatFinished, "run")
    h.run()
    history = h.history(run)
    assert result_of(history) == ["finished done", "ACTIVITY_ID_UNKNOWN"]  # botoflow's outcome
    assert types(history).count("RequestCancelActivityTaskFailed") == 1


class CancelsWhatWasCanceled(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        work = Chores.give_up()
        try:
            yield work
        except CancelledError as error:
            return [type(error).__name__, (yield work.cancel())]
        return "not canceled"


def test_cancelling_an_activity_already_canceled_asks_nothing_and_is_done_at_once() -> None:
    h = Harness((CancelsWhatWasCanceled,), (Chores(),))
    run = h.start(CancelsWhatWasCanceled, "run")
    h.run()
    history = h.history(run)
    assert result_of(history) == ["ActivityTaskCanceledError", None]
    assert "ActivityTaskCancelRequested" not in types(history)


class Napper(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        yield workflow_time.sleep(600)


class CancelsItsChild(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        child = yield Napper.run()
        result = child.workflow_result
        first, second = result.cancel(), result.cancel()  # one request to SWF
        try:
            yield result
        except CancelledError as error:
            return [first, second, type(error).__name__, str(error.cause)]
        return "not canceled"


def test_cancelling_a_child_future_twice_sends_one_request_and_waits_for_the_child_to_cancel() -> None:
    h = Harness((CancelsItsChild, Napper), ())
    run = h.start(CancelsItsChild, "run")
    h.run()
    history = h.history(run)
    assert result_of(history) == [True, True, "ChildWorkflowCanceledError", ""]
    assert types(history).count("RequestCancelExternalWorkflowExecutionInitiated") == 1


# -- item 3: a workflow canceled closes at once and asks to cancel its open activities ------------
class CancelsItself(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, details: Any = "") -> Any:
        Chores.work("first")
        Chores.work("second")
        yield workflow_time.sleep(0)  # both are sent
        Chores.work("unsent")  # withdrawn by the cancel: never reaches SWF
        self.cancel(details)


def test_a_workflow_cancelling_itself_requests_the_cancel_of_its_open_activities_in_the_same_decision() -> (
    None
):
    h = Harness((CancelsItself,), (Chores(),))
    run = h.start(CancelsItself, "run", "enough")
    h.decide_once()
    fire_timers(h)
    h.decide_once()
    history = h.history(run)
    assert last_decision(history) == [
        "ActivityTaskCancelRequested",
        "ActivityTaskCancelRequested",
        "WorkflowExecutionCanceled",
    ]
    requested = [
        attributes(e)["activityId"] for e in history if e["eventType"] == "ActivityTaskCancelRequested"
    ]
    assert requested == ["1", "2"]
    assert types(history).count("ActivityTaskScheduled") == 2
    assert canceled_details(history) == "enough"


class AwaitsAnActivity(WorkflowDefinition):
    cleanups = 0

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        try:
            return (yield Chores.work("long"))
        except CancelledError:
            yield Chores.work("compensate")  # not reached: a canceled workflow is not resumed
            raise

    def cancellation_handler(self) -> None:
        AwaitsAnActivity.cleanups += 1


def test_a_cancel_request_while_awaiting_an_activity_closes_the_run_canceled_in_that_decision() -> None:
    AwaitsAnActivity.cleanups = 0
    h = Harness((AwaitsAnActivity,), (Chores(),))
    run = h.start(AwaitsAnActivity, "run")
    h.decide_once()
    h.call("RequestCancelWorkflowExecution", {"domain": DOMAIN, **run})
    h.decide_once()
    history = h.history(run)
    assert last_decision(history) == ["ActivityTaskCancelRequested", "WorkflowExecutionCanceled"]
    assert canceled_details(history) == ""  # botoflow: str(CancelledError().cause)
    # Replayed by every decision task so far, the handler ran once per replay, never twice in one.
    assert AwaitsAnActivity.cleanups == 1
    assert "compensate" not in str(history)


class Finishes(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, how: str) -> Any:
        yield workflow_time.sleep(0)
        if how == "cancel":
            self.cancel("bye")
        if how == "fail":
            raise ValueError("bad")
        if how == "continue":
            with workflow_options(version="2.0"):  # no such version: SWF refuses
                self.run("done")
        return how

    @signal()
    def poke(self) -> None:
        pass


@pytest.mark.parametrize(
    ("how", "close", "refused"),
    [
        ("complete", "WorkflowExecutionCompleted", "CompleteWorkflowExecutionFailed"),
        ("cancel", "WorkflowExecutionCanceled", "CancelWorkflowExecutionFailed"),
        ("fail", "WorkflowExecutionFailed", "FailWorkflowExecutionFailed"),
    ],
)
@pytest.mark.parametrize("interloper", ["signal", "cancel request"])
def test_a_close_refused_for_an_unhandled_event_is_decided_again_in_the_next_decision_task(
    how: str, close: str, refused: str, interloper: str
) -> None:
    h = Harness((Finishes,), ())
    run = h.start(Finishes, "run", how)
    h.decide_once()
    fire_timers(h)
    if interloper == "signal":
        decide_while(
            h, run, lambda: h.call("SignalWorkflowExecution", {"domain": DOMAIN, **run, "signalName": "poke"})
        )
    else:
        decide_while(h, run, lambda: h.call("RequestCancelWorkflowExecution", {"domain": DOMAIN, **run}))
    assert h.history(run)[-2]["eventType"] == refused
    h.run()
    history = h.history(run)
    # The close decided first stands (botoflow too ignored a cancel request once it had closed).
    assert types(history)[-1] == close
    assert types(history).count(refused) == 1


def test_a_continue_as_new_swf_cannot_accept_fails_the_workflow_instead_of_being_sent_forever() -> None:
    h = Harness((Finishes,), ())
    run = h.start(Finishes, "run", "continue")
    h.run(max_steps=50)
    history = h.history(run)
    assert types(history).count("ContinueAsNewWorkflowExecutionFailed") == 1
    assert types(history)[-1] == "WorkflowExecutionFailed"
    reason = attributes(history[-1])["reason"]
    assert "WORKFLOW_TYPE_DOES_NOT_EXIST" in reason and reason.startswith("WorkflowDefinitionError")


# -- item 4: the details of the cancel: botoflow's str(error.cause) -------------------------------
@pytest.mark.parametrize(("details", "recorded"), [(None, "None"), (0, "0"), ("", ""), ("why", "why")])
def test_the_canceled_details_are_str_of_the_cause_as_botoflow_recorded_them(
    details: Any, recorded: str
) -> None:
    h = Harness((CancelsItself,), (Chores(),))
    run = h.start(CancelsItself, "run", details)
    h.run()
    assert canceled_details(h.history(run)) == recorded


class LetsItsActivityCancel(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        work = Chores.work("unstarted")
        yield workflow_time.sleep(0)
        work.cancel()
        yield work  # ActivityTaskCanceledError, not caught: the workflow is canceled by it


def test_a_workflow_canceled_by_an_activity_canceled_before_it_started_records_botoflows_reason() -> None:
    h = Harness((LetsItsActivityCancel,), (Chores(),))
    run = h.start(LetsItsActivityCancel, "run")
    h.decide_once()
    fire_timers(h)
    h.run()
    assert (
        canceled_details(h.history(run)) == "Activity was cancelled before being picked up by activity worker"
    )


# -- item 10: cancellation_handler as a plain method, a generator, async def, @coroutine ----------
class Handled(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        yield workflow_time.sleep(600)


class PlainHandler(Handled):
    def cancellation_handler(self) -> None:
        ran.append("plain handler")


class GeneratorHandler(Handled):
    def cancellation_handler(self) -> Any:
        ran.append((yield Chores.work("generator cleanup")))


class AsyncHandler(Handled):
    async def cancellation_handler(self) -> None:
        ran.append(await Chores.work("async cleanup"))


class CoroutineHandler(Handled):
    @coroutine
    def cancellation_handler(self) -> Any:
        ran.append((yield Chores.work("coroutine cleanup")))


class ReturnsAFuture(Handled):
    def cancellation_handler(self) -> Future:
        return Chores.work("returned cleanup")  # the close waits for it


class FailingHandler(Handled):
    def cancellation_handler(self) -> None:
        raise RuntimeError("cleanup broke")


@pytest.mark.parametrize(
    ("definition", "cleanup"),
    [
        (PlainHandler, None),
        (GeneratorHandler, "generator cleanup"),
        (AsyncHandler, "async cleanup"),
        (CoroutineHandler, "coroutine cleanup"),
        (ReturnsAFuture, "returned cleanup"),
    ],
    ids=["plain", "generator", "async", "coroutine", "returns-a-future"],
)
def test_every_form_of_cancellation_handler_runs_before_the_run_closes_canceled(
    definition: type, cleanup: str | None
) -> None:
    h = Harness((definition,), (Chores(),))
    run = h.start(definition, "run")
    h.decide_once()
    h.call("RequestCancelWorkflowExecution", {"domain": DOMAIN, **run})
    ran.clear()
    h.run()
    history = h.history(run)
    assert [record.error for record in h.records] == [None] * len(h.records)
    assert canceled_details(history) == ""
    if cleanup is None:
        assert "plain handler" in ran
        return
    # The close waited for the activity the handler started: it ran once, and completed first.
    assert ran.count(cleanup) == 1
    completed = [attributes(e).get("result") for e in history if e["eventType"] == "ActivityTaskCompleted"]
    assert completed == [CONVERTER.dumps(f"{cleanup} done")]
    if definition is not ReturnsAFuture:
        assert f"{cleanup} done" in ran  # what the handler received from its yield or await


def test_a_failing_cancellation_handler_fails_the_workflow_with_its_error() -> None:
    h = Harness((FailingHandler,), (Chores(),))
    run = h.start(FailingHandler, "run")
    h.decide_once()
    h.call("RequestCancelWorkflowExecution", {"domain": DOMAIN, **run})
    h.run()
    history = h.history(run)
    assert types(history)[-1] == "WorkflowExecutionFailed"
    assert attributes(history[-1])["reason"] == "RuntimeError: cleanup broke"
