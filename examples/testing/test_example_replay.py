"""Saved histories replay against the current workflow code: the check to run before a deploy.

``histories/`` holds executions saved with ``awsflow workflow history ID --json``. A change to
``HelloWorkflow`` that makes other decisions than those histories recorded fails this test with
the recorded decision, the call the code makes now and its source line.
"""

from __future__ import annotations

from pathlib import Path

from example_workflows import HelloWorkflow

from awsflow.testing import Replayer

HISTORIES = Path(__file__).parent / "histories"


def test_the_saved_histories_replay_against_the_current_code() -> None:
    report = Replayer([HelloWorkflow]).replay_path(HISTORIES)
    assert report.ok, report.summary()
    assert len(report.results) == 1
