"""The tutorial's examples run with one command, print what they promise, and what their page says.

Each example runs once per test session, as a subprocess (``python examples/<file>.py``). Its
own test checks the facts it demonstrates; ``test_each_documented_output_is_what_the_example_prints``
compares every ``.. code-block:: text`` captioned ``Output of examples/<file>.py`` in the docs with
the example's real output (a ``...`` line in the page stands for any number of lines), and
``test_the_history_figures_are_hello_worlds_real_history`` the history figures of the hello-world
and replay pages with the history hello world really writes.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from awsflow import ActivityWorker, WorkflowWorker
from awsflow.local import LocalSWF

ROOT = Path(__file__).resolve().parents[2]
CAPTION = re.compile(
    r"^([ \t]*)\.\. code-block:: text\n[ \t]+:caption: Output of examples/([\w/.-]+\.py)\n\n", re.M
)


@functools.cache
def run_example(name: str) -> str:
    """The stdout of ``python examples/<name>``, which must exit 0 without a traceback."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def documented_outputs() -> list[tuple[str, str, list[str]]]:
    """(page:line, example, lines) for each output block of the docs."""
    found = []
    for page in sorted((ROOT / "docs").rglob("*.rst")):
        if page.relative_to(ROOT / "docs").parts[0] in ("_build", "reference"):
            continue
        text = page.read_text(encoding="utf-8")
        for match in CAPTION.finditer(text):
            depth = len(match.group(1))
            lines = []
            for line in text[match.end() :].splitlines():
                if line.strip() and len(line) - len(line.lstrip()) <= depth:
                    break
                lines.append(line)
            while lines and not lines[-1].strip():
                lines.pop()
            body_depth = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
            where = f"{page.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
            found.append((where, match.group(2), [line[body_depth:] for line in lines]))
    return found


def matches(documented: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` is ``documented`` with each ``...`` line standing for any lines."""
    if not documented:
        return not actual
    if documented[0] == "...":
        return any(matches(documented[1:], actual[start:]) for start in range(len(actual) + 1))
    return bool(actual) and documented[0] == actual[0] and matches(documented[1:], actual[1:])


def test_the_output_matcher_allows_elisions_only_where_marked() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["...", "c"], ["a", "b", "c"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a", "...", "e"], ["a", "b", "d"])
    assert not matches(["a"], ["a", "b"])


OUTPUTS = documented_outputs()


@pytest.mark.parametrize(("where", "example", "lines"), OUTPUTS, ids=[where for where, _, _ in OUTPUTS])
def test_each_documented_output_is_what_the_example_prints(
    where: str, example: str, lines: list[str]
) -> None:
    actual = [line.rstrip() for line in run_example(example).splitlines()]
    assert matches([line.rstrip() for line in lines], actual), (
        f"{where} shows:\n" + "\n".join(lines) + "\n\nexamples/" + example + " printed:\n" + "\n".join(actual)
    )


def test_every_tutorial_example_has_its_output_on_its_page() -> None:
    shown = {example for _, example, _ in OUTPUTS}
    wanted = {"hello_world.py", "retries.py", "timers.py", "approval.py", "child_workflows.py", "fanout.py"}
    assert wanted | {"continue_as_new.py"} <= shown


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


def test_the_timers_example_sleeps_two_weeks_on_two_timers() -> None:
    out = run_example("timers.py")
    assert "trial of ada ran from 2023-11-14 to 2023-11-28" in out  # VirtualClock's start, + 14 days
    assert "day  0.0  TimerStarted                 timerId=2 startToFireTimeout=950400" in out  # 11 days
    assert "day 14.0  TimerFired                   timerId=4" in out
    assert out.index("your trial ends in 3 days") > out.index("11 days pass")


def test_the_approval_example_is_decided_by_signals_or_expires() -> None:
    out = run_example("approval.py")
    assert "ada's expense of 120: approved by grace, paid 120 to ada" in out
    assert 'signalName=approve input=[{"__tuple":["grace"]},{}]' in out
    assert "TimerCanceled              timerId=1" in out  # the approval canceled the 2-day timeout
    assert "edsger's expense of 75: rejected by barbara" in out  # a plain [args, kwargs] signal
    assert "alan's expense of 4000: no answer in 2 days, escalated" in out


def test_the_child_workflows_example_ships_in_children_and_catches_a_failed_one() -> None:
    out = run_example("child_workflows.py")
    assert "book: tracking number TN-427" in out
    assert "piano: not shipped (activity Courier.book (id 1) failed: ValueError('pianos need" in out
    assert (
        "order-7-piano: StartChildWorkflowExecutionInitiated, ChildWorkflowExecutionStarted, "
        "ChildWorkflowExecutionFailed"
    ) in out


def test_the_continue_as_new_example_runs_four_short_runs() -> None:
    out = run_example("continue_as_new.py")
    assert "sum of the squares below 35: 13685" in out
    assert out.count("WorkflowExecutionContinuedAsNew") == 3
    assert 'run 4: input [{"__tuple":[35,30,8555]},{}], 35 events, WorkflowExecutionCompleted' in out


FIGURE_EVENT = re.compile(r"^\s*(\d+) ([A-Z]\w+)")


def figure_events(page: str) -> list[tuple[int, str]]:
    """``(event id, event type)`` of each history line of the page's figures."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return [(int(m.group(1)), m.group(2)) for line in text.splitlines() if (m := FIGURE_EVENT.match(line))]


def test_the_history_figures_are_hello_worlds_real_history() -> None:
    spec = importlib.util.spec_from_file_location("hello_world_example", ROOT / "examples" / "hello_world.py")
    assert spec is not None and spec.loader is not None
    hello = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hello)
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name="domain1", workflowExecutionRetentionPeriodInDays="1")
        with (
            WorkflowWorker(
                None, "us-east-1", "domain1", "tasklist1", hello.HelloWorldWorkflow, client=client
            ),
            ActivityWorker(
                None, "us-east-1", "domain1", "tasklist1", hello.HelloWorldActivities(), client=client
            ),
        ):
            instance = hello.HelloWorldWorkflow.hello_world()
            instance.wait_for_completion(timeout=30)
        execution = instance.workflow_execution
        request = {"workflowId": execution.workflow_id, "runId": execution.run_id}
        events = client.get_workflow_execution_history(domain="domain1", execution=request)["events"]
    history = [(event["eventId"], event["eventType"]) for event in events]
    assert figure_events("tutorial/hello_world.rst") == history
    replayed = figure_events("concepts/replay.rst")
    assert replayed == history[: len(replayed)] and len(replayed) == 15
