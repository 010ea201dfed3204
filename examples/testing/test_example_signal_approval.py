"""A signal-driven approval: signals at chosen instants, queries, and the two-day expiry."""

from __future__ import annotations

import pytest
from example_workflows import DAY, Approval, PublishingActivities

from awsflow.exceptions import WorkflowCanceledError
from awsflow.testing import WorkflowEnvironment


def test_an_approved_document_is_published(swf_env: WorkflowEnvironment) -> None:
    swf_env.start_workers(Approval, PublishingActivities())
    handle = swf_env.start(Approval.review, "report.pdf")
    swf_env.sleep(3600)  # the reviewer takes an hour; the workflow has decided by now
    assert handle.query("status") == "waiting"
    handle.signal("approve")
    assert handle.result() == "report.pdf published"
    assert handle.query("status") == "approve"


def test_a_rejected_document_is_not_published(swf_env: WorkflowEnvironment) -> None:
    swf_env.start_workers(Approval, PublishingActivities())
    handle = swf_env.start(Approval.review, "draft.doc")
    swf_env.sleep(0)  # let the workflow reach its wait first
    handle.signal("reject")
    assert handle.result() == "draft.doc rejected"
    assert "ActivityTaskScheduled" not in [e["eventType"] for e in swf_env.history(handle)]


def test_without_a_review_the_document_expires_after_two_days(swf_env: WorkflowEnvironment) -> None:
    swf_env.start_workers(Approval, PublishingActivities())
    started = swf_env.now()
    handle = swf_env.start(Approval.review, "memo.txt")
    assert handle.result() == "memo.txt expired unreviewed"
    assert swf_env.now() - started == 2 * DAY


def test_a_canceled_review_closes_as_canceled(swf_env: WorkflowEnvironment) -> None:
    swf_env.start_workers(Approval, PublishingActivities())
    handle = swf_env.start(Approval.review, "old.txt")
    swf_env.sleep(0)
    handle.request_cancel()
    with pytest.raises(WorkflowCanceledError):
        handle.result()
