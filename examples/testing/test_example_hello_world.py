"""Hello world: run the workflow on real workers, then again with an activity mocked.

``swf_env`` is the pytest plugin's fixture: a fresh WorkflowEnvironment per test.
"""

from __future__ import annotations

from unittest.mock import Mock

from example_workflows import GreetingActivities, HelloWorkflow

from awsflow.testing import WorkflowEnvironment, mock_activities


def test_hello_world_greets_the_world(swf_env: WorkflowEnvironment) -> None:
    swf_env.start_workers(HelloWorkflow, GreetingActivities())
    assert swf_env.run(HelloWorkflow.hello, "Hello") == "Hello, World!"


def test_hello_world_with_a_mocked_activity(swf_env: WorkflowEnvironment) -> None:
    get_name = Mock(return_value="Ada")
    swf_env.start_workers(HelloWorkflow, mock_activities(GreetingActivities(), get_name=get_name))
    assert swf_env.run(HelloWorkflow.hello, "Hi") == "Hi, Ada!"
    get_name.assert_called_once_with()


def test_the_history_shows_both_activities(swf_env: WorkflowEnvironment) -> None:
    swf_env.start_workers(HelloWorkflow, GreetingActivities())
    handle = swf_env.start(HelloWorkflow.hello, "Hello", workflow_id="hello-1")
    handle.result()
    scheduled = [
        event["activityTaskScheduledEventAttributes"]["activityType"]["name"]
        for event in swf_env.history(handle)
        if event["eventType"] == "ActivityTaskScheduled"
    ]
    assert scheduled == ["GreetingActivities.get_name", "GreetingActivities.greet"]
    assert swf_env.history(handle)[-1]["eventType"] == "WorkflowExecutionCompleted"
