"""The decorators that declare workflows, activities and signals (botoflow's signatures).

``@query`` is :func:`awsflow.queries.query` (it answers from outside, by replay).

Names: a workflow type is named after its class unless ``@workflow(name=...)``; an activity
type is ``Class.method`` unless ``@activities(activity_name_prefix=...)`` gives a prefix (then
``prefix + method``) or ``@activity(name=...)`` names it outright.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from ._swf import LIMITS
from .activity_retrying import Retrying
from .constants import CHILD_TERMINATE, USE_WORKER_TASK_LIST
from .data_converter import AbstractDataConverter
from .decorator_descriptors import ActivityFunc, SignalFunc, WorkflowExecuteFunc
from .flow_types import ActivityType, SignalType, WorkflowType
from .options import _checked_policy
from .retry_policy import RetryPolicy

__all__ = [
    "activities",
    "activity",
    "execute",
    "manual_activity",
    "retry_activity",
    "signal",
    "workflow",
]


def workflow(name: str) -> Callable[[type], type]:
    """Name the workflow type(s) of a WorkflowDefinition subclass (default: the class name)."""

    def rename(cls: type) -> type:
        for workflow_type in getattr(cls, "_workflow_types", {}):
            workflow_type.assign_name(name, force=True)
        return cls

    return rename


def execute(
    version: str,
    execution_start_to_close_timeout: int,
    task_list: str = USE_WORKER_TASK_LIST,
    task_start_to_close_timeout: int = 30,
    child_policy: str = CHILD_TERMINATE,
    data_converter: AbstractDataConverter | None = None,
    description: str | None = None,
    skip_registration: bool = False,
    task_priority: int | None = None,
    retry_policy: RetryPolicy | None = None,
) -> Callable[[Callable[..., Any]], WorkflowExecuteFunc]:
    """Mark the entry point of a workflow; registers a workflow type with these defaults.

    Args:
        version: the workflow type's version.
        execution_start_to_close_timeout: seconds the whole execution may take.
        task_list: default decision task list (default: the registering worker's).
        task_start_to_close_timeout: seconds a decision task may take (default 30, as AWS Flow).
        child_policy: what happens to children when this execution is terminated.
        data_converter: how inputs and results are encoded (default JSON).
        description: registered description (default: the method's docstring).
        skip_registration: do not register the type.
        task_priority: default decision task priority (awsflow addition).
        retry_policy: retries this workflow when another starts it as a child (awsflow
            addition; see :mod:`awsflow.retry_policy`).
    """
    workflow_type = WorkflowType(
        version,
        execution_start_to_close_timeout=execution_start_to_close_timeout,
        task_list=task_list,
        task_start_to_close_timeout=task_start_to_close_timeout,
        child_policy=child_policy,
        data_converter=data_converter,
        description=description,
        skip_registration=skip_registration,
        task_priority=task_priority,
        retry_policy=_checked_policy(retry_policy),
    )

    def mark(func: Callable[..., Any]) -> WorkflowExecuteFunc:
        if workflow_type.description is None:
            workflow_type.description = func.__doc__
        _swf_options(func)["workflow_type"] = workflow_type
        return WorkflowExecuteFunc(func, workflow_type)

    return mark


def activities(
    task_list: str = USE_WORKER_TASK_LIST,
    activity_name_prefix: str = "",
    heartbeat_timeout: int | None = None,
    schedule_to_start_timeout: int | None = None,
    start_to_close_timeout: int | None = None,
    schedule_to_close_timeout: int | None = None,
    data_converter: AbstractDataConverter | None = None,
    task_priority: int | None = None,
    retry_policy: RetryPolicy | None = None,
) -> Callable[[type], type]:
    """Declare a class of activities and the defaults its ``@activity`` methods leave unset.

    botoflow ignored ``task_list`` and ``activity_name_prefix`` here (bugs); awsflow applies
    them as documented. ``retry_policy`` (awsflow addition, :mod:`awsflow.retry_policy`) is the
    default policy of the class's activities.
    """
    _checked_policy(retry_policy)

    def declare(cls: type) -> type:
        for value in vars(cls).values():
            if not isinstance(value, ActivityFunc):
                continue
            activity_type = value.activity_type
            if data_converter is not None:
                activity_type.data_converter = data_converter
            for key, setting in (
                ("task_list", task_list),
                ("heartbeat_timeout", heartbeat_timeout),
                ("schedule_to_start_timeout", schedule_to_start_timeout),
                ("start_to_close_timeout", start_to_close_timeout),
                ("schedule_to_close_timeout", schedule_to_close_timeout),
                ("task_priority", task_priority),
                ("retry_policy", retry_policy),
            ):
                activity_type.apply_class_default(key, setting)
            activity_type.assign_name(cls, value.func, activity_name_prefix)
        return cls

    return declare


def activity(
    version: str,
    name: str | None = None,
    task_list: str = USE_WORKER_TASK_LIST,
    heartbeat_timeout: int | None = None,
    schedule_to_start_timeout: int | None = None,
    start_to_close_timeout: int | None = None,
    schedule_to_close_timeout: int | None = None,
    description: str | None = None,
    skip_registration: bool = False,
    manual: bool = False,
    task_priority: int | None = None,
    retry_policy: RetryPolicy | None = None,
    auto_heartbeat: bool = True,
) -> Callable[[Any], ActivityFunc]:
    """Declare an activity type on a method of an ``@activities`` class.

    Timeouts are seconds; ``None`` leaves the option to ``@activities`` and, if unset there
    too, registers SWF's "NONE" (unlimited). A ``manual`` activity is completed later through
    :class:`~awsflow.manual_activity_completion_client.ManualActivityCompletionClient`.
    ``retry_policy`` (awsflow addition) retries the activity from the workflow: see
    :mod:`awsflow.retry_policy`; it wins over ``@retry_activity``.

    With a ``heartbeat_timeout``, the worker heartbeats for a plain function in the background
    while it runs (awsflow addition). That keeps a long activity alive, but it also keeps a *hung*
    one alive until its start-to-close timeout: ``auto_heartbeat=False`` leaves heartbeating to
    the code (``get_context().heartbeat()``), so a hang shows as a heartbeat timeout. A generator
    activity heartbeats at each ``yield`` and never gets automatic ones.
    """
    activity_type = ActivityType(
        version,
        name=name,
        task_list=task_list,
        heartbeat_timeout=heartbeat_timeout,
        schedule_to_start_timeout=schedule_to_start_timeout,
        start_to_close_timeout=start_to_close_timeout,
        schedule_to_close_timeout=schedule_to_close_timeout,
        description=description,
        skip_registration=skip_registration,
        manual=manual,
        task_priority=task_priority,
        retry_policy=_checked_policy(retry_policy),
        auto_heartbeat=auto_heartbeat,
    )

    def declare(func: Any) -> ActivityFunc:
        if not isinstance(func, types.FunctionType):
            raise TypeError(f"@activity applies to functions and methods, not {func!r}")
        if activity_type.description is None:
            activity_type.description = (func.__doc__ or "")[: LIMITS.description]
        options = _swf_options(func)
        options["activity_type"] = activity_type
        activity_type.retrying = options.get("activity_retrying")
        return ActivityFunc(func, activity_type)

    return declare


def manual_activity(
    version: str,
    name: str | None = None,
    task_list: str = USE_WORKER_TASK_LIST,
    heartbeat_timeout: int | None = None,
    schedule_to_start_timeout: int | None = None,
    start_to_close_timeout: int | None = None,
    schedule_to_close_timeout: int | None = None,
    description: str | None = None,
    skip_registration: bool = False,
) -> Callable[[Any], ActivityFunc]:
    """An ``@activity`` whose task the worker does not complete: something else does, later."""
    return activity(
        version,
        name,
        task_list,
        heartbeat_timeout,
        schedule_to_start_timeout,
        start_to_close_timeout,
        schedule_to_close_timeout,
        description,
        skip_registration,
        manual=True,
    )


def signal(name: str | None = None, *, strict: bool = False) -> Callable[[Callable[..., Any]], SignalFunc]:
    """Declare a signal handler on a workflow (signal name defaults to the method name).

    The handler is called with the arguments the signal carries, which awsflow sends as
    ``[args, kwargs]`` (botoflow's encoding). Any SWF client can send any input, though: one
    that does not decode, is not that shape, or does not fit the handler's parameters is
    *malformed* (see :mod:`awsflow.decider._signals`). By default a malformed signal is logged
    and recorded in the history as an ``awsflow.malformed-signal`` marker (its details say which
    signal and why), the handler is not called, and the workflow carries on.

    Args:
        name: the signal's name; the method's name by default.
        strict: a malformed signal fails the workflow instead, with
            :class:`~awsflow.exceptions.MalformedSignalError` (keyword only;
            ``.. versionadded:: 0.1``).
    """

    def declare(func: Callable[..., Any]) -> SignalFunc:
        signal_type = SignalType(name=name if name is not None else func.__name__, strict=strict)
        _swf_options(func)["signal_type"] = signal_type
        return SignalFunc(func, signal_type)

    return declare


def retry_activity(
    stop_max_attempt_number: int | None = None,
    stop_max_delay: float | None = None,
    wait_fixed: float | None = None,
    wait_random_min: float | None = None,
    wait_random_max: float | None = None,
    wait_incrementing_start: float | None = None,
    wait_incrementing_increment: float | None = None,
    wait_exponential_multiplier: float | None = None,
    wait_exponential_max: float | None = None,
    retry_on_exception: Callable[[BaseException], bool] | None = None,
    retry_on_result: Callable[[Any], bool] | None = None,
    wrap_exception: bool = False,
    stop_func: Callable[[int, int], bool] | None = None,
    wait_func: Callable[[int, int], float] | None = None,
) -> Any:
    """Retry an activity from the workflow (durable timers between attempts); seconds, not ms.

    Works above or below ``@activity``. ``@retry_activity`` bare retries forever, no wait (a
    timer of 0 s between attempts, as botoflow started one).
    """
    if callable(stop_max_attempt_number) and not isinstance(stop_max_attempt_number, int):
        return retry_activity()(stop_max_attempt_number)
    retrying = Retrying(
        stop_max_attempt_number=stop_max_attempt_number,
        stop_max_delay=stop_max_delay,
        wait_fixed=wait_fixed,
        wait_random_min=wait_random_min,
        wait_random_max=wait_random_max,
        wait_incrementing_start=wait_incrementing_start,
        wait_incrementing_increment=wait_incrementing_increment,
        wait_exponential_multiplier=wait_exponential_multiplier,
        wait_exponential_max=wait_exponential_max,
        retry_on_exception=retry_on_exception,
        retry_on_result=retry_on_result,
        wrap_exception=wrap_exception,
        stop_func=stop_func,
        wait_func=wait_func,
    )

    def attach(func: Any) -> Any:
        if isinstance(func, ActivityFunc):
            func.activity_type.retrying = retrying
            _swf_options(func.func)["activity_retrying"] = retrying
        else:
            _swf_options(func)["activity_retrying"] = retrying
        return func

    return attach


def _swf_options(func: Any) -> dict[str, Any]:
    """botoflow kept declarations in ``func.swf_options``; code that introspects it still works."""
    if not hasattr(func, "swf_options"):
        func.swf_options = {}
    options: dict[str, Any] = func.swf_options
    return options
