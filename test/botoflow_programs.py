"""The programs behind the saved botoflow 0.8 histories (``test/decider/histories/botoflow_0_8_*.json``).

Each is written once against either framework (see ``test/botoflow_diff.py``), with the steps
that drove it: ``test/decider/record_botoflow_histories.py`` ran them under botoflow 0.8 to write
the histories, ``test/decider/test_botoflow_histories.py`` replays those histories with the same
programs built for awsflow, and the differential tests (``test/e2e/test_botoflow_differential.py``)
run them under both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botoflow_diff import Framework, Program, Run

attempts: dict[str, int] = {}


def retries(flow: Framework) -> Program:
    """``@retry_activity`` with a zero wait: botoflow starts a 0 s timer between the attempts."""

    @flow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Feeds:
        @flow.retry_activity(stop_max_attempt_number=4)  # no wait given: 0 s
        @flow.activity("1.0")
        def fetch(self, label: str) -> str:
            attempts[label] = attempts.get(label, 0) + 1
            if attempts[label] < 3:
                raise OSError(f"{label} unavailable (attempt {attempts[label]})")
            return f"{label} after {attempts[label]} attempts"

        @flow.retry_activity(stop_max_attempt_number=2, wait_fixed=0)
        @flow.activity("1.0")
        def never(self) -> str:
            raise OSError("never available")

    class Fetch(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self, label: str) -> Any:
            fetched = yield Feeds.fetch(label)
            try:
                yield Feeds.never()
            except flow.exceptions.ActivityTaskFailedError as error:
                flow.return_([fetched, str(error.cause)])

    attempts.clear()  # each run counts its own attempts
    return Program(workflows=[Fetch], activities=[Feeds()])


def errands(flow: Framework) -> Program:
    """Workflows around activities that get canceled."""

    @flow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Errands:
        @flow.activity("1.0")
        def run_errand(self, name: str) -> str:
            return f"{name} done"

    class GivesUp(flow.WorkflowDefinition):
        """Starts two errands, waits 10 s, then cancels itself with both still open."""

        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self) -> Any:
            Errands.run_errand("post")
            Errands.run_errand("bank")
            yield flow.workflow_time.sleep(10)
            self.cancel("giving up")

    class Waits(flow.WorkflowDefinition):
        """Waits on one errand (and is canceled from outside meanwhile)."""

        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self) -> Any:
            done = yield Errands.run_errand("post")
            flow.return_(done)

    class CancelsErrand(flow.WorkflowDefinition):
        """Cancels an errand no worker has started yet, then waits on it."""

        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self) -> Any:
            errand = Errands.run_errand("post")
            yield flow.workflow_time.sleep(5)
            yield errand.cancel()
            done = yield errand
            flow.return_(done)

    return Program(workflows=[GivesUp, Waits, CancelsErrand], activities=[Errands()])


def family(flow: Framework) -> Program:
    """A parent starting two children, each running an activity."""

    @flow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Chores:
        @flow.activity("1.0")
        def double(self, value: int) -> int:
            return value * 2

    class Kid(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self, value: int) -> Any:
            doubled = yield Chores.double(value)
            flow.return_(doubled)

    class Parent(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self, value: int) -> Any:
            first = yield Kid.run(value)
            second = yield Kid.run(value + 1)
            results = yield first.workflow_result, second.workflow_result
            flow.return_([list(results), first.workflow_execution.workflow_id])

    return Program(workflows=[Parent, Kid], activities=[Chores()])


def self_cancel_with_open_activities(run: Run) -> None:
    """One errand in flight, one not yet taken, when the workflow cancels itself."""
    run.start("GivesUp.run")
    run.decide()  # schedules both errands and the timer
    in_flight = run.take_activity()
    assert in_flight is not None
    run.fire_next_timer()
    run.decide()  # the workflow cancels itself
    in_flight.run(answer_may_be_refused=True)
    run.run()


def cancel_request_during_activity(run: Run) -> None:
    """RequestCancelWorkflowExecution arrives while the errand runs; then the errand answers."""
    run.start("Waits.run")
    run.decide()  # schedules the errand
    in_flight = run.take_activity()
    assert in_flight is not None
    run.request_cancel()
    run.decide()  # the decision that handles the cancel request
    in_flight.run(answer_may_be_refused=True)
    run.run()


def activity_canceled_before_start(run: Run) -> None:
    """The workflow cancels its errand before any worker took it."""
    run.start("CancelsErrand.run")
    run.decide()  # schedules the errand and the timer
    run.fire_next_timer()
    run.run()  # decisions first: the errand is canceled before a worker could take it


@dataclass(frozen=True)
class Recording:
    """How one saved history was made: the program, what was started, and the steps."""

    name: str
    builder: Callable[[Framework], Program]
    entry: str
    args: tuple[Any, ...] = ()
    script: Callable[[Run], None] | None = None

    @property
    def file_name(self) -> str:
        return f"botoflow_0_8_{self.name}.json"


RECORDINGS = (
    Recording("zero_wait_retries", retries, "Fetch.run", ("feed",)),
    Recording("self_cancel", errands, "GivesUp.run", script=self_cancel_with_open_activities),
    Recording("cancel_request", errands, "Waits.run", script=cancel_request_during_activity),
    Recording("cancel_before_start", errands, "CancelsErrand.run", script=activity_canceled_before_start),
    Recording("child_workflows", family, "Parent.run", (5,)),
)
