"""Context managers that override activity and workflow options for the calls inside them.

Blocks nest: an inner block overrides the options it names and keeps the outer ones
(botoflow replaced the outer block's options wholesale). A block sets the current context's
``activity_overrides`` / ``workflow_overrides`` (frozen values, see
``awsflow._runtime._overrides``) for its duration.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from ._runtime import get_context
from .retry_policy import RetryPolicy

__all__ = ["activity_options", "workflow_options"]


class _NotSet:
    def __repr__(self) -> str:
        return "NOT_SET"


_NOT_SET: Any = _NotSet()


class _Overrides:
    _attribute = ""

    def __init__(self, **options: Any) -> None:
        self._overrides = {key: value for key, value in options.items() if value is not _NOT_SET}
        # (context, its options before this block): the block may be left when its generator is
        # closed by the garbage collector, on a thread where that context is no longer current.
        self._previous: list[tuple[Any, Any]] = []

    def __enter__(self) -> _Overrides:
        context = get_context()
        previous = getattr(context, self._attribute)
        self._previous.append((context, previous))
        setattr(context, self._attribute, previous.merged(self._overrides))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        context, previous = self._previous.pop()
        setattr(context, self._attribute, previous)


def _checked_policy(policy: Any) -> Any:
    if policy is not _NOT_SET and policy is not None and not isinstance(policy, RetryPolicy):
        raise TypeError(f"retry_policy must be a RetryPolicy or None, not {policy!r}")
    return policy


class activity_options(_Overrides):  # botoflow's name
    """Override the options of the activities scheduled inside the block.

    Timeouts are seconds (None: unlimited); ``task_priority`` is an awsflow addition, and so is
    ``retry_policy``: a :class:`~awsflow.retry_policy.RetryPolicy` for the calls in the block,
    winning over the activity's own (``None`` turns retries off). A block around one call is
    the per-call form.
    """

    _attribute = "activity_overrides"

    def __init__(
        self,
        task_list: Any = _NOT_SET,
        version: Any = _NOT_SET,
        name: Any = _NOT_SET,
        heartbeat_timeout: Any = _NOT_SET,
        schedule_to_start_timeout: Any = _NOT_SET,
        start_to_close_timeout: Any = _NOT_SET,
        schedule_to_close_timeout: Any = _NOT_SET,
        task_priority: Any = _NOT_SET,
        retry_policy: Any = _NOT_SET,
    ) -> None:
        super().__init__(
            task_list=task_list,
            version=version,
            name=name,
            heartbeat_timeout=heartbeat_timeout,
            schedule_to_start_timeout=schedule_to_start_timeout,
            start_to_close_timeout=start_to_close_timeout,
            schedule_to_close_timeout=schedule_to_close_timeout,
            task_priority=task_priority,
            retry_policy=_checked_policy(retry_policy),
        )


class workflow_options(_Overrides):  # botoflow's name
    """Override the options of workflows started (or continued as new) inside the block.

    ``retry_policy`` (an awsflow addition) retries the child workflows started in the block
    (see :mod:`awsflow.retry_policy`); ``None`` turns retries off.
    """

    _attribute = "workflow_overrides"

    def __init__(
        self,
        task_list: Any = _NOT_SET,
        workflow_id: Any = _NOT_SET,
        version: Any = _NOT_SET,
        execution_start_to_close_timeout: Any = _NOT_SET,
        task_start_to_close_timeout: Any = _NOT_SET,
        child_policy: Any = _NOT_SET,
        name: Any = _NOT_SET,
        data_converter: Any = _NOT_SET,
        tag_list: Any = _NOT_SET,
        task_priority: Any = _NOT_SET,
        retry_policy: Any = _NOT_SET,
    ) -> None:
        super().__init__(
            retry_policy=_checked_policy(retry_policy),
            task_list=task_list,
            workflow_id=workflow_id,
            version=version,
            execution_start_to_close_timeout=execution_start_to_close_timeout,
            task_start_to_close_timeout=task_start_to_close_timeout,
            child_policy=child_policy,
            name=name,
            data_converter=data_converter,
            tag_list=tag_list,
            task_priority=task_priority,
        )
