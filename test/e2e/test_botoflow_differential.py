"""The same programs under botoflow 0.8 and awsflow write the same histories (botoflow_diff.py).

The first tests are the harness's own: plain programs both frameworks always agreed on, and a
program that differs on purpose, which the comparison must catch.
"""

from __future__ import annotations

from typing import Any

import pytest
from botoflow_diff import Framework, Program, Run, compare, requires_botoflow
from botoflow_programs import family, retries

pytestmark = requires_botoflow


def shop(flow: Framework) -> Program:
    @flow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Shop:
        @flow.activity("1.0")
        def price(self, item: str, quantity: int = 1) -> float:
            return {"apple": 0.5, "pear": 0.75}[item] * quantity

        @flow.activity("1.0", start_to_close_timeout=30)
        def charge(self, amount: float, currency: str) -> dict[str, Any]:
            if amount > 100:
                raise ValueError(f"{amount} is over the limit")
            return {"charged": amount, "currency": currency, "parts": (1, 2)}

    class Checkout(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def buy(self, items: list[Any]) -> Any:
            total = 0.0
            for item, quantity in items:
                self.workflow_state = f"pricing {item}"
                total += yield Shop.price(item, quantity=quantity)
            self.workflow_state = ""  # cleared: the next DecisionTaskCompleted records it so
            receipt = yield Shop.charge(total, "EUR")
            flow.return_(receipt)

    class BothPrices(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self) -> Any:
            apple, pear = yield Shop.price("apple"), Shop.price("pear", 2)
            flow.return_([apple, pear])

    class Overcharge(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self, amount: float) -> Any:
            try:
                yield Shop.charge(amount, "EUR")
            except flow.exceptions.ActivityTaskFailedError as error:
                flow.return_(["declined", type(error.cause).__name__, error.cause.args])

    class Later(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=3600)
        def run(self, delay: int) -> Any:
            yield flow.workflow_time.sleep(delay)
            price = yield Shop.price("apple")
            yield flow.workflow_time.sleep(delay * 2)
            flow.return_([price, flow.workflow_time.time()])

    return Program(workflows=[Checkout, BothPrices, Overcharge, Later], activities=[Shop()])


def test_a_workflow_of_activities_writes_botoflows_history() -> None:
    both = compare(shop, "Checkout.buy", [("apple", 4), ("pear", 2)])
    both.assert_same()
    assert both.awsflow.closed_with() == (
        "WorkflowExecutionCompleted",
        '{"charged":3.5,"currency":"EUR","parts":{"__tuple":[1,2]}}',
    )


def test_activities_in_parallel_write_botoflows_history() -> None:
    both = compare(shop, "BothPrices.run")
    both.assert_same()
    assert both.awsflow.closed_with() == ("WorkflowExecutionCompleted", "[0.5,1.5]")


def test_an_activity_failure_the_workflow_handles_writes_botoflows_history() -> None:
    both = compare(shop, "Overcharge.run", 500.0)
    both.assert_same()
    assert both.awsflow.closed_with() == (
        "WorkflowExecutionCompleted",
        '["declined","ValueError",{"__tuple":["500.0 is over the limit"]}]',
    )


def test_timers_write_botoflows_history() -> None:
    both = compare(shop, "Later.run", 30)
    both.assert_same()
    events = both.awsflow.history()
    fired = [e for e in events if e["eventType"] == "TimerFired"]
    assert len(fired) == 2
    result = both.awsflow.closed_with()[1]
    assert result is not None and result.startswith("[0.5,")


def differs_on_purpose(flow: Framework) -> Program:
    @flow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Acts:
        @flow.activity("1.0")
        def echo(self, value: Any) -> Any:
            return value

    class Echo(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=60)
        def run(self) -> Any:
            yield Acts.echo("same")
            value = yield Acts.echo(flow.module.__name__)  # each framework sends its own name
            flow.return_(value)

    return Program(workflows=[Echo], activities=[Acts()])


def test_the_comparison_names_the_first_event_that_differs() -> None:
    both = compare(differs_on_purpose, "Echo.run")
    with pytest.raises(AssertionError) as failure:
        both.assert_same()
    message = str(failure.value)
    assert message.startswith("execution 1: event 11 differs")  # the second ActivityTaskScheduled
    assert '\\"botoflow\\"' in message and '\\"awsflow\\"' in message


def test_child_workflows_get_botoflows_ids_and_write_its_histories() -> None:
    """Issue 10 item 8: botoflow names children ``runId:n``, awsflow.local starts them, and awsflow
    generates the same ids, so all three executions' histories match."""
    both = compare(family, "Parent.run", 5)
    both.assert_same()
    parent = both.awsflow.execution
    assert parent is not None
    assert both.awsflow.closed_with() == ("WorkflowExecutionCompleted", f'[[10,12],"{parent["runId"]}:1"]')
    assert [e["workflowId"] for e in both.botoflow.executions()] == [
        "diff-1",
        f"{both.botoflow.execution['runId']}:1",  # type: ignore[index]
        f"{both.botoflow.execution['runId']}:2",  # type: ignore[index]
    ]


def test_retries_with_a_zero_wait_start_botoflows_zero_second_timers() -> None:
    """Issue 10 item 5: botoflow starts a timer between attempts even for a zero wait."""
    both = compare(retries, "Fetch.run", "feed")
    both.assert_same()
    timers = [e for e in both.awsflow.history() if e["eventType"] == "TimerStarted"]
    assert [t["timerStartedEventAttributes"]["startToFireTimeout"] for t in timers] == ["0", "0", "0"]
    assert both.awsflow.closed_with() == (
        "WorkflowExecutionCompleted",
        '["feed after 3 attempts","never available"]',
    )


def classes(flow: Framework) -> Program:
    @flow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Registry:
        @flow.activity("1.0")
        def describe(self, error_class: type) -> Any:
            return [error_class.__name__, issubclass(error_class, Exception)]

        @flow.activity("1.0")
        def pick(self, name: str) -> type:
            return {"runtime": RuntimeError, "value": ValueError}[name]

    class Classes(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self, name: str) -> Any:
            described = yield Registry.describe(RuntimeError)
            picked = yield Registry.pick(name)
            flow.return_([described, picked.__name__, picked])

    return Program(workflows=[Classes], activities=[Registry()])


def test_classes_as_values_are_written_as_botoflow_wrote_them() -> None:
    """Issue 10 item 6: a class passed to or returned by an activity is ``{"__class": ...}``."""
    both = compare(classes, "Classes.run", "value")
    both.assert_same()
    scheduled = [e for e in both.awsflow.history() if e["eventType"] == "ActivityTaskScheduled"]
    assert scheduled[0]["activityTaskScheduledEventAttributes"]["input"] == (
        '[{"__tuple":[{"__class":"builtins:RuntimeError"}]},{}]'
    )
    assert both.awsflow.closed_with() == (
        "WorkflowExecutionCompleted",
        '[["RuntimeError",true],"ValueError",{"__class":"builtins:ValueError"}]',
    )


def signalled(flow: Framework) -> Program:
    @flow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Notes:
        @flow.activity("1.0")
        def file(self, notes: list[Any]) -> int:
            return len(notes)

    class Inbox(flow.WorkflowDefinition):
        def __init__(self, workflow_execution: Any) -> None:
            super().__init__(workflow_execution)
            self.notes: list[Any] = []

        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self) -> Any:
            yield flow.workflow_time.sleep(60)
            filed = yield Notes.file(self.notes)
            flow.return_([filed, self.notes])

        @flow.signal()
        def note(self, text: str, urgent: bool = False) -> None:
            self.notes.append([text, urgent])

    return Program(workflows=[Inbox], activities=[Notes()])


def two_notes_while_waiting(run: Run) -> None:
    run.start("Inbox.run")
    run.decide()  # starts the timer
    run.signal("note", "call back")
    run.decide()
    run.signal("note", "pay", urgent=True)
    in_flight = run.take_activity()
    assert in_flight is None  # nothing scheduled yet: the workflow still waits on its timer
    run.run()


def test_signals_in_a_scripted_run_write_botoflows_history() -> None:
    both = compare(signalled, script=two_notes_while_waiting)
    both.assert_same()
    assert both.awsflow.closed_with() == (
        "WorkflowExecutionCompleted",
        '[2,[["call back",false],["pay",true]]]',
    )
