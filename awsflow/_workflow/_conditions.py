"""``wait_condition``: suspend workflow code until its own state makes a predicate true."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._runtime import in_workflow
from ..core import Future

__all__ = ["wait_condition"]


def wait_condition(predicate: Callable[[], Any], timeout: float | None = None) -> Future:
    """A Future of ``True`` once ``predicate()`` is true, or of ``False`` after ``timeout`` seconds.

    The predicate reads the workflow's state — typically fields its ``@signal`` handlers set —
    and is re-checked after each event the workflow handles, so it must be cheap and must not
    make decisions. If it is already true the Future is ready at once. The timeout is an SWF
    timer (whole seconds, rounded up): it survives worker restarts, is cancelled (CancelTimer)
    when the predicate comes true first, and moves with :class:`awsflow.local.VirtualClock` in
    tests. A predicate that raises fails the Future with its exception. Example::

        approved = yield wait_condition(lambda: self.approved, timeout=24 * 3600)
        if not approved:
            return "expired"

    In an ``async def`` workflow, ``await wait_condition(...)``.
    """
    if timeout is not None and timeout < 0:
        raise ValueError(f"wait_condition needs a timeout of 0 seconds or more (or None), not {timeout}")
    future: Future = in_workflow("awsflow.wait_condition").runtime.wait_condition(predicate, timeout)
    return future
