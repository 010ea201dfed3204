"""Capped exponential backoff with full jitter, for retrying SWF calls that failed transiently."""

from __future__ import annotations

import random

BASE_DELAY = 0.1
MAX_DELAY = 20.0


def backoff_delay(failures: int, *, cap: float = MAX_DELAY, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``failures`` consecutive failures: uniform in [0, min(cap, base·2ⁿ)]."""
    ceiling = min(cap, BASE_DELAY * (2 ** min(failures, 30)))
    return (rng or random).uniform(0.0, ceiling)
