"""``awsflow replay``: replay saved histories (or a domain's executions) against the current code."""

from __future__ import annotations

import argparse
from typing import Any

from ..replaying import Replayer, ReplayOutcome, ReplayReport
from ._arguments import since_option
from ._context import Cli
from ._errors import CliError, Exit
from ._loading import load_classes

__all__ = ["register", "report_lines"]


def register(commands: Any, shared: argparse.ArgumentParser) -> None:
    """Add ``replay``."""
    replay = commands.add_parser(
        "replay",
        parents=[shared],
        help="replay saved histories against the current workflow code (exit 1 on any nondeterminism)",
        description="Replay history files (awsflow workflow history --json, GetWorkflowExecutionHistory "
        "pages, botoflow 0.8's), every *.json under a directory, or with --from-service the "
        "executions of --domain, against the workflow classes given. Each nondeterminism is "
        "reported with the call the code makes now and its source line.",
        epilog="examples:\n  awsflow replay histories/ --workflows shop.workflows:OrderWorkflow\n"
        "  awsflow replay --from-service --domain orders --since 7d --workflows shop.workflows:OrderWorkflow",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument("paths", nargs="*", metavar="HISTORY.json|DIR")
    replay.add_argument(
        "--workflows", nargs="+", required=True, metavar="MODULE:CLASS", help="the workflow classes"
    )
    replay.add_argument(
        "--from-service", action="store_true", help="replay the executions of --domain instead"
    )
    replay.add_argument("--type", default=None, help="with --from-service: only this workflow type name")
    replay.add_argument(
        "--since", default=None, help="with --from-service: only executions started since (7d, ISO date)"
    )
    replay.add_argument(
        "--limit", type=int, default=None, help="with --from-service: at most this many executions"
    )
    replay.set_defaults(run=run)


def run(args: argparse.Namespace, cli: Cli) -> int:
    if bool(args.paths) == bool(args.from_service):
        raise CliError("give history files or directories, or --from-service (not both)")
    replayer = Replayer(load_classes(args.workflows))
    if args.from_service:
        since = since_option(args)
        report = replayer.replay_from_service(
            cli.domain, client=cli.client, workflow_type=args.type, since=since, limit=args.limit
        )
    else:
        try:
            report = replayer.replay_path(*args.paths)
        except FileNotFoundError as error:
            raise CliError(str(error)) from error
    if not report.results:
        raise CliError("no history found to replay", Exit.FAILED)
    if cli.json:
        cli.print_json({"ok": report.ok, "results": report.results})
    else:
        cli.print(*report_lines(report))
    return Exit.OK if report.ok else Exit.FAILED


def report_lines(report: ReplayReport) -> list[str]:
    """One line per history, then the counts."""
    lines = []
    for result in report.results:
        if result.outcome is ReplayOutcome.OK:
            lines.append(f"ok              {result.source} ({result.decision_tasks} decision tasks)")
        elif result.outcome is ReplayOutcome.NONDETERMINISM and result.location:
            lines.append(
                f"NONDETERMINISM  {result.source}: the history has {result.recorded} but the code now makes "
                f"{result.call} at {result.location}"
            )
        else:
            message = result.message.removeprefix(f"{result.source}: ")
            lines.append(f"{result.outcome.value.upper():<16}{result.source}: {message}")
    failed = len(report.failures)
    lines.append(f"{len(report.results)} replayed, {len(report.results) - failed} ok, {failed} failed")
    return lines
