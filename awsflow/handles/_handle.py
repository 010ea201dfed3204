"""A handle on one workflow execution, used from outside workflow code.

What ``with workflow_starter(...): Workflow.start(...)`` returns is the workflow's instance
(botoflow's API); its handle methods (``signal``, ``request_cancel``, ``terminate``,
``describe``, ``history``, ``result``) delegate to a :class:`WorkflowHandle` made by the worker
or starter that started it. :func:`get_workflow` makes one for any execution, by workflow id
(and run id), with a botocore SWF client.

Every method is one or a few SWF calls; nothing is cached but the run id, once found. Without a
run id, ``signal``, ``request_cancel`` and ``terminate`` act on the open run as SWF does when
``runId`` is omitted; the reading methods look for the open run, else the newest closed one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import botocore.session
from botocore import xform_name

from .._swf import LIMITS, check_size, read_history
from ..data_converter import JSONDataConverter
from ..queries import query_workflow
from ..swf_exceptions import UnknownResourceError, swf_exception_wrapper
from ..workflow_definition import execute_methods
from ..workflow_execution import WorkflowExecution
from ._description import ExecutionDescription, describe_execution
from ._events import HistoryEvent, iter_history
from ._results import Waiter, sleep_wait, wait_for_result

__all__ = ["WorkflowHandle", "get_workflow"]

Caller = Callable[[str, dict[str, Any]], Any]

_PAGE_SIZE = 1000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class WorkflowHandle:
    """One workflow execution, seen from outside: signal, cancel, terminate, describe, read.

    Make one with :func:`get_workflow`, or use the methods of the instance that starting a
    workflow returns.

    Args:
        call: sends one SWF request: ``call("DescribeWorkflowExecution", {...})`` returns SWF's
            answer and raises :class:`~awsflow.swf_exceptions.SWFResponseError` subclasses.
        domain: the execution's domain.
        workflow_id: its workflow id.
        run_id: its run id; None means the open run, or else the newest closed one.
        definition: the WorkflowDefinition subclass it runs (needed by :meth:`query`; its
            workflow type's data converter decodes results and encodes signals).
        data_converter: the converter to use instead (default: the JSON one, as botoflow's).
        wait: how to wait between checks in :meth:`result` (see :mod:`awsflow.handles`).

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        call: Caller,
        domain: str,
        workflow_id: str,
        run_id: str | None = None,
        *,
        definition: type | None = None,
        data_converter: Any = None,
        wait: Waiter = sleep_wait,
    ) -> None:
        if not workflow_id:
            raise ValueError("a workflow handle needs a workflow id")
        self._call = call
        self.domain = domain
        self.workflow_id = workflow_id
        self._run_id = run_id or None
        self.definition = definition
        self.data_converter = data_converter or _converter_of(definition)
        self._wait = wait

    def __repr__(self) -> str:
        return f"<WorkflowHandle {self.domain}/{self.workflow_id} run {self._run_id or '(latest)'}>"

    # -- naming the run ---------------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        """The run id: given, or found (the open run, else the newest closed one).

        Raises:
            UnknownResourceError: the domain has no execution with this workflow id.
        """
        if self._run_id is None:
            self._run_id = self._latest_run()
        return self._run_id

    @property
    def workflow_execution(self) -> WorkflowExecution:
        """``(workflow_id, run_id)``, finding the run id if it was not given."""
        return WorkflowExecution(self.workflow_id, self.run_id)

    def _latest_run(self) -> str:
        request = {
            "domain": self.domain,
            "startTimeFilter": {"oldestDate": _EPOCH},
            "executionFilter": {"workflowId": self.workflow_id},
            "maximumPageSize": 1,
        }
        for operation in ("ListOpenWorkflowExecutions", "ListClosedWorkflowExecutions"):
            infos = self._call(operation, request).get("executionInfos", ())
            if infos:
                run_id: str = infos[0]["execution"]["runId"]
                return run_id
        message = f"Unknown execution: workflowId={self.workflow_id} in domain {self.domain}"
        raise UnknownResourceError(message, "UnknownResourceFault")

    def _target(self) -> dict[str, str]:
        target = {"workflowId": self.workflow_id}
        if self._run_id:
            target["runId"] = self._run_id
        return target

    def _execution(self) -> dict[str, str]:
        return {"workflowId": self.workflow_id, "runId": self.run_id}

    # -- acting on it -------------------------------------------------------------------------------
    def signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Send the signal ``name`` with these arguments (encoded as ``[args, kwargs]``, as a
        ``@signal`` method's call does).

        Raises:
            UnknownResourceError: no such open execution.
            PayloadTooLargeError: the encoded input is over SWF's limit.
        """
        encoded = self.data_converter.dumps([args, kwargs])
        check_size(f"input of signal {name}", encoded, LIMITS.payload)
        request = {"domain": self.domain, **self._target(), "signalName": name, "input": encoded}
        self._call("SignalWorkflowExecution", request)

    def request_cancel(self) -> None:
        """Ask SWF to cancel the execution (RequestCancelWorkflowExecution): the workflow's code
        sees the request at its next decision and may clean up (``cancellation_handler``)."""
        self._call("RequestCancelWorkflowExecution", {"domain": self.domain, **self._target()})

    def terminate(
        self, reason: str | None = None, details: str | None = None, *, child_policy: str | None = None
    ) -> None:
        """End the execution at once (TerminateWorkflowExecution); its code is not told.

        Args:
            reason: a short reason, recorded in the history (SWF's limit: 256 characters).
            details: longer details (SWF's limit: 32,768 characters).
            child_policy: TERMINATE, REQUEST_CANCEL or ABANDON; default: the execution's own.
        """
        request: dict[str, Any] = {"domain": self.domain, **self._target()}
        if reason is not None:
            request["reason"] = reason
        if details is not None:
            request["details"] = details
        if child_policy is not None:
            request["childPolicy"] = child_policy
        self._call("TerminateWorkflowExecution", request)

    # -- reading it --------------------------------------------------------------------------------
    def describe(self) -> ExecutionDescription:
        """Its status, type, times, open counts, pending decision and activity tasks, and why
        its decisions keep failing if they do (DescribeWorkflowExecution and the history)."""
        answer = self._call(
            "DescribeWorkflowExecution", {"domain": self.domain, "execution": self._execution()}
        )
        return describe_execution(answer, self.wire_history())

    def history(self, *, decode: bool = False, reverse: bool = False) -> Iterator[HistoryEvent]:
        """Its history events, fetched a page at a time as the iteration reaches them.

        Args:
            decode: also decode each event's payloads (``HistoryEvent.decoded``).
            reverse: newest first.
        """
        request = {
            "domain": self.domain,
            "execution": self._execution(),
            "maximumPageSize": _PAGE_SIZE,
            "reverseOrder": reverse,
        }
        return iter_history(self._call, request, self.data_converter if decode else None)

    def wire_history(self) -> list[dict[str, Any]]:
        """Every event of its history as SWF sent it (the dicts GetWorkflowExecutionHistory gives)."""
        request = {"domain": self.domain, "execution": self._execution(), "maximumPageSize": _PAGE_SIZE}
        return read_history(self._call, request)

    def result(self, timeout: float | None = None) -> Any:
        """Wait for the execution to close (following continue-as-new) and return its result.

        Raises:
            WorkflowFailedError: it failed (``.cause`` is the workflow's exception).
            WorkflowTimedOutError, WorkflowTerminatedError, WorkflowCanceledError: it closed so.
            TimeoutError: it is still open after ``timeout`` seconds.
        """
        return wait_for_result(
            self._call, self.domain, self.workflow_execution, self.data_converter, timeout, self._wait
        )

    def query(self, name: str, /, *args: Any, **kwargs: Any) -> Any:
        """Ask the ``@query`` method ``name`` of the handle's ``definition`` (see
        :mod:`awsflow.queries`: answered by replaying the history here).

        Raises:
            TypeError: the handle was made without a ``definition``.
        """
        if self.definition is None:
            raise TypeError(
                f"{self!r} has no workflow definition: pass definition=YourWorkflow to get_workflow to query it"
            )
        return query_workflow(
            _QueryCaller(self.domain, self._call),
            self.definition,
            self.workflow_execution,
            name,
            *args,
            **kwargs,
        )


class _QueryCaller:
    """What :func:`awsflow.queries.query_workflow` needs of a caller: the domain and the call."""

    def __init__(self, domain: str, call: Caller) -> None:
        self.domain = domain
        self.task_list = ""  # a query's replay makes no decisions: no task list is named
        self.call = call


def _converter_of(definition: type | None) -> Any:
    """The data converter of ``definition``'s workflow types (JSON, botoflow's, without one)."""
    if definition is not None:
        for workflow_type in execute_methods(definition):
            return workflow_type.data_converter
    return JSONDataConverter()


def get_workflow(
    domain: str,
    workflow_id: str,
    run_id: str | None = None,
    *,
    client: Any = None,
    definition: type | None = None,
    data_converter: Any = None,
) -> WorkflowHandle:
    """A handle on the execution ``workflow_id`` (run ``run_id``; default the open or newest).

    Example::

        handle = awsflow.get_workflow("orders", "order-42", client=botocore_swf_client)
        handle.signal("approve", "alice")
        print(handle.describe().status, handle.result(timeout=60))

    Args:
        domain: the SWF domain.
        workflow_id: the execution's workflow id.
        run_id: the run; None for the open run (else the newest closed one).
        client: a botocore SWF client; default: one from botocore's default session (its
            usual chain of credentials, region and ``AWS_ENDPOINT_URL_SWF``).
        definition: the WorkflowDefinition subclass the execution runs (for queries, and its
            data converter).
        data_converter: a data converter to use instead of the definition's.

    .. versionadded:: 0.1
    """
    if client is None:
        client = botocore.session.get_session().create_client("swf")
    return WorkflowHandle(
        client_caller(client),
        domain,
        workflow_id,
        run_id,
        definition=definition,
        data_converter=data_converter,
    )


def client_caller(client: Any) -> Caller:
    """``call(operation, request)`` for a botocore SWF client, raising awsflow's SWF errors."""

    def call(operation: str, request: dict[str, Any]) -> Mapping[str, Any]:
        with swf_exception_wrapper():
            answer: Mapping[str, Any] = getattr(client, xform_name(operation))(**request)
            return answer

    return call
