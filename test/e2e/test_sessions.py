"""Workers and starters take a botocore or a boto3 session, as README promises (issue 10 item 12).

The session's own chain gives credentials and endpoint: here ``AWS_ENDPOINT_URL_SWF`` points it
at awsflow.local, as a user would. boto3 is a test dependency only; awsflow never imports it.
"""

from __future__ import annotations

import boto3
import botocore.session
import flows
import pytest
from flowkit import TASK_LIST, Flow

from awsflow import ActivityWorker, WorkflowWorker, workflow_starter


@pytest.fixture(params=["boto3", "botocore"])
def session(request: pytest.FixtureRequest, flow: Flow, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", flow.swf.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "awsflow-local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "awsflow-local")
    if request.param == "boto3":
        return boto3.Session(region_name="us-east-1")
    return botocore.session.get_session()


def test_workers_and_starters_run_a_workflow_from_a_session(flow: Flow, session: object) -> None:
    with (
        WorkflowWorker(session, "us-east-1", flow.domain, TASK_LIST, flows.Purchase),
        ActivityWorker(session, "us-east-1", flow.domain, TASK_LIST, flows.Shop()),
    ):
        with workflow_starter(session, "us-east-1", flow.domain, TASK_LIST) as starter:
            instance = flows.Purchase.buy("apple", 2)
        assert starter.wait_for_completion(instance, 0.1, 100) == "receipt for 1.0"


def test_anything_else_is_refused_with_a_clear_error() -> None:
    with pytest.raises(TypeError, match="botocore or boto3 session"):
        WorkflowWorker(object(), "us-east-1", "d", TASK_LIST, flows.Purchase)
