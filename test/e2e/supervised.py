"""Activities and workflows of the supervised-pool tests (a module: child processes import it)."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

from awsflow import WorkflowDefinition, activities, activity, execute, get_context
from awsflow.exceptions import ActivityTaskFailedError


@activities(schedule_to_start_timeout=60, start_to_close_timeout=300)
class Fragile:
    @activity("1.0")
    def work(self, attempt: int) -> int:
        """Hangs on the first attempt (until its process is killed); then returns its pid."""
        if attempt == 1:
            threading.Event().wait()
        return os.getpid()

    @activity("1.0")
    def exit_hard(self, code: int) -> int:
        """Ends its process with ``code`` on a non-zero code, as a crash in native code would."""
        if code:
            os._exit(code)
        return os.getpid()


class RetriesAfterCrash(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self) -> Any:
        try:
            return (yield Fragile.work(1))
        except ActivityTaskFailedError as error:
            return [str(error.cause), (yield Fragile.work(2))]


class ExitsThenRecovers(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, code: int) -> Any:
        try:
            return (yield Fragile.exit_hard(code))
        except ActivityTaskFailedError as error:
            return [str(error.cause), (yield Fragile.exit_hard(0))]


@activities(schedule_to_start_timeout=60, start_to_close_timeout=300)
class Holding:
    @activity("1.0")
    def hold(self, n: int) -> int:
        """Never returns (its process is killed at shutdown): it only holds a slot."""
        threading.Event().wait()
        return n

    @activity("1.0")
    def beat(self, times: int) -> int:
        """Heartbeats ``times`` times by hand; returns its pid."""
        for _ in range(times):
            get_context().heartbeat()
        return os.getpid()

    @activity("1.0")
    def die(self) -> int:
        """Kills its own process the moment it starts: right after the child reported the task."""
        os.kill(os.getpid(), signal.SIGKILL)
        return 0


class Holds(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, count: int) -> Any:
        return (yield [Holding.hold(n) for n in range(count)])


class Beats(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, times: int) -> Any:
        return (yield Holding.beat(times))


class Dies(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self) -> Any:
        try:
            return (yield Holding.die())
        except ActivityTaskFailedError as error:
            return str(error.cause)
