"""The web timeline in a real headless Chromium: the pages' scripts build the timeline and the
event table from the API, over real HTTP, against awsflow.local.

The execution page's screenshot is written under the test's tmp dir (its path is printed); with
``AWSFLOW_UI_SCREENSHOT=PATH`` it is also copied there (how the README's picture is made).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from browser import chromium, dump_dom, screenshot
from devtools import Browser, wait
from ui_workflows import TASK_LIST, Fulfil
from uikit import Ui, run_fulfil

from awsflow import WorkflowWorker
from awsflow.local import LocalSWF, VirtualClock

BROWSER = chromium()
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no chromium binary on PATH (apt-get install chromium)"
)


def test_the_execution_page_draws_the_timelines_bars_and_the_event_rows(
    swf: LocalSWF, clock: VirtualClock, domain: str, ui: Ui, tmp_path: Path
) -> None:
    assert BROWSER is not None
    execution = run_fulfil(swf, clock, domain, ui, "order-42")
    events = ui.get(ui.execution_path(domain, "order-42")).json["events"]
    page = f"{ui.url}/#/d/{quote(domain, safe='')}/e/order-42?run={quote(execution.run_id, safe='')}"

    dom = dump_dom(BROWSER, page)
    assert 'id="load-error"' not in dom, dom
    assert re.search(r'<svg[^>]*id="timeline"', dom)
    bars = re.findall(r'<g class="bar bar-(\w+) outcome-(\w+)"[^>]*data-id="([^"]*)"', dom)
    activities = [(outcome, ident) for kind, outcome, ident in bars if kind == "activity"]
    assert sorted(activities) == [
        ("completed", "1"),
        ("completed", "2"),
        ("completed", "3-attempt-2"),
        ("completed", "5"),
        ("failed", "3-attempt-1"),
    ]
    timers = sorted(ident for kind, outcome, ident in bars if kind == "timer" and outcome == "fired")
    assert timers == ["3-backoff-2", "4"]
    assert sum(kind == "decision" for kind, _, _ in bars) >= 4
    assert "Warehouse.charge (3), 2 attempts" in dom  # the retries share a lane
    assert re.search(r'<g class="point point-signal"', dom)
    rows = re.findall(r'<tr id="event-(\d+)" class="event-row', dom)
    assert [int(row) for row in rows] == [event["id"] for event in events]
    assert "WorkflowExecutionCompleted" in dom and "order-42 shipped (fragile)" in dom
    assert 'id="do-terminate"' not in dom  # a closed execution has no buttons

    shot = screenshot(BROWSER, page, tmp_path / "execution.png")
    assert shot.stat().st_size > 10_000
    print(f"screenshot of the execution page: {shot}")
    copy_to = os.environ.get("AWSFLOW_UI_SCREENSHOT")
    if copy_to:
        shutil.copyfile(shot, copy_to)


def test_the_executions_page_lists_the_runs_and_an_open_one_offers_the_actions(
    swf: LocalSWF, clock: VirtualClock, domain: str, ui: Ui
) -> None:
    assert BROWSER is not None
    run_fulfil(swf, clock, domain, ui, "shipped")
    client = swf.client()
    client.start_workflow_execution(
        domain=domain,
        workflowId="pending",
        workflowType={"name": "Fulfil", "version": "1.0"},
        input='[["pending"], {}]',
    )
    listing = dump_dom(BROWSER, f"{ui.url}/#/d/{quote(domain, safe='')}")
    assert re.findall(r'<tr class="execution-row"><td><a [^>]*>([^<]+)</a>', listing) == [
        "pending",
        "shipped",
    ]
    assert 'class="badge status-open"' in listing and 'class="badge status-completed"' in listing
    opened = dump_dom(BROWSER, f"{ui.url}/#/d/{quote(domain, safe='')}/e/pending")
    for button in ("do-signal", "do-cancel", "do-terminate"):
        assert f'id="{button}"' in opened
    assert re.search(r'<g class="bar bar-decision outcome-open"', opened)  # its first decision waits
    home = dump_dom(BROWSER, f"{ui.url}/#/")
    assert f">{domain}</a>" in home


def test_terminate_asks_for_a_confirmation_and_backing_out_does_nothing(
    swf: LocalSWF, domain: str, ui: Ui
) -> None:
    assert BROWSER is not None
    client = swf.client()
    WorkflowWorker(None, "us-east-1", domain, TASK_LIST, Fulfil, client=client)  # registers the types
    client.start_workflow_execution(
        domain=domain,
        workflowId="doomed",
        workflowType={"name": "Fulfil", "version": "1.0"},
        input='[["doomed"], {}]',
    )
    path = ui.execution_path(domain, "doomed")
    with Browser(BROWSER) as browser:
        browser.navigate(f"{ui.url}/#/d/{quote(domain, safe='')}/e/doomed")
        browser.wait_for("!!document.getElementById('do-cancel')", "the execution page")
        # Request cancel, then back out of the dialog: nothing is sent.
        browser.evaluate("document.getElementById('do-cancel').click()")
        assert browser.evaluate("document.getElementById('confirm').open") is True
        assert "cancel" in browser.evaluate("document.getElementById('confirm-text').textContent")
        browser.evaluate("document.getElementById('confirm-no').click()")
        assert browser.evaluate("document.getElementById('confirm').open") is False
        # Terminate, with a reason, confirmed: the page posts it (same origin, JSON).
        browser.evaluate("document.getElementById('do-terminate').click()")
        browser.evaluate("document.getElementById('confirm-reason').value = 'clicked in the UI'")
        browser.evaluate("document.getElementById('confirm-yes').click()")
        wait(lambda: ui.get(path).json["execution"]["status"] == "TERMINATED", 30, "the termination")
        browser.wait_for("!document.getElementById('do-terminate')", "the page to show the closed run")
    events = ui.get(path).json["events"]
    assert not any(e["type"] == "WorkflowExecutionCancelRequested" for e in events)
    assert events[-1]["type"] == "WorkflowExecutionTerminated"
    assert events[-1]["attributes"]["reason"] == "clicked in the UI"


def test_the_executions_page_refreshes_itself_while_it_shows_open_ones(
    swf: LocalSWF, domain: str, ui: Ui
) -> None:
    assert BROWSER is not None
    client = swf.client()
    WorkflowWorker(None, "us-east-1", domain, TASK_LIST, Fulfil, client=client)  # registers the types
    rows = "[...document.querySelectorAll('tr.execution-row a')].map(a => a.textContent).join(' ')"
    with Browser(BROWSER) as browser:
        browser.navigate(f"{ui.url}/#/d/{quote(domain, safe='')}?status=open")
        browser.wait_for("!!document.getElementById('executions')", "the executions page")
        assert browser.evaluate(rows) == ""
        client.start_workflow_execution(
            domain=domain,
            workflowId="late",
            workflowType={"name": "Fulfil", "version": "1.0"},
            input='[["late"], {}]',
        )
        browser.wait_for(f"{rows} === 'late'", "the new execution to appear without a reload")
