"""Failure details as values: a chain in, the same chain out, every link (or a stand-in naming it)
with its traceback; never a bare RuntimeError, never over SWF's 32,768 characters."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from botoflow_shims import botoflow, install_botoflow_shims

from awsflow import WorkflowDefinition, activities, activity, execute
from awsflow._swf import decode_failure, encode_failure
from awsflow.data_converter import JSONDataConverter, PickleDataConverter, UnknownRemoteException
from awsflow.exceptions import (
    ActivityTaskCanceledError,
    ActivityTaskFailedError,
    ActivityTaskTimedOutError,
    ChildWorkflowFailedError,
    RemoteExceptionStandIn,
)
from awsflow.workers._registry import extract_activities, extract_workflows_dict
from awsflow.workflow_execution import WorkflowExecution

JSON = JSONDataConverter()
LIMIT = 32_768


class Declined(Exception):
    def __init__(self, card: str) -> None:
        super().__init__(card)  # args as __init__ takes them: pickle rebuilds it by calling it
        self.card = card

    def __str__(self) -> str:
        return f"card {self.card} declined"


class Locked(Exception):
    """Cannot be written by the JSON converter: it holds a lock."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Cards:
    @activity("1.0")
    def charge(self, card: str) -> None:
        raise NotImplementedError


class Checkout(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=60)
    def run(self) -> None:
        return None


CHARGE = extract_activities([Cards()])["Cards.charge"][1]
CHECKOUT = extract_workflows_dict([Checkout])[("Checkout", "1.0")][1]
FRAMES = [("workflow.py", 12, "run", "yield Cards.charge(card)")]
ACTIVITY_FRAMES = [("cards.py", 40, "charge", "raise Declined(card)")]


def activity_failed(cause: BaseException) -> ActivityTaskFailedError:
    return ActivityTaskFailedError(7, CHARGE, "1", cause, ACTIVITY_FRAMES)


def child_failed(cause: BaseException) -> ChildWorkflowFailedError:
    execution = WorkflowExecution("order-1:1", "run-2")
    return ChildWorkflowFailedError(11, CHECKOUT, execution, cause, [("checkout.py", 3, "run", "yield")])


def chain_of(error: Any) -> list[Any]:
    links = []
    while error is not None:
        links.append(error)
        error = getattr(error, "cause", None) if not isinstance(error, Declined) else None
    return links


def round_trip(error: BaseException, converter: Any = JSON, frames: Any = FRAMES) -> tuple[Any, Any]:
    details = encode_failure(converter, error, frames)
    assert len(details) <= LIMIT
    return decode_failure(converter, details)


@pytest.mark.parametrize("converter", [JSON, PickleDataConverter()], ids=["json", "pickle"])
def test_a_chain_round_trips_with_each_links_type_data_and_traceback(converter: Any) -> None:
    decoded, frames = round_trip(child_failed(activity_failed(Declined("4242"))), converter)
    child, activity_error, user = chain_of(decoded)
    assert type(child) is ChildWorkflowFailedError and type(activity_error) is ActivityTaskFailedError
    assert (child.event_id, child.workflow_type, tuple(child.workflow_execution)) == (
        11,
        ("Checkout", "1.0"),
        ("order-1:1", "run-2"),
    )
    assert (activity_error.event_id, activity_error.activity_type, activity_error.activity_id) == (
        7,
        ("Cards.charge", "1.0"),
        "1",
    )
    assert type(user) is Declined and user.card == "4242" and str(user) == "card 4242 declined"
    assert frames == FRAMES
    assert "raise Declined(card)" in "".join(activity_error.format_exc())
    assert str(activity_error) == "activity Cards.charge (id 1) failed: Declined('4242')"


