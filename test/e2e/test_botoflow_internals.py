"""botoflow internals that programs use: ``awsflow.utils.extract_workflows_dict`` feeding a
GenericWorkflowWorker, and the ``_get_workflow_finder`` hook (botoflow 0.8's
``workers/workflow_worker.py``; its integration tests build finders this way)."""

from __future__ import annotations

from typing import Any

import flows
import pytest
from flowkit import TASK_LIST, Flow

from awsflow import GenericWorkflowWorker, WorkflowWorker
from awsflow.utils import extract_workflows_dict

PURCHASE_TYPE = extract_workflows_dict([flows.Purchase])[("Purchase", "1.0")][1]


class WorkflowFinder:
    """A ``get_workflow`` as botoflow's own integration tests wrote it."""

    def __init__(self, *definitions: type) -> None:
        self._definitions = definitions

    def __call__(self, name: str, version: str) -> Any:
        return extract_workflows_dict(self._definitions)[(name, version)]


class FinderOverridingWorker(GenericWorkflowWorker):
    """A subclass supplying its workflows through botoflow's hook instead of ``get_workflow``."""

    def _get_workflow_finder(self) -> Any:
        table = extract_workflows_dict([flows.Purchase])
        return lambda name, version: table[(name, version)]


def test_extract_workflows_dict_maps_each_type_to_its_definition_type_and_method() -> None:
    table = extract_workflows_dict([flows.Purchase, flows.Identify])
    assert {key: (value[0], value[2]) for key, value in table.items()} == {
        ("Purchase", "1.0"): (flows.Purchase, "buy"),
        ("Identify", "1.0"): (flows.Identify, "run"),
    }
    assert (table[("Purchase", "1.0")][1].name, table[("Purchase", "1.0")][1].version) == ("Purchase", "1.0")
    with pytest.raises(TypeError, match="is not a WorkflowDefinition subclass"):
        extract_workflows_dict([flows.Shop])


def test_a_generic_worker_runs_workflows_found_through_extract_workflows_dict(flow: Flow) -> None:
    flow.activity_worker(flows.Shop())
    worker = GenericWorkflowWorker(
        None, "us-east-1", flow.domain, TASK_LIST, WorkflowFinder(flows.Purchase), client=flow.swf.client()
    )
    worker._register_workflow_type(PURCHASE_TYPE)  # botoflow's way to register for a generic worker
    with worker:
        assert flows.Purchase.buy("pear", 4).wait_for_completion(timeout=10) == "receipt for 3.0"


def test_get_workflow_finder_returns_the_finder_and_a_subclass_may_override_it(flow: Flow) -> None:
    finder = WorkflowFinder(flows.Purchase)
    generic = GenericWorkflowWorker(
        None, "us-east-1", flow.domain, TASK_LIST, finder, client=flow.swf.client()
    )
    assert generic._get_workflow_finder() is finder
    plain = WorkflowWorker(
        None, "us-east-1", flow.domain, TASK_LIST, flows.Purchase, client=flow.swf.client()
    )
    assert plain._get_workflow_finder()("Purchase", "1.0")[0] is flows.Purchase

    flow.activity_worker(flows.Shop())
    overriding = FinderOverridingWorker(
        None, "us-east-1", flow.domain, TASK_LIST, None, client=flow.swf.client()
    )
    overriding._register_workflow_type(PURCHASE_TYPE)
    with overriding:
        assert flows.Purchase.buy("apple", 2).wait_for_completion(timeout=10) == "receipt for 1.0"


def test_a_generic_worker_without_a_finder_is_refused_at_construction(flow: Flow) -> None:
    with pytest.raises(TypeError, match="needs get_workflow: a callable"):
        GenericWorkflowWorker(None, "us-east-1", flow.domain, TASK_LIST, None, client=flow.swf.client())


def test_the_utils_module_is_only_a_re_export() -> None:
    import awsflow.utils
    from awsflow.workers import _registry

    assert awsflow.utils.__all__ == ["extract_workflows_dict"]
    assert awsflow.utils.extract_workflows_dict is _registry.extract_workflows_dict
