"""Retrying transient failures: capped exponential backoff with jitter, and a poll loop that survives them."""

from __future__ import annotations

import random
from typing import Any

from botocore.exceptions import ClientError

from awsflow.swf_exceptions import (
    ThrottlingException,
    UnknownResourceError,
    from_client_error,
    is_retryable,
)
from awsflow.workers._backoff import BASE_DELAY, MAX_DELAY, backoff_delay
from awsflow.workers.base_worker import BaseWorker


def test_backoff_grows_exponentially_up_to_a_cap_with_full_jitter() -> None:
    rng = random.Random(1)
    for failures in range(1, 40):
        ceiling = min(MAX_DELAY, BASE_DELAY * 2**failures)
        samples = [backoff_delay(failures, rng=rng) for _ in range(50)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling / 2  # jitter spreads over the whole range


def test_throttling_and_internal_failures_are_retryable_client_faults_are_not() -> None:
    def client_error(code: str) -> ClientError:
        return ClientError({"Error": {"Code": code, "Message": "m"}}, "PollForActivityTask")

    assert is_retryable(client_error("ThrottlingException"))
    assert is_retryable(from_client_error(client_error("InternalFailure")))
    assert not is_retryable(from_client_error(client_error("UnknownResourceFault")))
    error = from_client_error(client_error("UnknownResourceFault"))
    assert (
        isinstance(error, UnknownResourceError) and error.response["Error"]["Code"] == "UnknownResourceFault"
    )


class FlakyWorker(BaseWorker):
    """Throttled twice, then handles one task and stops."""

    def __init__(self) -> None:
        super().__init__(None, "us-east-1", "d", "tl", client=_NoClient())
        self.calls = 0

    def run_once(self) -> bool:
        self.calls += 1
        if self.calls <= 2:
            raise ThrottlingException("Rate exceeded", "ThrottlingException")
        self.stop()
        return True


class _NoClient:
    class meta:
        class events:
            @staticmethod
            def register(*args: Any, **kwargs: Any) -> None:
                return None


def test_the_poll_loop_backs_off_and_carries_on_after_throttling() -> None:
    worker = FlakyWorker()
    worker.run()
    assert worker.calls == 3