def test_timeouts_and_cancellations_keep_their_fields() -> None:
    timed_out, _ = round_trip(ActivityTaskTimedOutError(9, CHARGE, "2", "HEARTBEAT"))
    assert (type(timed_out), timed_out.timeout_type, timed_out.activity_type) == (
        ActivityTaskTimedOutError,
        "HEARTBEAT",
        ("Cards.charge", "1.0"),
    )
    canceled, _ = round_trip(
        ActivityTaskCanceledError(9, CHARGE, "2", Declined("1"), 8, 5, 6, ACTIVITY_FRAMES)
    )
    assert type(canceled) is ActivityTaskCanceledError and type(canceled.cause) is Declined
    assert (canceled.latest_cancel_requested_event_id, canceled.scheduled_event_id) == (8, 5)
    assert canceled._traceback == ACTIVITY_FRAMES


def test_only_the_link_that_cannot_be_written_becomes_a_stand_in() -> None:
    decoded, frames = round_trip(child_failed(activity_failed(Locked("vault closed"))))
    child, activity_error, stand_in = chain_of(decoded)
    assert type(child) is ChildWorkflowFailedError and type(activity_error) is ActivityTaskFailedError
    assert type(stand_in) is RemoteExceptionStandIn
    assert stand_in.class_name == f"{Locked.__module__}:Locked"
    assert stand_in.message == "vault closed"
    assert "JSONDataConverter cannot encode it" in stand_in.problem and "_thread.lock" in stand_in.problem
    assert activity_error._traceback == ACTIVITY_FRAMES and frames == FRAMES


def test_an_unwritable_head_is_a_stand_in_that_keeps_its_traceback_and_the_rest_of_the_chain() -> None:
    class Wrapper(ActivityTaskFailedError):
        pass

    head = Wrapper(7, CHARGE, "1", Declined("9"), ACTIVITY_FRAMES)  # defined in a function: no reader
    head.socket = threading.Lock()  # type: ignore[attr-defined]
    decoded, _ = round_trip(head)
    assert type(decoded) is RemoteExceptionStandIn
    assert decoded.class_name.endswith("Wrapper") and decoded._traceback == ACTIVITY_FRAMES
    assert type(decoded.cause) is Declined


def test_a_cyclic_chain_ends_in_a_stand_in_saying_so() -> None:
    first = activity_failed(Declined("1"))
    second = child_failed(first)
    first.cause = second
    decoded, _ = round_trip(second)
    links = []
    while isinstance(decoded, (ChildWorkflowFailedError, ActivityTaskFailedError)):
        links.append(decoded)
        decoded = decoded.cause
    assert type(decoded) is RemoteExceptionStandIn and "longer than 32 links (or loops)" in decoded.problem
    assert len(links) == 32


def test_a_long_traceback_keeps_its_innermost_frames_and_says_how_many_it_left_out() -> None:
    frames = [("deep.py", n, f"level{n}", "x = recurse() " * 20) for n in range(2000)]
    decoded, kept = round_trip(activity_failed(Declined("7")), frames=frames)
    assert type(decoded) is ActivityTaskFailedError and type(decoded.cause) is Declined  # types kept
    assert kept[0] == "  ... 1980 outer frames left out (SWF's size limit)\n"
    assert kept[1:] == frames[-20:]


def test_a_huge_message_is_cut_in_a_stand_in_that_says_so() -> None:
    huge = Declined("x" * 100_000)
    decoded, _ = round_trip(activity_failed(huge))
    activity_error, stand_in = chain_of(decoded)
    assert type(activity_error) is RemoteExceptionStandIn  # every link stood in, the chain kept
    assert activity_error.class_name == "awsflow.exceptions:ActivityTaskFailedError"
    assert stand_in.class_name == f"{Declined.__module__}:Declined"
    assert stand_in.message == "card " + "x" * 995 + "... (100014 characters, cut)"
    assert "SWF accepts 32768" in stand_in.problem


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ("disk full", "disk full"),  # another SDK's (or a console user's) text
        ('{"errorMessage": "disk full"}', '{"errorMessage": "disk full"}'),  # JSON, not ours
    ],
)
def test_details_another_program_wrote_arrive_as_a_stand_in_holding_them(details: str, message: str) -> None:
    decoded, frames = decode_failure(JSON, details)
    assert type(decoded) is RemoteExceptionStandIn and decoded.message == message
    assert frames is None


