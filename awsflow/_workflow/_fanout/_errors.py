"""The error a fan-out raises when an input failed."""

from __future__ import annotations

from typing import Any

from ...exceptions import AwsflowError


class FanoutError(AwsflowError):
    """An input of a fan-out failed.

    Attributes:
        index: the position, in the fan-out's inputs, of the first input that failed.
        input: that input.
        cause: its error (e.g. ActivityTaskFailedError, whose own ``cause`` is the activity's
            exception, or ChildWorkflowFailedError).
        failures: position -> error, for every input that failed (in the order they failed).
        stopped: True when the fan-out stopped at the failure (``stop_on_failure``) and
            cancelled the calls still open; False when every input ran.
        results: the results, in input order, with None where an input failed or never ran.
    """

    def __init__(
        self,
        index: int,
        input: Any,
        cause: BaseException,
        failures: dict[int, BaseException] | None = None,
        stopped: bool = True,
        results: list[Any] | None = None,
    ) -> None:
        super().__init__(index, input, cause)
        self.index = index
        self.input = input
        self.cause = cause
        self.failures = failures if failures is not None else {index: cause}
        self.stopped = stopped
        self.results = results if results is not None else []

    def __str__(self) -> str:
        others = len(self.failures) - 1
        more = f" ({others} other input(s) failed too)" if others > 0 else ""
        outcome = "; the fan-out stopped and cancelled the calls still open" if self.stopped else ""
        return f"fan-out input {self.index} ({self.input!r}) failed: {self.cause}{more}{outcome}"
