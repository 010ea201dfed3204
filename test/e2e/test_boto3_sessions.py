"""Workers and starters take a boto3 Session as well as a botocore one (README: "a botocore or
boto3 session"); boto3 is only a test dependency."""

from __future__ import annotations

from typing import Any

import flows
import pytest
from flowkit import TASK_LIST

from awsflow import ActivityWorker, WorkflowWorker, workflow_starter
from awsflow.local import LocalSWF

boto3 = pytest.importorskip("boto3", reason="boto3 is needed to test boto3 sessions")


@pytest.fixture
def session(swf: LocalSWF, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", swf.endpoint_url)
    swf.client().register_domain(name="shop", workflowExecutionRetentionPeriodInDays="1")
    return boto3.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1")


def test_a_workflow_runs_with_workers_and_a_starter_made_from_a_boto3_session(session: Any) -> None:
    with (
        WorkflowWorker(session, "us-east-1", "shop", TASK_LIST, flows.Purchase),
        ActivityWorker(session, "us-east-1", "shop", TASK_LIST, flows.Shop()),
    ):
        with workflow_starter(session, "us-east-1", "shop", TASK_LIST):
            instance = flows.Purchase.buy("pear", 2)
        assert instance.wait_for_completion(timeout=30) == "receipt for 1.5"


def test_anything_else_is_refused_with_a_type_error() -> None:
    with pytest.raises(TypeError, match="botocore or boto3 session"):
        WorkflowWorker(object(), "us-east-1", "shop", TASK_LIST, flows.Purchase)
