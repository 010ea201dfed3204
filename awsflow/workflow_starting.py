"""Starting workflow executions from outside a worker, and waiting for their results.

``workflow_starter`` is botoflow's context manager: inside it, calling a workflow's ``@execute``
method starts an execution and returns an instance whose ``workflow_execution`` names it.
``instance.wait_for_completion(timeout)`` (or the starter's ``wait_for_completion``) returns the
result or raises the workflow's failure, without spinning.

Starts and signals go the lean way (:mod:`awsflow._wire`: ~0.2 ms of CPU a start, ~1 ms through
botocore) unless the client must make them itself (a Stubber, a hook of its own, a proxy...);
either way a request botocore refuses raises its ``ParamValidationError`` and SWF's errors
awsflow's (``WorkflowExecutionAlreadyStartedError``...).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from ._runtime import StartWorkflowContext, current, set_context
from .workers._caller import SwfCaller

__all__ = ["workflow_starter"]


class workflow_starter(SwfCaller):  # botoflow's name
    """Start workflows: ``with workflow_starter(session, region, domain, task_list): Wf.start(...)``.

    Args:
        session: a botocore (or boto3) session.
        aws_region: the SWF region.
        domain: the domain to start executions in.
        default_task_list: the decision task list for workflow types registered with the
            worker's task list (``USE_WORKER_TASK_LIST``).
        client: a ready botocore SWF client (keyword only).
    """

    def __init__(
        self, session: Any, aws_region: str, domain: str, default_task_list: str, *, client: Any = None
    ) -> None:
        super().__init__(session, aws_region, domain, default_task_list, client=client)
        self._outer_contexts: list[Any] = []

    def __enter__(self) -> workflow_starter:
        self._outer_contexts.append(current())
        set_context(StartWorkflowContext(self))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        set_context(self._outer_contexts.pop())

    def wait_for_completion(
        self, workflow_instance: Any, poll_sleep_time: float | None = None, attempt_count: int | None = None
    ) -> Any:
        """The workflow's result (raising its failure); botoflow's signature.

        ``poll_sleep_time * attempt_count`` bounds the wait when both are given.
        """
        timeout = None
        if poll_sleep_time is not None and attempt_count is not None:
            timeout = poll_sleep_time * attempt_count
        return workflow_instance.wait_for_completion(timeout)
