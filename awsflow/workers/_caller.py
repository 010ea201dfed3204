"""What workers and starters share: a botocore SWF client, and starting and signalling executions.

Starts and signals go the lean way (:mod:`awsflow._wire`) whenever the client qualifies: a
starter process spent ~1 ms of CPU a start in botocore, five times the lean call's.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from botocore import xform_name
from botocore.config import Config

from .._swf import check_size
from .._wire import STARTING_OPERATIONS, LeanClient
from ..context import StartWorkflowContext, peek_context
from ..handles import WorkflowHandle
from ..swf_exceptions import swf_exception_wrapper
from ..workflow_execution import WorkflowExecution
from . import _closures

logger = logging.getLogger(__name__)


class SwfCaller:
    """Holds the SWF client (created from a session on first use, or given ready) and its calls.

    Args:
        session: a botocore (or boto3) session; credentials and endpoint come from its chain
            (``AWS_ENDPOINT_URL_SWF`` points it at awsflow.local).
        aws_region: the SWF region.
        domain: the SWF domain (it must exist).
        task_list: the task list to poll, or the default one for starting workflows.
        client: a ready botocore SWF client to use instead of creating one (keyword only).
    """

    # The operations this caller sends the lean way when its client qualifies (a worker: its hot
    # ones too).
    _lean_operations: frozenset[str] = STARTING_OPERATIONS

    def __init__(
        self, session: Any, aws_region: str, domain: str, task_list: str, *, client: Any = None
    ) -> None:
        if client is None and _client_factory(session) is None:
            raise TypeError(f"session must be a botocore or boto3 session, not {session!r}")
        self._session = session
        self._aws_region = aws_region
        self._domain = domain
        self._task_list = task_list
        self._client = client
        # The lean wire path (awsflow._wire), made at the first call that may take it: None when
        # this caller's client must make its calls itself (see awsflow._wire._eligibility).
        self._lean: LeanClient | None = None
        self._lean_decided = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} domain={self._domain} task_list={self._task_list}>"

    def _client_config(self) -> Config:
        return Config(retries={"mode": "standard", "max_attempts": 5}, user_agent_extra="awsflow")

    @property
    def client(self) -> Any:
        """The botocore SWF client (created on first use)."""
        if self._client is None:
            factory = _client_factory(self._session)
            assert factory is not None  # checked in __init__
            self._client = factory("swf", region_name=self._aws_region, config=self._client_config())
        return self._client

    @property
    def session(self) -> Any:
        """The botocore (or boto3) session given, or None when a ready client was."""
        return self._session

    @property
    def domain(self) -> str:
        return self._domain

    @property
    def task_list(self) -> str:
        return self._task_list

    def _call(self, operation: str, request: dict[str, Any]) -> Any:
        lean = self._lean_client() if operation in self._lean_operations else None
        with swf_exception_wrapper():
            if lean is not None:
                return lean.call(operation, request)
            return getattr(self.client, xform_name(operation))(**request)

    def _lean_client(self) -> LeanClient | None:
        if not self._lean_decided:  # two threads racing here make two equal clients: harmless
            self._lean = LeanClient.for_client(self.client)
            self._lean_decided = True
        return self._lean

    def call(self, operation: str, request: dict[str, Any]) -> Any:
        """One SWF call (``"GetWorkflowExecutionHistory"``, a request dict in SWF's names); its
        answer, or awsflow's SWF error."""
        return self._call(operation, request)

    def workflow_handle(
        self, execution: WorkflowExecution, *, definition: type | None = None, data_converter: Any = None
    ) -> WorkflowHandle:
        """A handle on ``execution`` in this caller's domain, through this caller's client.

        Waiting for its result wakes as soon as a workflow worker of this process closes it.
        """
        if not execution.workflow_id:
            raise ValueError(f"a workflow handle needs a workflow id, not {execution}")
        return WorkflowHandle(
            self._call,
            self._domain,
            execution.workflow_id,
            execution.run_id,
            definition=definition,
            data_converter=data_converter,
            wait=_closures.wait,
        )

    def get_workflow(
        self,
        workflow_id: str,
        run_id: str | None = None,
        *,
        definition: type | None = None,
        data_converter: Any = None,
    ) -> WorkflowHandle:
        """A handle on the execution ``workflow_id`` of this caller's domain (see
        :func:`awsflow.get_workflow`; without a run id: the open run, else the newest).

        .. versionadded:: 0.1
        """
        execution = WorkflowExecution(workflow_id, run_id)
        return self.workflow_handle(execution, definition=definition, data_converter=data_converter)

    # -- starting and signalling (StartWorkflowContext) -----------------------------------------
    def start_workflow_execution(self, workflow_type: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
        context = peek_context()
        overrides = context.workflow_overrides.as_dict() if isinstance(context, StartWorkflowContext) else {}
        encoded = workflow_type.data_converter.dumps([args, kwargs])
        check_size(f"input of workflow {workflow_type.name}", encoded)
        request = workflow_type.start_request(
            self._domain, uuid.uuid4().hex, encoded, overrides, self._task_list
        )
        response = self._call("StartWorkflowExecution", request)
        logger.info(
            "started %s %s (%s, %s)",
            workflow_type.name,
            workflow_type.version,
            request["workflowId"],
            response["runId"],
        )
        return request["workflowId"], response["runId"]

    def signal_workflow_execution(self, execution: WorkflowExecution, signal_name: str, encoded: str) -> None:
        check_size(f"input of signal {signal_name}", encoded)
        request: dict[str, Any] = {
            "domain": self._domain,
            "workflowId": execution.workflow_id,
            "signalName": signal_name,
            "input": encoded,
        }
        if execution.run_id:
            request["runId"] = execution.run_id
        self._call("SignalWorkflowExecution", request)

    def request_cancel_workflow_execution(self, execution: WorkflowExecution) -> None:
        request: dict[str, Any] = {"domain": self._domain, "workflowId": execution.workflow_id}
        if execution.run_id:
            request["runId"] = execution.run_id
        self._call("RequestCancelWorkflowExecution", request)


def _client_factory(session: Any) -> Any:
    """How ``session`` makes clients: botocore's ``create_client``, boto3's ``client`` (a boto3
    Session wraps a botocore one and takes the same arguments); None for anything else."""
    create_client = getattr(session, "create_client", None)
    if callable(create_client):
        return create_client
    make_client = getattr(session, "client", None)
    if callable(make_client) and hasattr(session, "_session"):
        return make_client
    return None
