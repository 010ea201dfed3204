"""Activity workers: poll activity tasks, run the activity methods, answer.

Activities run in the polling thread (use the threaded or multiprocessing executors for more
than one at a time). ``get_context()`` inside an activity is its
:class:`~awsflow.context.ActivityContext`, with ``heartbeat(details)``.
"""

from __future__ import annotations

import logging
from typing import Any

from ._activity_runner import ActivityTask, run_activity_task
from ._registry import extract_activities
from .base_worker import BaseWorker

__all__ = ["ActivityWorker"]

logger = logging.getLogger(__name__)


class ActivityWorker(BaseWorker):
    """Runs the activities of the given ``@activities`` instances and registers their types.

    Example::

        worker = ActivityWorker(session, "us-east-1", "domain1", "tasklist1", HelloWorldActivities())
        worker.run()
    """

    def __init__(
        self,
        session: Any,
        aws_region: str,
        domain: str,
        task_list: str,
        *activity_definitions: Any,
        client: Any = None,
    ) -> None:
        super().__init__(session, aws_region, domain, task_list, client=client)
        self._activity_definitions = activity_definitions
        self._activity_names_to_methods = extract_activities(activity_definitions)
        self._register_activities()

    def _register_activities(self) -> None:
        for _, activity_type in self._activity_names_to_methods.values():
            self._register("RegisterActivityType", activity_type)

    def run_once(self) -> bool:
        task = self.poll_task()
        if task is None:
            return False
        self.handle_task(task)
        return True

    def poll_task(self) -> ActivityTask | None:
        """One long poll; the task, or None when the poll timed out empty."""
        request = {"domain": self._domain, "taskList": {"name": self._task_list}, "identity": self.identity}
        polled = self._call("PollForActivityTask", request)
        if not polled.get("taskToken"):
            return None
        return ActivityTask.from_swf(polled)

    def handle_task(self, task: ActivityTask) -> None:
        """Run the activity and send its answer."""
        response = run_activity_task(task, self._activity_names_to_methods, self)
        if response is not None:
            self._answer(*response, what=f"activity {task.name} ({task.id})")

    def request_heartbeat(self, task: ActivityTask, details: str | None = None) -> dict[str, Any]:
        """Record a heartbeat for ``task``; SWF's answer says whether a cancel was requested."""
        request: dict[str, Any] = {"taskToken": task.token}
        if details is not None:
            request["details"] = str(details)
        response: dict[str, Any] = self._call("RecordActivityTaskHeartbeat", request)
        return response
