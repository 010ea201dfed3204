"""How declarations name and configure SWF types (botoflow's rules, and its bugs fixed)."""

from __future__ import annotations

from typing import Any

from awsflow import WorkflowDefinition, activities, activity, execute, workflow
from awsflow.constants import USE_WORKER_TASK_LIST


class Base(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=60)
    def start(self) -> Any:
        return None


@workflow(name="Base")
class BaseV2(Base):
    @execute(version="2.0", execution_start_to_close_timeout=60)
    def start_v2(self) -> Any:
        return None


class Plain(Base):
    pass


def names(definition: type) -> set[tuple[str, str]]:
    return {(t.name, t.version) for t in definition._workflow_types}  # type: ignore[attr-defined]


def test_a_workflow_type_is_named_after_its_class_and_each_subclass_gets_its_own() -> None:
    assert names(Base) == {("Base", "1.0")}
    assert names(Plain) == {("Plain", "1.0")}  # botoflow renamed Base's type here (a bug)
    assert names(BaseV2) == {("Base", "1.0"), ("Base", "2.0")}  # botoflow's versioning example


@activities(activity_name_prefix="billing.", start_to_close_timeout=30, task_list="billing")
class Billing:
    @activity("1.0")
    def charge(self) -> None:
        return None

    @activity("1.0", name="Refund", start_to_close_timeout=5)
    def refund(self) -> None:
        return None


@activities(schedule_to_start_timeout=10)
class Unprefixed:
    @activity("2.0")
    def ship(self) -> None:
        return None


def test_activity_names_and_option_precedence() -> None:
    charge = Billing.__dict__["charge"].activity_type
    refund = Billing.__dict__["refund"].activity_type
    ship = Unprefixed.__dict__["ship"].activity_type
    assert (charge.name, refund.name, ship.name) == ("billing.charge", "Refund", "Unprefixed.ship")
    # the method's own options win; the class fills what the method left unset
    assert (charge.start_to_close_timeout, refund.start_to_close_timeout) == (30, 5)
    assert charge.task_list == "billing"  # botoflow ignored a class-level task list (a bug)
    assert ship.task_list == USE_WORKER_TASK_LIST and ship.schedule_to_start_timeout == 10
    registration = charge.to_registration_options_dict("d", "worker-list")
    assert registration is not None
    assert registration["defaultTaskList"] == {"name": "billing"}
    assert registration["defaultTaskHeartbeatTimeout"] == "NONE"  # None registers SWF's NONE
