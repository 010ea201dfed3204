"""``awsflow workflow stuck``: the open executions whose decision tasks keep failing or timing out."""

from __future__ import annotations

import argparse
from typing import Any

from ..handles import WorkflowHandle
from ..replaying import list_executions
from ._arguments import since_option
from ._context import Cli
from ._describing import failure_text
from ._format import table, timestamp

__all__ = ["register"]


def register(actions: Any, shared: argparse.ArgumentParser) -> None:
    """Add ``workflow stuck``."""
    stuck = actions.add_parser(
        "stuck",
        parents=[shared],
        help="open executions whose decisions keep failing or timing out, with the reason",
        epilog="example: awsflow workflow stuck --type OrderWorkflow --json",
    )
    stuck.add_argument("--type", default=None, help="only this workflow type name")
    stuck.add_argument(
        "--since", default=None, help="only executions started since: 30m, 2h, 7d, or an ISO date"
    )
    stuck.set_defaults(run=list_stuck)


def list_stuck(args: argparse.Namespace, cli: Cli) -> int:
    since = since_option(args)
    found = []
    infos = list_executions(cli.call, cli.domain, workflow_type=args.type, since=since, closed=False)
    for info in infos:
        ids = info["execution"]
        described = WorkflowHandle(cli.call, cli.domain, ids["workflowId"], ids["runId"]).describe()
        if described.decision_failure is not None:
            found.append(described)
    if cli.json:
        cli.print_json(
            [
                {
                    "workflowId": d.execution.workflow_id,
                    "runId": d.execution.run_id,
                    "workflowType": {"name": d.workflow_type[0], "version": d.workflow_type[1]},
                    "decisionFailure": d.decision_failure,
                }
                for d in found
            ]
        )
        return 0
    if not found:
        cli.print("no open execution has failing decisions")
        return 0
    rows = []
    for d in found:
        failure = d.decision_failure
        assert failure is not None
        rows.append(
            [
                d.execution.workflow_id,
                d.execution.run_id,
                f"{d.workflow_type[0]} {d.workflow_type[1]}",
                timestamp(failure.since),
                failure.attempts,
                failure_text(d),
            ]
        )
    cli.print(*table(["WORKFLOW ID", "RUN ID", "TYPE", "FAILING SINCE", "ATTEMPTS", "REASON"], rows))
    return 0
