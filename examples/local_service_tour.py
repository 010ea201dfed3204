"""A tour of awsflow.local: one workflow execution driven by hand with a plain botocore client.

Run: ``python examples/local_service_tour.py``. It starts the embedded SWF-compatible service,
registers a domain and types, starts an execution, plays decider and activity worker, and prints
the resulting history — what the awsflow framework automates.
"""

from __future__ import annotations

import json

from awsflow.local import LocalSWF

DOMAIN = "tour"
TASK_LIST = {"name": "tour-tasks"}


def main() -> None:
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        client.register_workflow_type(
            domain=DOMAIN,
            name="HelloWorldWorkflow",
            version="1.0",
            defaultTaskList=TASK_LIST,
            defaultExecutionStartToCloseTimeout="60",
            defaultTaskStartToCloseTimeout="10",
            defaultChildPolicy="TERMINATE",
        )
        client.register_activity_type(
            domain=DOMAIN,
            name="HelloWorldActivities.greeting",
            version="1.0",
            defaultTaskList=TASK_LIST,
            defaultTaskScheduleToStartTimeout="60",
            defaultTaskStartToCloseTimeout="60",
            defaultTaskScheduleToCloseTimeout="120",
            defaultTaskHeartbeatTimeout="NONE",
        )
        run = client.start_workflow_execution(
            domain=DOMAIN,
            workflowId="hello-1",
            workflowType={"name": "HelloWorldWorkflow", "version": "1.0"},
            input=json.dumps("World"),
        )

        # Decider: schedule the greeting activity with the workflow's input.
        task = client.poll_for_decision_task(domain=DOMAIN, taskList=TASK_LIST, identity="decider")
        started = task["events"][0]["workflowExecutionStartedEventAttributes"]
        client.respond_decision_task_completed(
            taskToken=task["taskToken"],
            decisions=[
                {
                    "decisionType": "ScheduleActivityTask",
                    "scheduleActivityTaskDecisionAttributes": {
                        "activityType": {"name": "HelloWorldActivities.greeting", "version": "1.0"},
                        "activityId": "greeting-1",
                        "input": started["input"],
                    },
                }
            ],
        )

        # Activity worker: do the work, report the result.
        activity = client.poll_for_activity_task(domain=DOMAIN, taskList=TASK_LIST, identity="worker")
        greeting = f"Hello {json.loads(activity['input'])}!"
        print(greeting)
        client.respond_activity_task_completed(taskToken=activity["taskToken"], result=json.dumps(greeting))

        # Decider again: the activity completed, so complete the workflow with its result.
        task = client.poll_for_decision_task(domain=DOMAIN, taskList=TASK_LIST, identity="decider")
        completed = next(e for e in task["events"] if e["eventType"] == "ActivityTaskCompleted")
        client.respond_decision_task_completed(
            taskToken=task["taskToken"],
            decisions=[
                {
                    "decisionType": "CompleteWorkflowExecution",
                    "completeWorkflowExecutionDecisionAttributes": {
                        "result": completed["activityTaskCompletedEventAttributes"]["result"]
                    },
                }
            ],
        )

        history = client.get_workflow_execution_history(
            domain=DOMAIN, execution={"workflowId": "hello-1", "runId": run["runId"]}
        )
        for event in history["events"]:
            print(f"{event['eventId']:>3} {event['eventType']}")


if __name__ == "__main__":
    main()
