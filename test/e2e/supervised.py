"""Activities and workflows of the supervised-pool tests (a module: child processes import it)."""

from __future__ import annotations

import os
import threading
from typing import Any

from awsflow import WorkflowDefinition, activities, activity, execute
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
