"""Record the saved botoflow 0.8 histories: ``python test/decider/record_botoflow_histories.py [name ...]``.

Runs each program of ``test/botoflow_programs.py`` (``RECORDINGS``) under botoflow 0.8's own workers (with the
shims of ``test/botoflow_shims.py``) on an in-process awsflow.local with a virtual clock, driven
step by step by ``test/botoflow_diff.py``, and writes every execution's history (the started one,
then the children it started) to ``histories/botoflow_0_8_<name>.json``, saying how it was made.
Timestamps are the virtual clock's, in epoch seconds; run ids are the service's, left as drawn.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # test/ and test/decider/, as pytest puts them

import botocore  # noqa: E402
from botoflow_diff import BOTOFLOW_VERSION, run_program  # noqa: E402
from botoflow_programs import RECORDINGS, Recording  # noqa: E402
from botoflow_shims import botoflow  # noqa: E402

HISTORIES = HERE / "histories"


def wire(value: Any) -> Any:
    """The event as the SWF wire has it: timestamps in epoch seconds."""
    if isinstance(value, dict):
        return {key: wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [wire(item) for item in value]
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return value


def record(recording: Recording) -> dict[str, Any]:
    run = run_program(botoflow, recording.builder, recording.entry, *recording.args, script=recording.script)
    executions = []
    for execution in run.executions():
        events = wire(run.history(execution))
        started = events[0]["workflowExecutionStartedEventAttributes"]["workflowType"]
        executions.append(
            {
                "workflow": f"{started['name']} {started['version']}",
                "execution": execution,
                "events": events,
            }
        )
    how = f"{recording.builder.__name__} in test/botoflow_programs.py, started as {recording.entry}"
    if recording.script is not None:
        how += f" and driven by {recording.script.__name__}"
    return {
        "written_by": (
            f"botoflow {BOTOFLOW_VERSION} workers (Python {platform.python_version()}, botocore "
            f"{botocore.__version__}, shims of test/botoflow_shims.py) on awsflow.local with a virtual "
            "clock; recorded by test/decider/record_botoflow_histories.py"
        ),
        "program": how,
        **executions[0],
        "children": executions[1:],
    }


def main() -> None:
    names = [recording.name for recording in RECORDINGS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"some of {', '.join(names)} (default: all)")
    chosen = set(parser.parse_args().names or names)
    if chosen - set(names):
        parser.error(f"unknown: {', '.join(sorted(chosen - set(names)))}; known: {', '.join(names)}")
    if BOTOFLOW_VERSION != "0.8":
        sys.exit(f"botoflow 0.8 is needed (found {BOTOFLOW_VERSION}): pip install botoflow==0.8")
    for recording in RECORDINGS:
        if recording.name in chosen:
            path = HISTORIES / recording.file_name
            path.write_text(json.dumps(record(recording), indent=1) + "\n", encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
