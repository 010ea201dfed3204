"""Hello world: a workflow of two activities, run in-process on the embedded awsflow.local.

    python examples/hello_world.py

Against Amazon SWF the code is the same: give the workers a botocore session with credentials
and a region (and drop LocalSWF); ``AWS_ENDPOINT_URL_SWF`` points botocore elsewhere if needed.
"""

from __future__ import annotations

from awsflow import ActivityWorker, WorkflowDefinition, WorkflowWorker, activities, activity, execute
from awsflow.local import LocalSWF


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class HelloWorldActivities:
    @activity("1.0")
    def get_name(self) -> str:
        return "World"

    @activity("1.0")
    def print_greeting(self, name: str) -> None:
        print(f"Hello {name}!", flush=True)


class HelloWorldWorkflow(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=60)
    def hello_world(self):  # type: ignore[no-untyped-def]
        name = yield HelloWorldActivities.get_name()
        yield HelloWorldActivities.print_greeting(name)


def main() -> None:
    with LocalSWF() as swf:
        client = swf.client()  # a botocore SWF client pointed at the local service
        client.register_domain(name="domain1", workflowExecutionRetentionPeriodInDays="1")
        session = None  # with a ready client the workers need no session
        with (
            WorkflowWorker(session, "us-east-1", "domain1", "tasklist1", HelloWorldWorkflow, client=client),
            ActivityWorker(
                session, "us-east-1", "domain1", "tasklist1", HelloWorldActivities(), client=client
            ),
        ):
            instance = HelloWorldWorkflow.hello_world()
            instance.wait_for_completion(timeout=30)


if __name__ == "__main__":
    main()
