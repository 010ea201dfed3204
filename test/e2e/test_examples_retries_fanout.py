"""examples/retries.py and examples/fanout.py run with one command and print what they promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_example(name: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_the_retries_example_shows_each_attempt_and_backoff_timer() -> None:
    out = run_example("retries.py")
    assert "4111-1111: charged 42 to 4111-1111" in out
    assert "activityId=1-attempt-3" in out and "timerId=1-backoff-3 wait=2s" in out
    assert "stolen: payment failed after 1 attempt(s): card stolen declined" in out


def test_the_fanout_example_keeps_its_limit_and_names_the_failing_input() -> None:
    out = run_example("fanout.py")
    assert "resized 500 images: photo-000-small.jpg ... photo-499-small.jpg" in out
    assert "at most 20 open at once" in out
    assert "stopped at input 42 (party.gif): party.gif: animated images are not supported" in out
