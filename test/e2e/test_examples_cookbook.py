"""The cookbook's recipes run with one command and do what their pages say.

Each recipe is ``examples/cookbook/<name>.py``, run once per session as a subprocess by
``run_example`` (shared with the tutorial's tests, which also compare every documented output
block with what the example prints). The tests here check the facts each recipe demonstrates.
"""

from __future__ import annotations

from test_examples_tutorial import run_example


def test_the_dag_runs_a_and_b_together_then_c_a_timer_a_retried_step_and_a_signalled_child() -> None:
    out = run_example("cookbook/dag.py")
    assert "margin 28.0%; report-2024-05-01.pdf (published on attempt 3); " in out
    assert "report-2024-05-01.zip [sales.csv, costs.csv]" in out
    lines = [line.split()[:2] for line in out.splitlines()[2:]]
    # A and B are scheduled before C; the hour's timer comes before publishing.
    assert lines[:4] == [
        ["ActivityTaskScheduled", "Books.sales"],
        ["ActivityTaskScheduled", "Books.costs"],
        ["ActivityTaskScheduled", "Books.margin"],
        ["TimerStarted", "id=4"],
    ]
    assert "id=5-backoff-3 wait=60s" in out
    assert out.count("SignalExternalWorkflow") == 3


def test_the_fanout_recipe_keeps_its_cap_heartbeats_at_each_yield_and_uses_both_processes() -> None:
    out = run_example("cookbook/fanout_pool.py")
    assert "transcoded 200 videos: clip-000.mp4 ... clip-199.mp4" in out
    assert "in input order: True" in out
    most = int(out.split("at most ", 1)[1].split()[0])
    assert 1 < most <= 16
    assert "worker: 200 completed, 600 heartbeats, 0 crashes" in out  # three yields per task
    assert "served by 2 worker processes" in out


def test_the_file_pipeline_chooses_branches_retries_only_timeouts_and_quarantines_corrupt_files() -> None:
    out = run_example("cookbook/file_pipeline.py").splitlines()
    assert out[0] == "holiday.jpg: stored holiday-thumb.jpg, 4032x3024 (attempt 2)"
    assert out[1].split() == ["activities:", "inspect", "thumbnail", "metadata", "store", "store"]
    assert out[2] == "minutes.docx: stored minutes.pdf (attempt 2)"
    assert out[3].split() == ["activities:", "inspect", "to_pdf", "store", "store"]
    assert out[4] == "broken.png: quarantined broken.png: truncated header"
    # CorruptFile is not in the policy's retryable list: one metadata attempt, then the fallback.
    assert out[5].split() == ["activities:", "inspect", "thumbnail", "metadata", "quarantine"]


def test_the_approval_recipe_is_decided_in_time_escalated_after_a_day_or_closed_after_two() -> None:
    out = run_example("cookbook/approval_timeout.py")
    assert "laptop: approved by grace, ordered as PO-laptop-1800 after 3 hours" in out
    assert "status after 30 hours: waiting for the director" in out
    assert "standing desk: rejected by barbara after 30 hours" in out
    assert "sailing boat: no decision in 2 days, closed after 48 hours" in out
    assert out.count("reminder:") == 2  # the desk and the boat waited past a day; the laptop did not


def test_the_saga_books_all_or_undoes_what_it_booked_newest_first_retrying_the_undo() -> None:
    out = run_example("cookbook/saga.py")
    assert "rome-in-may: booked flight-rome-in-may, hotel-rome-in-may, car-rome-in-may" in out
    assert (
        "rome-in-august: not booked (no cars left in August); "
        "canceled hotel-rome-in-august; canceled flight-rome-in-august"
    ) in out
    august = out.split("rome-in-august:", 1)[1].splitlines()[1:]
    assert [line.split()[0] for line in august] == [
        "Travel.reserve_flight",
        "Travel.reserve_hotel",
        "Travel.reserve_car",
        "Travel.cancel_hotel",
        "Travel.cancel_flight",
        "Travel.cancel_flight",  # its first attempt failed; the policy retried it
    ]
