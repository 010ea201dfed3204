"""The arithmetic of a fan-out, apart from any workflow: ramp-up, history budget, batches, shares.

Everything here is a plain function of its arguments (unit-tested without a decider).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..._swf import LIMITS

# SWF terminates an execution whose history passes 25,000 events (SWF-SEMANTICS §9.1); a fan-out
# plans to stay under 80 % of it (where awsflow warns), counting the events the history already
# has and keeping 2,000 for what the workflow does after the fan-out.
HISTORY_CAP = LIMITS.history_events
HISTORY_RESERVE = 2_000
HISTORY_BUDGET = int(HISTORY_CAP * 0.8) - HISTORY_RESERVE

# One input run directly costs its task's three events (Scheduled, Started, Completed — or the
# child's Initiated, Started, Completed) and, at worst, the decision task its completion brings
# (Scheduled, Started, Completed). Retries and ramp-up timers add more: they are not counted.
EVENTS_PER_INPUT = 6

# SWF allows 1,000 open activities (and 1,000 open children) per execution (SWF-SEMANTICS §9.1).
MAX_OPEN = LIMITS.open_activities

# A batch is one child workflow: its inputs travel in its input, at most 32,768 characters; the
# rest of the batch's description needs a little room.
BATCH_INPUT_CHARS = 30_000
DEFAULT_BATCH_SIZE = 1_000


def allowed_open(max_concurrency: int, ramp_up: float, elapsed: float) -> int:
    """How many may be open ``elapsed`` seconds into a fan-out that ramps up over ``ramp_up`` seconds.

    The limit rises linearly from 1 at the start to ``max_concurrency`` at ``ramp_up`` seconds.

    >>> [allowed_open(5, 100, t) for t in (0, 24, 25, 50, 99, 100, 1000)]
    [1, 1, 2, 3, 4, 5, 5]
    >>> allowed_open(50, 0, 0)
    50
    """
    if ramp_up <= 0 or max_concurrency <= 1 or elapsed >= ramp_up:
        return max_concurrency
    return min(max_concurrency, 1 + math.floor((max_concurrency - 1) * max(elapsed, 0) / ramp_up))


def seconds_to_next_step(max_concurrency: int, ramp_up: float, elapsed: float) -> int | None:
    """Whole seconds (at least 1) until :func:`allowed_open` rises next; None once it is at its maximum.

    >>> seconds_to_next_step(5, 100, 0), seconds_to_next_step(5, 100, 25), seconds_to_next_step(5, 100, 100)
    (25, 25, None)
    """
    current = allowed_open(max_concurrency, ramp_up, elapsed)
    if current >= max_concurrency:
        return None
    # allowed_open reaches current + 1 when (max - 1) * t / ramp_up >= current
    step_at = ramp_up * current / (max_concurrency - 1)
    return max(1, math.ceil(step_at - elapsed))


def fits_one_history(count: int, used: int = 0) -> bool:
    """Whether ``count`` inputs run directly stay within the budget of a history of ``used`` events.

    >>> fits_one_history(2_000), fits_one_history(3_000), fits_one_history(3_001)
    (True, True, False)
    >>> fits_one_history(3_000, used=6), fits_one_history(2_999, used=6)
    (False, True)
    """
    return used + count * EVENTS_PER_INPUT <= HISTORY_BUDGET


def split_batches(
    encoded_sizes: Sequence[int], batch_size: int, max_chars: int = BATCH_INPUT_CHARS
) -> list[range]:
    """Consecutive index ranges of at most ``batch_size`` inputs whose encoded sizes sum to at most ``max_chars``.

    Raises:
        ValueError: one input alone is larger than ``max_chars``.

    >>> split_batches([10] * 7, 3)
    [range(0, 3), range(3, 6), range(6, 7)]
    >>> split_batches([40, 40, 40], 10, max_chars=100)
    [range(0, 2), range(2, 3)]
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    batches: list[range] = []
    start, chars = 0, 0
    for index, size in enumerate(encoded_sizes):
        if size > max_chars:
            raise ValueError(
                f"fan-out input {index} encodes to {size} characters; a batch of inputs travels in a "
                f"child workflow's input, which holds {max_chars}. Pass a reference (a key, a URL) instead"
            )
        if index > start and (index - start >= batch_size or chars + size > max_chars):
            batches.append(range(start, index))
            start, chars = index, 0
        chars += size
    if start < len(encoded_sizes):
        batches.append(range(start, len(encoded_sizes)))
    return batches


def batch_shares(batch_count: int, max_concurrency: int) -> tuple[int, list[int]]:
    """``(batches open at once, each batch's concurrency)``: shares of open batches never sum past the limit.

    With no more batches than ``max_concurrency`` all run at once and split the limit (the
    first ones get the remainder); with more, ``max_concurrency`` run at a time with one each.

    >>> batch_shares(3, 50)
    (3, [17, 17, 16])
    >>> batch_shares(4, 2)
    (2, [1, 1, 1, 1])
    """
    if batch_count <= max_concurrency:
        base, extra = divmod(max_concurrency, batch_count)
        return batch_count, [base + (1 if index < extra else 0) for index in range(batch_count)]
    return max_concurrency, [1] * batch_count
