"""Capped exponential backoff with full jitter, for retrying SWF calls that failed transiently."""

from __future__ import annotations

import random

BASE_DELAY = 0.1
MAX_DELAY = 20.0


def backoff_delay(failures: int, *, rng: random.Random | None = None, cap: float | None = None) -> float:
    """Seconds to wait after ``failures`` consecutive failures: uniform in [0, min(cap, base·2ⁿ)].

    ``cap`` defaults to :data:`MAX_DELAY`.
    """
    ceiling = min(MAX_DELAY if cap is None else cap, BASE_DELAY * (2 ** min(failures, 30)))
    return (rng or random).uniform(0.0, ceiling)
