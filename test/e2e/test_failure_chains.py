"""A failure keeps its whole chain across SWF, end to end: the workflow's error, the activity's
(or child's) error it carries, and the exception the activity raised, each with its type, data
and remote traceback; a link that cannot be written is a stand-in that names it."""

from __future__ import annotations

from typing import Any

import failure_flows as ff
import pytest
from flowkit import Flow

from awsflow.exceptions import (
    ActivityTaskFailedError,
    ActivityTaskTimedOutError,
    ChildWorkflowFailedError,
    RemoteExceptionStandIn,
    WorkflowFailedError,
)


def failure_of(instance: Any) -> WorkflowFailedError:
    with pytest.raises(WorkflowFailedError) as info:
        instance.wait_for_completion(timeout=10)
    return info.value


def remote(error: Any) -> str:
    return "".join(error.format_exc())


@pytest.fixture(autouse=True)
def _release_held_activities(flow: Flow) -> Any:
    """Set up after the workers' fixture, so torn down first: held activities end, workers stop."""
    ff.gate.clear()
    ff.started.clear()
    yield
    ff.gate.set()


def test_an_activity_failure_reaches_the_waiter_as_a_chain_with_each_links_traceback(flow: Flow) -> None:
    flow.workflow_worker(ff.Pay)
    flow.activity_worker(ff.Bank())
    failed = failure_of(ff.Pay.run("acc-1", 150.0))
    activity_error = failed.cause
    assert isinstance(activity_error, ActivityTaskFailedError)
    assert activity_error.activity_id == "1"
    assert activity_error.activity_type == ("Bank.withdraw", "1.0")
    user_error = activity_error.cause
    assert isinstance(user_error, ff.InsufficientFunds)
    assert (user_error.account, user_error.missing, str(user_error)) == (
        "acc-1",
        50.0,
        "account acc-1 lacks 50.0",
    )
    assert "receipt = yield Bank.withdraw(account, amount)" in remote(failed)  # the workflow's line
    assert "raise InsufficientFunds(account, amount - 100)" in remote(activity_error)  # the activity's
    assert "InsufficientFunds: account acc-1 lacks 50.0" in remote(activity_error)
    assert str(activity_error) == (
        "activity Bank.withdraw (id 1) failed: InsufficientFunds('account acc-1 lacks 50.0')"
    )


def test_an_activity_timeout_reaches_the_waiter_as_itself(flow: Flow) -> None:
    flow.workflow_worker(ff.Slow)
    flow.activity_worker(ff.Bank())
    instance = ff.Slow.run()
    flow.wait_for_event(instance.workflow_execution, "ActivityTaskStarted")
    flow.advance(5)
    failed = failure_of(instance)
    assert isinstance(failed.cause, ActivityTaskTimedOutError)
    assert (failed.cause.timeout_type, failed.cause.activity_id) == ("START_TO_CLOSE", "1")
    assert failed.cause.activity_type == ("Bank.slow", "1.0")
    assert "return (yield Bank.slow())" in remote(failed)


def test_a_childs_failure_reaches_the_parents_waiter_with_all_four_links(flow: Flow) -> None:
    flow.workflow_worker(ff.PayViaChild, ff.Pay)
    flow.activity_worker(ff.Bank())
    failed = failure_of(ff.PayViaChild.run("acc-2", 130.0))
    child_error = failed.cause
    assert isinstance(child_error, ChildWorkflowFailedError)
    assert child_error.workflow_type == ("Pay", "1.0")
    assert child_error.workflow_execution[0].endswith(":1")  # the child's workflow id, run id
    activity_error = child_error.cause
    assert isinstance(activity_error, ActivityTaskFailedError)
    assert isinstance(activity_error.cause, ff.InsufficientFunds)
    assert activity_error.cause.missing == 30.0
    assert "return (yield child.workflow_result)" in remote(failed)  # the parent's frame
    assert "receipt = yield Bank.withdraw(account, amount)" in remote(child_error)  # the child's
    assert "raise InsufficientFunds" in remote(activity_error)  # the activity's


def test_an_exception_that_cannot_be_written_arrives_as_a_stand_in_naming_it(flow: Flow) -> None:
    flow.workflow_worker(ff.Audit)
    flow.activity_worker(ff.Bank())
    failed = failure_of(ff.Audit.run("acc-3"))
    activity_error = failed.cause
    assert isinstance(activity_error, ActivityTaskFailedError)  # the links around it are intact
    stand_in = activity_error.cause
    assert isinstance(stand_in, RemoteExceptionStandIn)
    assert stand_in.class_name == f"{ff.HoldsALock.__module__}:HoldsALock"
    assert stand_in.message == "audit of acc-3 is locked"
    assert "cannot encode" in stand_in.problem and "lock" in stand_in.problem
    assert "raise HoldsALock" in remote(activity_error)  # its traceback survived too
    assert str(stand_in).startswith("failure_flows:HoldsALock: audit of acc-3 is locked [stand-in: ")


@pytest.mark.parametrize("unencodable", [False, True], ids=["as-itself", "stand-in"])
def test_a_canceled_activitys_cancellation_reaches_the_workflow_with_its_traceback(
    flow: Flow, unencodable: bool
) -> None:
    flow.workflow_worker(ff.Watch)
    flow.activity_worker(ff.Bank())
    instance = ff.Watch.run(unencodable)
    assert ff.started.wait(10)
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(5)
    result = instance.wait_for_completion(timeout=10)
    if unencodable:
        assert 'raise CancellationError("stopped watching", threading.Lock())' in result["remote"]
        assert result["type"] == "RemoteExceptionStandIn"
        assert result["class_name"] == "awsflow.core.exceptions:CancellationError"
        assert "('stopped watching', <unlocked _thread.lock object" in result["message"]
    else:
        assert "get_context().heartbeat()" in result["remote"]
        assert result["type"] == "ActivityCancelledError"
        assert result["message"] == "Cancel was requested during activity heartbeat"
