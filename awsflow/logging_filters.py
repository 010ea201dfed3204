"""Keeping workflow logs to what happens now, not what a replay re-runs.

Workflow code runs again on every decision task; a log line in it would be written again each
time. Two ways to keep them once:

- ``awsflow.logging_filters.workflow_logger(name)``: a logger for workflow code that says
  nothing while replaying (like any logger otherwise);
- :class:`AwsflowFilter` (botoflow's ``BotoflowFilter``): add it to a handler and every record
  made by workflow code while replaying is dropped, whatever logger made it. WorkflowWorker adds
  it to the root logger's handlers when it starts, unless told not to.
"""

from __future__ import annotations

import logging
from typing import Any

from ._runtime import DecisionContext, current

__all__ = ["AwsflowFilter", "BotoflowFilter", "is_replaying_now", "workflow_logger"]


def is_replaying_now() -> bool:
    """True while workflow code on this thread re-runs events already decided."""
    context = current()
    return isinstance(context, DecisionContext) and context.runtime.is_replaying()


class AwsflowFilter(logging.Filter):
    """Drops records made by workflow code while it is replaying."""

    def __init__(self, name: str = "", filter_replaying: bool = True) -> None:
        super().__init__(name)
        self._filter_replaying = filter_replaying

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self._filter_replaying and is_replaying_now())


BotoflowFilter = AwsflowFilter


class _ReplayAwareLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    def isEnabledFor(self, level: int) -> bool:
        return not is_replaying_now() and self.logger.isEnabledFor(level)

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        return msg, kwargs


def workflow_logger(name: str) -> logging.LoggerAdapter:  # type: ignore[type-arg]
    """A logger for workflow code that is silent while the code replays."""
    return _ReplayAwareLogger(logging.getLogger(name), {})


def silence_replays_on_root_handlers() -> None:
    """Add :class:`AwsflowFilter` to each handler of the root logger that lacks one."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(existing, AwsflowFilter) for existing in handler.filters):
            handler.addFilter(AwsflowFilter())
