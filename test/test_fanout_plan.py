"""The pure arithmetic of awsflow.fanout: ramp-up steps, history budget, batches and their shares."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsflow._workflow._fanout._plan import (
    EVENTS_PER_INPUT,
    HISTORY_CAP,
    allowed_open,
    batch_shares,
    fits_one_history,
    seconds_to_next_step,
    split_batches,
)


@given(
    maximum=st.integers(1, 1000),
    ramp_up=st.floats(0, 10_000, allow_nan=False),
    elapsed=st.floats(0, 20_000, allow_nan=False),
)
def test_the_ramp_starts_at_one_never_passes_the_maximum_and_reaches_it_on_time(
    maximum: int, ramp_up: float, elapsed: float
) -> None:
    allowed = allowed_open(maximum, ramp_up, elapsed)
    assert 1 <= allowed <= maximum
    assert allowed_open(maximum, ramp_up, 0) == (1 if ramp_up > 0 else maximum)
    assert allowed_open(maximum, ramp_up, ramp_up) == maximum
    assert allowed_open(maximum, ramp_up, elapsed + 1) >= allowed  # never falls


@given(
    maximum=st.integers(2, 1000),
    ramp_up=st.floats(1, 10_000, allow_nan=False),
    elapsed=st.floats(0, 10_000, allow_nan=False),
)
def test_the_timer_to_the_next_step_fires_once_the_limit_has_risen(
    maximum: int, ramp_up: float, elapsed: float
) -> None:
    step = seconds_to_next_step(maximum, ramp_up, elapsed)
    allowed = allowed_open(maximum, ramp_up, elapsed)
    if allowed == maximum:
        assert step is None
    else:
        assert step is not None and step >= 1
        assert allowed_open(maximum, ramp_up, elapsed + step) > allowed
        # and no whole second earlier (unless the wait is the 1 s minimum)
        assert step == 1 or allowed_open(maximum, ramp_up, elapsed + step - 1) == allowed


def test_inputs_run_directly_while_their_events_stay_within_80_percent_of_the_cap() -> None:
    assert fits_one_history(2_000)
    largest = max(n for n in range(0, 5_000, 50) if fits_one_history(n))
    assert largest * EVENTS_PER_INPUT <= 0.8 * HISTORY_CAP
    assert not fits_one_history(largest + 50)


@given(
    sizes=st.lists(st.integers(1, 500), max_size=200),
    batch_size=st.integers(1, 50),
    max_chars=st.integers(500, 3_000),
)
def test_batches_cover_every_input_once_in_order_within_both_limits(
    sizes: list[int], batch_size: int, max_chars: int
) -> None:
    batches = split_batches(sizes, batch_size, max_chars)
    assert [i for batch in batches for i in batch] == list(range(len(sizes)))
    for batch in batches:
        assert 1 <= len(batch) <= batch_size
        assert sum(sizes[i] for i in batch) <= max_chars


def test_an_input_too_large_for_a_batch_is_refused_by_its_index() -> None:
    with pytest.raises(ValueError, match="fan-out input 2 encodes to 900 characters"):
        split_batches([10, 10, 900], 5, max_chars=800)


@given(batches=st.integers(1, 300), maximum=st.integers(1, 1000))
def test_the_shares_of_the_batches_open_at_once_never_sum_past_the_limit(batches: int, maximum: int) -> None:
    parallel, shares = batch_shares(batches, maximum)
    assert len(shares) == batches and all(share >= 1 for share in shares)
    # the window runs `parallel` batches at once; in the worst case the largest shares together
    assert sum(sorted(shares, reverse=True)[:parallel]) <= maximum
    assert parallel == min(batches, maximum)
