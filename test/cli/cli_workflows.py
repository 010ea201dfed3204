"""The workflows the command-line tests run (a module, so ``--workflows cli_workflows:Greeter``
imports it, in the test process and in a subprocess)."""

from __future__ import annotations

from typing import Any

from awsflow import Future, WorkflowDefinition, activities, activity, execute, query, signal, workflow

TASK_LIST = "cli-tests"


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Greetings:
    @activity("1.0")
    def hello(self, names: str) -> str:
        return f"hello {names}"


class Greeter(WorkflowDefinition):
    """Collects names by signal until ``finish``, then greets them all."""

    @execute(version="1.0", execution_start_to_close_timeout=3600, task_start_to_close_timeout=30)
    def run(self, name: str) -> Any:
        self.names = [name]
        self.finished = Future()
        yield self.finished
        return (yield Greetings.hello(",".join(self.names)))

    @signal()
    def add(self, name: str) -> None:
        self.names.append(name)

    @signal()
    def finish(self) -> None:
        self.finished.set_result(None)

    @query
    def names_so_far(self) -> list[str]:
        return list(self.names)


@workflow(name="Greeter")
class GreeterChanged(WorkflowDefinition):
    """Greeter 1.0 changed incompatibly: it greets before waiting for the names."""

    @execute(version="1.0", execution_start_to_close_timeout=3600, task_start_to_close_timeout=30)
    def run(self, name: str) -> Any:
        self.names = [name]
        early = yield Greetings.hello(name)  # THE CHANGED CALL
        return early

    @query
    def names_so_far(self) -> list[str]:
        return list(self.names)
