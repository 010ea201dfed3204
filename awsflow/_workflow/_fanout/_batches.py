"""Large fan-outs: batches of inputs run by child workflows, so no history nears SWF's cap.

The parent splits the inputs into consecutive batches and runs each as a child workflow of the
built-in type ``awsflow.FanoutBatch`` (hosted and registered by every WorkflowWorker). A batch's
input names what to call — the activity type or workflow type, with the options the call had in
the parent — so the batch schedules exactly what the parent would have. Each batch runs its own
window with a share of ``max_concurrency``; the shares of the batches open at once never sum
past it (see :func:`~._plan.batch_shares`), so the limit holds across the whole fan-out.

The callee's retry policy travels too (its ``non_retryable`` and ``retryable`` classes by
name: the workers must have imported them). What cannot travel (a batch's input is JSON): a data converter other
than JSON's, and botoflow's ``@retry_activity`` — a batched fan-out of such a callee is refused
with a clear error rather than run differently. Each batch's results come back in its result, which
SWF caps at 32,768 characters: return small values (or references) from large fan-outs.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Generator, Sequence
from typing import Any

from ..._runtime import DecisionContext, WorkflowOverrides, in_workflow
from ..._swf import encodable_failure
from ...core import Future, coroutine
from ...data_converter import JSONDataConverter
from ...decorators import execute, workflow
from ...exceptions import ChildWorkflowFailedError, WorkflowDefinitionError
from ...flow_types import ActivityType, WorkflowType
from ...retry_policy import RetryPolicy
from ...workflow_definition import WorkflowDefinition
from ._errors import FanoutError
from ._plan import batch_shares, split_batches
from ._window import run_window

__all__ = ["FanoutBatch", "child_result", "describe_callee", "run_batched"]

_JSON = JSONDataConverter()
_FAILURES_KEPT = 20  # a batch's failure details must fit SWF's 32,768 characters

# SWF's longest execution (SWF-SEMANTICS §9.1): a batch lives as long as its parent lets it
# (child policy TERMINATE ends it with the parent).
_ONE_YEAR = 365 * 24 * 3600


@workflow(name="awsflow.FanoutBatch")
class FanoutBatch(WorkflowDefinition):
    """The built-in child workflow that runs one batch of a large :func:`~awsflow.fanout`."""

    @execute(version="1", execution_start_to_close_timeout=_ONE_YEAR)
    def run(self, spec: dict[str, Any]) -> Any:
        context = in_workflow("awsflow.FanoutBatch")
        start = _starter(spec["callee"], _callee_from_spec(spec["callee"]))
        try:
            return (
                yield run_window(
                    context,
                    start,
                    spec["inputs"],
                    spec["max_concurrency"],
                    spec["ramp_up"],
                    spec["stop_on_failure"],
                    spec["first_index"],
                )
            )
        except FanoutError as error:
            kept = dict(list(error.failures.items())[:_FAILURES_KEPT])
            raise FanoutError(
                error.index,
                error.input,
                _portable(error.cause),
                {index: _portable(failure) for index, failure in kept.items()},
                error.stopped,
            ) from None


def describe_callee(fn: Any, context: DecisionContext) -> dict[str, Any]:
    """What a batch needs to make the parent's call: the type, the call's options and retry policy, as JSON.

    Raises:
        ValueError: the callee needs what JSON cannot carry (another data converter, or
            botoflow's ``@retry_activity`` with its callables).
    """
    if isinstance(fn, ActivityType):
        kind, name, converter = "activity", fn.name, fn.data_converter
        overrides: Any = context.activity_overrides
    else:
        workflow_type: WorkflowType = fn.func
        kind, name, converter = "workflow", workflow_type.name, workflow_type.data_converter
        overrides = context.workflow_overrides
    if converter.__class__ is not JSONDataConverter or getattr(fn, "retrying", None) is not None:
        raise ValueError(
            f"a batched fan-out runs {name} from child workflows, whose inputs are JSON: it needs the "
            "JSON data converter, and a RetryPolicy rather than @retry_activity (or pass batch_size=0 "
            "to run every input in this execution)"
        )
    callee_type = fn if kind == "activity" else workflow_type
    policy = overrides.get("retry_policy", callee_type.retry_policy)
    if kind == "activity":
        attributes = fn.schedule_attributes(overrides.without("retry_policy"), context.runtime.task_list)
        return {"kind": kind, "attributes": attributes, "retry_policy": _encode_policy(policy)}
    options = overrides.without("retry_policy", "workflow_id")
    return {
        "kind": kind,
        "name": options.get("name", workflow_type.name),
        "version": str(options.get("version", workflow_type.version)),
        "attributes": workflow_type.run_attributes(options, context.runtime.task_list),
        "retry_policy": _encode_policy(policy),
    }


@coroutine
def run_batched(
    context: DecisionContext,
    callee: dict[str, Any],
    inputs: Sequence[Any],
    max_concurrency: int,
    ramp_up: float,
    stop_on_failure: bool,
    batch_size: int,
) -> Generator[Any, Any, Any]:
    """Run ``inputs`` in batches of child workflows; the results, in input order."""
    batches = split_batches([len(_JSON.dumps(item)) for item in inputs], batch_size)
    parallel, shares = batch_shares(len(batches), max_concurrency)

    def start_batch(number: int, batch: range) -> Future:
        spec = {
            "callee": callee,
            "inputs": list(inputs[batch.start : batch.stop]),
            "first_index": batch.start,
            "max_concurrency": shares[number],
            "ramp_up": ramp_up,
            "stop_on_failure": stop_on_failure,
        }
        # The batch is ours, not the caller's: none of the caller's workflow_options apply to it.
        previous = context.workflow_overrides
        context.workflow_overrides = WorkflowOverrides(retry_policy=None)
        try:
            started = FanoutBatch.run(spec)
        finally:
            context.workflow_overrides = previous
        return child_result(started)

    try:
        per_batch = yield run_window(context, start_batch, batches, parallel, 0, stop_on_failure)
    except FanoutError as error:
        inner = error.cause.cause if isinstance(error.cause, ChildWorkflowFailedError) else None
        if isinstance(inner, FanoutError):
            raise FanoutError(
                inner.index, inner.input, inner.cause, inner.failures, error.stopped or inner.stopped
            ) from error
        batch = batches[error.index]
        raise FanoutError(batch.start, inputs[batch.start], error.cause, stopped=error.stopped) from error
    return [result for results in per_batch for result in results]


def _starter(callee: dict[str, Any], fn: Any) -> Any:
    if callee["kind"] == "activity":
        return lambda index, item: fn(item)
    return lambda index, item: child_result(fn(item))


def _callee_from_spec(callee: dict[str, Any]) -> Any:
    """An ActivityType, or a callable starting a child, rebuilt from :func:`describe_callee`'s dict."""
    attributes = callee["attributes"]
    policy = _decode_policy(callee.get("retry_policy"))
    if callee["kind"] == "activity":
        named = attributes["activityType"]
        return ActivityType(
            named["version"],
            name=named["name"],
            task_list=attributes.get("taskList", {}).get("name"),
            heartbeat_timeout=attributes.get("heartbeatTimeout"),
            schedule_to_start_timeout=attributes.get("scheduleToStartTimeout"),
            start_to_close_timeout=attributes.get("startToCloseTimeout"),
            schedule_to_close_timeout=attributes.get("scheduleToCloseTimeout"),
            task_priority=attributes.get("taskPriority"),
            retry_policy=policy,
        )
    workflow_type = WorkflowType(
        callee["version"],
        execution_start_to_close_timeout=attributes.get("executionStartToCloseTimeout"),
        task_list=attributes.get("taskList", {}).get("name"),
        task_start_to_close_timeout=attributes.get("taskStartToCloseTimeout"),
        child_policy=attributes.get("childPolicy"),
        name=callee["name"],
        task_priority=attributes.get("taskPriority"),
        retry_policy=policy,
    )
    return functools.partial(workflow_type, (WorkflowDefinition, None))


@coroutine
def child_result(started: Future) -> Generator[Any, Any, Any]:
    """The result of a child workflow, from the Future of its start (cancelling it cancels the child)."""
    child = yield started
    return (yield child.workflow_result)


def _encode_policy(policy: RetryPolicy | None) -> dict[str, Any] | None:
    """A RetryPolicy as JSON: its exception classes by ``module:qualname``."""
    if policy is None:
        return None
    encoded: dict[str, Any] = {
        "initial_interval": policy.initial_interval,
        "backoff_coefficient": policy.backoff_coefficient,
        "maximum_interval": policy.maximum_interval,
        "maximum_attempts": policy.maximum_attempts,
        "expiration": policy.expiration,
        "jitter": policy.jitter,
        "non_retryable": [f"{cls.__module__}:{cls.__qualname__}" for cls in policy.non_retryable],
    }
    if policy.retryable is not None:  # only when set: a batch's input stays as it was before
        encoded["retryable"] = [f"{cls.__module__}:{cls.__qualname__}" for cls in policy.retryable]
    return encoded


def _decode_policy(encoded: dict[str, Any] | None) -> RetryPolicy | None:
    """The RetryPolicy of :func:`_encode_policy`; its exception classes must be imported here too.

    Raises:
        WorkflowDefinitionError: a class the policy names is not loaded in this worker.
    """
    if encoded is None:
        return None
    fields = {key: value for key, value in encoded.items() if key not in ("non_retryable", "retryable")}
    retryable = encoded.get("retryable")
    return RetryPolicy(
        **fields,
        non_retryable=_classes_named(encoded["non_retryable"]),
        retryable=None if retryable is None else _classes_named(retryable),
    )


def _classes_named(names: list[str]) -> tuple[type[BaseException], ...]:
    classes = []
    for name in names:
        cls = _loaded_class(name)
        if cls is None:
            raise WorkflowDefinitionError(
                f"the retry policy of this fan-out batch names {name}, which this worker has not "
                "imported: import the module defining it where the workflow worker runs"
            )
        classes.append(cls)
    return tuple(classes)


def _loaded_class(name: str) -> Any:
    """``module:Qual.Name`` among modules already imported (a batch never imports on its own)."""
    module_name, _, qualname = name.partition(":")
    found: Any = sys.modules.get(module_name)
    for part in qualname.split("."):
        found = vars(found).get(part) if found is not None and hasattr(found, "__dict__") else None
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def _portable(error: BaseException) -> BaseException:
    """``error`` as the JSON converter can write it (a batch's failure crosses to its parent):
    the failure chain rules of :mod:`awsflow._swf._failures` (types as ``(name, version)``,
    a stand-in for what cannot be written)."""
    return encodable_failure(_JSON, error)
