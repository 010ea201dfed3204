"""A workflow type: name, version, registration defaults, and what calling it does.

Calling a workflow's ``@execute`` method is resolved here by context:

- inside ``with worker:`` / ``workflow_starter``: StartWorkflowExecution, returning a workflow
  instance that knows its ``workflow_execution``;
- inside workflow code, on the running workflow itself (``self.execute(...)``): continue as new
  once the current run's code finishes;
- inside workflow code, on another workflow: start a child workflow; returns a Future of the
  child's instance (``yield`` it, then ``yield instance.workflow_result`` for its result).

Options, later ones winning: ``@execute`` arguments, then ``workflow_options(...)`` blocks.
A ``retry_policy`` (:mod:`awsflow.retry_policy`) set either way retries a child workflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._runtime import DecisionContext, StartWorkflowContext, WorkflowOverrides, bind_instance, current
from .._swf import LIMITS, SwfType
from ..constants import CHILD_TERMINATE, NO_DEFAULT_TASK_LIST, USE_WORKER_TASK_LIST
from ..data_converter import AbstractDataConverter, JSONDataConverter
from ..workflow_execution import WorkflowExecution
from ._timeouts import str_or_none

if TYPE_CHECKING:
    from ..retry_policy import RetryPolicy

__all__ = ["WorkflowType"]


class WorkflowType(SwfType):
    """One workflow type (name and version) with its registration defaults."""

    DEFAULT_DATA_CONVERTER: AbstractDataConverter = JSONDataConverter()

    def __init__(
        self,
        version: str,
        execution_start_to_close_timeout: int | None,
        task_list: str | None = USE_WORKER_TASK_LIST,
        task_start_to_close_timeout: int | None = 30,
        child_policy: str = CHILD_TERMINATE,
        description: str | None = "",
        name: str | None = None,
        data_converter: AbstractDataConverter | None = None,
        skip_registration: bool = False,
        task_priority: int | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self.version = str(version)
        self.name = name
        self.task_list = task_list
        self.child_policy = child_policy
        self.execution_start_to_close_timeout = execution_start_to_close_timeout
        self.task_start_to_close_timeout = task_start_to_close_timeout
        self.description = description
        self.skip_registration = skip_registration
        self.task_priority = task_priority
        self.workflow_id: str | None = None
        self.retry_policy = retry_policy  # applies when started as a child (see awsflow.retry_policy)
        self.data_converter = data_converter

    @property
    def data_converter(self) -> AbstractDataConverter:
        return self._data_converter

    @data_converter.setter
    def data_converter(self, converter: AbstractDataConverter | None) -> None:
        if converter is None:
            self._data_converter = self.DEFAULT_DATA_CONVERTER
        elif isinstance(converter, AbstractDataConverter):
            self._data_converter = converter
        else:
            raise TypeError(f"Converter {converter!r} must be a subclass of AbstractDataConverter")

    def assign_name(self, name: str, force: bool = False) -> None:
        """Name the type ``name`` if it has no name yet (or if ``force``: ``@workflow(name=...)``)."""
        if self.name is None or force:
            self.name = name

    # -- wire dictionaries ----------------------------------------------------------------------
    def _options(self, overrides: WorkflowOverrides | Mapping[str, Any]) -> dict[str, Any]:
        options = {
            "name": self.name,
            "version": self.version,
            "task_list": self.task_list,
            "child_policy": self.child_policy,
            "execution_start_to_close_timeout": self.execution_start_to_close_timeout,
            "task_start_to_close_timeout": self.task_start_to_close_timeout,
            "task_priority": self.task_priority,
        }
        options.update(WorkflowOverrides.of(overrides).as_dict())
        return options

    def run_attributes(
        self, overrides: WorkflowOverrides | Mapping[str, Any], worker_task_list: str | None
    ) -> dict[str, Any]:
        """The run configuration shared by start, child start and continue-as-new (camelCase)."""
        options = self._options(overrides)
        attributes: dict[str, Any] = {}
        task_list = options["task_list"]
        if isinstance(task_list, dict):
            task_list = task_list.get("name")
        if task_list == USE_WORKER_TASK_LIST:
            task_list = worker_task_list
        if task_list is not None and task_list != NO_DEFAULT_TASK_LIST:
            attributes["taskList"] = {"name": str(task_list)}
        if options["child_policy"] is not None:
            attributes["childPolicy"] = str(options["child_policy"])
        if options["execution_start_to_close_timeout"] is not None:
            attributes["executionStartToCloseTimeout"] = str_or_none(
                options["execution_start_to_close_timeout"]
            )
        if options["task_start_to_close_timeout"] is not None:
            attributes["taskStartToCloseTimeout"] = str_or_none(options["task_start_to_close_timeout"])
        if options["task_priority"] is not None:
            attributes["taskPriority"] = str(options["task_priority"])
        if options.get("tag_list"):
            attributes["tagList"] = [str(tag) for tag in options["tag_list"]]
        return attributes

    def start_request(
        self,
        domain: str,
        workflow_id: str,
        encoded_input: str,
        overrides: WorkflowOverrides | Mapping[str, Any],
        worker_task_list: str,
    ) -> dict[str, Any]:
        """A StartWorkflowExecution request (``overrides``: a mapping of them too)."""
        options = self._options(overrides)
        return {
            "domain": domain,
            "workflowId": str(options.get("workflow_id") or workflow_id),
            "workflowType": {"name": options["name"], "version": str(options["version"])},
            "input": encoded_input,
            **self.run_attributes(overrides, worker_task_list),
        }

    def to_registration_options_dict(self, domain: str, worker_task_list: str) -> dict[str, Any] | None:
        """The RegisterWorkflowType request, or None with ``skip_registration``."""
        if self.skip_registration:
            return None
        task_list = worker_task_list if self.task_list == USE_WORKER_TASK_LIST else self.task_list
        options: dict[str, Any] = {
            "domain": domain,
            "version": self.version,
            "name": self.name,
            "defaultChildPolicy": str(self.child_policy),
            "defaultExecutionStartToCloseTimeout": str_or_none(self.execution_start_to_close_timeout),
            "defaultTaskStartToCloseTimeout": str_or_none(self.task_start_to_close_timeout),
        }
        if task_list is not None and task_list != NO_DEFAULT_TASK_LIST:
            options["defaultTaskList"] = {"name": str(task_list)}
        if self.task_priority is not None:
            options["defaultTaskPriority"] = str(self.task_priority)
        if self.description:
            options["description"] = self.description[: LIMITS.description]
        return options

    # -- calling --------------------------------------------------------------------------------
    def __call__(self, class_and_instance: tuple[type, Any], *args: Any, **kwargs: Any) -> Any:
        cls, instance = class_and_instance
        context = current()
        if isinstance(context, StartWorkflowContext):
            workflow_id, run_id = context.start_workflow_execution(self, args, kwargs)
            return bind_instance(
                cls(WorkflowExecution(workflow_id, run_id)), self.data_converter, context.worker
            )
        if isinstance(context, DecisionContext):
            runtime = context.runtime
            if instance is not None and instance is runtime.workflow_instance:
                return runtime.continue_as_new(self, args, kwargs, context.workflow_overrides)
            # The runtime applies the retry policy, if the call has one.
            return runtime.start_child_workflow(self, cls, instance, args, kwargs, context.workflow_overrides)
        raise TypeError(
            f"Workflow {self.name} {self.version} can be started only inside 'with worker:' or "
            "'with workflow_starter(...)', or from workflow code (as a child workflow)"
        )

    def __hash__(self) -> int:
        return hash((self.name, self.version))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkflowType) and (self.name, self.version) == (other.name, other.version)

    def __repr__(self) -> str:
        return f"<WorkflowType name={self.name} version={self.version}>"