def test_a_link_the_reader_refuses_is_a_stand_in_and_the_links_around_it_are_read() -> None:
    details = encode_failure(JSON, child_failed(activity_failed(Declined("5"))), FRAMES)
    # Damage the innermost link only: an argument the converter cannot read (bad base64).
    tree = json.loads(details)
    innermost = tree[0]["__obj"][1]["cause"]["__obj"][1]["cause"]
    innermost["__exc"][0] = [{"__bin": "not base64!"}]
    decoded, frames = decode_failure(JSON, json.dumps(tree))
    child, activity_error, stand_in = chain_of(decoded)
    assert type(child) is ChildWorkflowFailedError and type(activity_error) is ActivityTaskFailedError
    assert type(stand_in) is RemoteExceptionStandIn
    assert stand_in.class_name == f"{Declined.__module__}:Declined"
    assert stand_in.message == "<unreadable>" and "cannot decode __bin" in stand_in.problem
    assert activity_error._traceback == ACTIVITY_FRAMES and frames == FRAMES


def test_an_exception_whose_class_is_not_loaded_here_still_decodes_by_name() -> None:
    details = encode_failure(JSON, activity_failed(Declined("3")), FRAMES).replace(
        f"{Declined.__module__}:Declined", "billing.errors:CardDeclined"
    )
    decoded, _ = decode_failure(JSON, details)
    assert (
        type(decoded.cause) is UnknownRemoteException
        and decoded.cause.class_name == "billing.errors:CardDeclined"
    )


@pytest.mark.skipif(
    botoflow is None, reason="botoflow 0.8 is a test extra (pip install --no-deps botoflow==0.8)"
)
def test_a_workflow_failure_botoflow_wrote_decodes_with_its_chain() -> None:
    """botoflow wrote ActivityTaskFailedError with its ActivityType object inside (an object the
    JSON converter refuses): that link is a stand-in, the cause and tracebacks are read."""
    install_botoflow_shims()
    from botoflow import exceptions as bf_exceptions
    from botoflow.data_converter import JSONDataConverter as BotoflowJSON
    from botoflow.flow_types import ActivityType as BotoflowActivityType

    activity_type = BotoflowActivityType("1.0", name="Shop.charge")
    error = bf_exceptions.ActivityTaskFailedError(
        24, activity_type, "3", ValueError("declined 3500.0"), ACTIVITY_FRAMES
    )
    details = BotoflowJSON().dumps([error, FRAMES])  # what its FailWorkflowExecution carried
    assert "botoflow.flow_types.activity_type:ActivityType" in details
    decoded, frames = decode_failure(JSON, details)
    assert type(decoded) is RemoteExceptionStandIn
    assert decoded.class_name == "botoflow.exceptions:ActivityTaskFailedError"
    assert type(decoded.cause) is ValueError and decoded.cause.args == ("declined 3500.0",)
    assert [tuple(frame) for frame in decoded._traceback] == ACTIVITY_FRAMES
    assert [tuple(frame) for frame in frames] == FRAMES
    assert decoded.message == "(24, '<unreadable>', '3')"


def test_the_stand_in_and_awsflows_errors_survive_pickle_too() -> None:
    converter = PickleDataConverter()
    decoded, _ = round_trip(activity_failed(Locked("no pickling a lock")), converter)
    assert type(decoded) is ActivityTaskFailedError
    assert type(decoded.cause) is RemoteExceptionStandIn and "PickleDataConverter" in decoded.cause.problem
    assert json.loads(json.dumps(decoded.cause.message)) == "no pickling a lock"
