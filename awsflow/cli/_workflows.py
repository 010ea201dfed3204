"""``awsflow workflow start|list|count|describe|result|signal|cancel|terminate|query`` (and, from
their own modules, ``history``, ``stuck`` and ``profile``)."""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from typing import Any

from ..data_converter import JSONDataConverter
from ..exceptions import (
    WorkflowCanceledError,
    WorkflowFailedError,
    WorkflowTerminatedError,
    WorkflowTimedOutError,
)
from ..replaying import list_executions
from ..workflow_definition import execute_methods
from . import _history, _profile, _stuck
from ._arguments import handle_for, parse_arguments, since_option
from ._context import Cli
from ._describing import description_lines
from ._errors import CliError, Exit
from ._format import table, to_json
from ._loading import load_classes

__all__ = ["register"]

_CONVERTER = JSONDataConverter()
_CLOSE_STATUSES = ("COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT")


def register(commands: Any, shared: argparse.ArgumentParser) -> None:
    """Add the ``workflow`` group."""
    group = commands.add_parser(
        "workflow", help="start, list, inspect, signal, cancel and terminate executions"
    )
    actions = group.add_subparsers(title="workflow commands", metavar="ACTION")
    actions.required = True

    start = actions.add_parser(
        "start",
        parents=[shared],
        help="start an execution",
        epilog="examples:\n  awsflow workflow start HelloWorkflow:1.0 --input '[\"world\"]'\n"
        "  awsflow workflow start Checkout --input '[[\"apple\", 2]]' --id order-42",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    start.add_argument(
        "type",
        metavar="TYPE[:VERSION]",
        help="workflow type (the version may be left out if one is registered)",
    )
    start.add_argument("--input", default=None, metavar="JSON", help=_INPUT_HELP)
    start.add_argument("--id", default=None, help="workflow id (default: a new uuid)")
    start.add_argument("--task-list", default=None, help="decision task list (default: the type's)")
    start.add_argument("--execution-timeout", type=int, default=None, metavar="SECONDS")
    start.add_argument("--task-timeout", type=int, default=None, metavar="SECONDS")
    start.add_argument("--tag", action="append", default=[], help="a tag (repeatable, at most 5)")
    start.set_defaults(run=start_workflow)

    listing = actions.add_parser(
        "list",
        parents=[shared],
        help="list executions (open ones first)",
        epilog="example: awsflow workflow list --closed --status FAILED --since 1d",
    )
    _add_filters(listing)
    listing.add_argument("--limit", type=int, default=100, help="at most this many (default: 100; 0: all)")
    listing.set_defaults(run=list_workflows)

    count = actions.add_parser(
        "count",
        parents=[shared],
        help="count open and closed executions",
        epilog="example: awsflow workflow count --type OrderWorkflow --since 1d",
    )
    _add_filters(count)
    count.set_defaults(run=count_workflows)

    describe = _with_id(
        actions, shared, "describe", "status, times, open counts, pending tasks, failing decisions"
    )
    describe.set_defaults(run=describe_workflow)

    result = _with_id(actions, shared, "result", "the result of a closed execution (exit 1 if it failed)")
    result.add_argument("--wait", action="store_true", help="wait for the execution to close")
    result.add_argument(
        "--timeout", type=float, default=None, metavar="SECONDS", help="with --wait: give up after"
    )
    result.set_defaults(run=workflow_result)

    signal = _with_id(
        actions,
        shared,
        "signal",
        "send a signal",
        "example: awsflow workflow signal order-42 approve --input '[\"alice\"]'",
    )
    signal.add_argument("name", help="the signal's name (the @signal method's)")
    signal.add_argument("--input", default=None, metavar="JSON", help=_INPUT_HELP)
    signal.set_defaults(run=signal_workflow)

    cancel = _with_id(actions, shared, "cancel", "ask SWF to cancel the execution (its code may clean up)")
    cancel.set_defaults(run=cancel_workflow)

    terminate = _with_id(actions, shared, "terminate", "terminate the execution at once")
    terminate.add_argument("--reason", default=None)
    terminate.add_argument("--details", default=None)
    terminate.set_defaults(run=terminate_workflow)

    query = _with_id(
        actions,
        shared,
        "query",
        "ask a @query method (answered by replaying the history here)",
        "example: awsflow workflow query order-42 status --workflows shop.workflows:OrderWorkflow",
    )
    query.add_argument("name", help="the @query method's name")
    query.add_argument("--input", default=None, metavar="JSON", help=_INPUT_HELP)
    query.add_argument(
        "--workflows", nargs="+", required=True, metavar="MODULE:CLASS", help="the workflow classes"
    )
    query.set_defaults(run=query_workflow)

    _history.register(actions, shared, _with_id)
    _stuck.register(actions, shared)
    _profile.register(actions, shared, _with_id)


_INPUT_HELP = (
    "the arguments as JSON: an array of positional arguments, or any other value as the one argument"
)


def _with_id(
    actions: Any, shared: argparse.ArgumentParser, name: str, text: str, epilog: str | None = None
) -> Any:
    parser = actions.add_parser(
        name,
        parents=[shared],
        help=text,
        description=text,
        epilog=epilog or f"example: awsflow workflow {name} order-42 --domain orders",
    )
    parser.add_argument("workflow_id", metavar="ID", help="the workflow id")
    parser.add_argument("--run-id", default=None, help="the run (default: the open one, else the newest)")
    return parser


def _add_filters(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--open", action="store_true", help="only open executions")
    which.add_argument("--closed", action="store_true", help="only closed executions")
    parser.add_argument("--type", default=None, help="only this workflow type name")
    parser.add_argument("--id", default=None, help="only this workflow id")
    parser.add_argument("--status", default=None, choices=("OPEN", *_CLOSE_STATUSES), help="only this status")
    parser.add_argument("--since", default=None, help="started since: 30m, 2h, 7d, or an ISO date")


# -- start ------------------------------------------------------------------------------------------
def start_workflow(args: argparse.Namespace, cli: Cli) -> int:
    name, _, version = args.type.partition(":")
    if not version:
        version = _only_version(cli, name)
    encoded = _CONVERTER.dumps([parse_arguments(args.input), {}])
    request: dict[str, Any] = {
        "domain": cli.domain,
        "workflowId": args.id or uuid.uuid4().hex,
        "workflowType": {"name": name, "version": version},
        "input": encoded,
    }
    if args.task_list:
        request["taskList"] = {"name": args.task_list}
    if args.execution_timeout is not None:
        request["executionStartToCloseTimeout"] = str(args.execution_timeout)
    if args.task_timeout is not None:
        request["taskStartToCloseTimeout"] = str(args.task_timeout)
    if args.tag:
        request["tagList"] = list(args.tag)
    run_id = cli.call("StartWorkflowExecution", request)["runId"]
    if cli.json:
        cli.print_json({"workflowId": request["workflowId"], "runId": run_id})
    else:
        cli.print(f"started {name} {version}: workflow id {request['workflowId']}, run id {run_id}")
    return 0


def _only_version(cli: Cli, name: str) -> str:
    answer = cli.call(
        "ListWorkflowTypes", {"domain": cli.domain, "name": name, "registrationStatus": "REGISTERED"}
    )
    versions = sorted(info["workflowType"]["version"] for info in answer.get("typeInfos", ()))
    if len(versions) == 1:
        return str(versions[0])
    if not versions:
        raise CliError(f"no workflow type {name} is registered in domain {cli.domain}", Exit.REFUSED)
    raise CliError(f"workflow type {name} has versions {', '.join(versions)}: say which, as {name}:VERSION")


# -- list and count ------------------------------------------------------------------------------------
def _filters(args: argparse.Namespace) -> dict[str, Any]:
    since = since_option(args)
    status = args.status
    opened = not args.closed and status in (None, "OPEN")
    closed = not args.open and status != "OPEN"
    if args.type and args.id:
        raise CliError("SWF filters executions by --type or by --id, not both")
    return {
        "since": since,
        "open": opened,
        "closed": closed,
        "workflow_type": args.type,
        "workflow_id": args.id,
        "close_status": status if status not in (None, "OPEN") else None,
    }


def list_workflows(args: argparse.Namespace, cli: Cli) -> int:
    filters = _filters(args)
    close_status = filters.pop("close_status")
    rows: list[dict[str, Any]] = []
    more = False
    for info in list_executions(cli.call, cli.domain, **filters):
        if close_status and info.get("closeStatus") != close_status:
            continue
        if args.limit and len(rows) >= args.limit:
            more = True
            break
        rows.append(info)
    if cli.json:
        cli.print_json(rows)
    else:
        cli.print(
            *table(
                ["WORKFLOW ID", "RUN ID", "TYPE", "STATUS", "STARTED", "CLOSED"],
                (
                    [
                        i["execution"]["workflowId"],
                        i["execution"]["runId"],
                        f"{i['workflowType']['name']} {i['workflowType']['version']}",
                        i.get("closeStatus") or i["executionStatus"],
                        i["startTimestamp"],
                        i.get("closeTimestamp"),
                    ]
                    for i in rows
                ),
            )
        )
    if more:
        cli.warn(f"more executions than --limit {args.limit}: pass a larger --limit, or --limit 0 for all")
    return 0


def count_workflows(args: argparse.Namespace, cli: Cli) -> int:
    filters = _filters(args)
    request: dict[str, Any] = {
        "domain": cli.domain,
        "startTimeFilter": {
            "oldestDate": filters["since"] or dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
        },
    }
    if filters["workflow_type"]:
        request["typeFilter"] = {"name": filters["workflow_type"]}
    if filters["workflow_id"]:
        request["executionFilter"] = {"workflowId": filters["workflow_id"]}
    counts: dict[str, Any] = {}
    if filters["open"]:
        answer = cli.call("CountOpenWorkflowExecutions", request)
        counts["open"] = {"count": answer["count"], "truncated": bool(answer.get("truncated"))}
    if filters["closed"]:
        closed_request = dict(request)
        if filters["close_status"]:
            if "typeFilter" in closed_request or "executionFilter" in closed_request:
                raise CliError("SWF counts by one filter: --status cannot be combined with --type or --id")
            closed_request["closeStatusFilter"] = {"status": filters["close_status"]}
        answer = cli.call("CountClosedWorkflowExecutions", closed_request)
        counts["closed"] = {"count": answer["count"], "truncated": bool(answer.get("truncated"))}
    if cli.json:
        cli.print_json(counts)
    else:
        for which, value in counts.items():
            cli.print(
                f"{which}: {value['count']}{' (at least; SWF truncated the count)' if value['truncated'] else ''}"
            )
    return 0


# -- one execution -------------------------------------------------------------------------------------
def describe_workflow(args: argparse.Namespace, cli: Cli) -> int:
    described = handle_for(cli, args).describe()
    cli.print_json(described) if cli.json else cli.print(*description_lines(described))
    return 0


def workflow_result(args: argparse.Namespace, cli: Cli) -> int:
    handle = handle_for(cli, args)
    timeout = args.timeout if args.wait else 0.0
    try:
        value = handle.result(timeout=timeout)
    except TimeoutError:
        where = f" after {args.timeout:g} s" if args.wait and args.timeout is not None else ""
        raise CliError(f"{args.workflow_id} is still open{where}", Exit.STILL_OPEN) from None
    except (
        WorkflowFailedError,
        WorkflowTimedOutError,
        WorkflowTerminatedError,
        WorkflowCanceledError,
    ) as error:
        if cli.json:
            cli.print_json(
                {"status": _status_of(error), "error": str(error), "cause": getattr(error, "cause", None)}
            )
        raise CliError(f"{args.workflow_id}: {error}", Exit.FAILED) from None
    cli.print_json({"status": "COMPLETED", "result": value}) if cli.json else cli.print(_json_text(value))
    return 0


def _status_of(error: BaseException) -> str:
    return {
        WorkflowFailedError: "FAILED",
        WorkflowTimedOutError: "TIMED_OUT",
        WorkflowTerminatedError: "TERMINATED",
        WorkflowCanceledError: "CANCELED",
    }[type(error)]


def _json_text(value: Any) -> str:
    return str(to_json(value, indent=None))


def signal_workflow(args: argparse.Namespace, cli: Cli) -> int:
    handle_for(cli, args).signal(args.name, *parse_arguments(args.input))
    _done(cli, args, "signaled", f"sent signal {args.name} to {args.workflow_id}")
    return 0


def cancel_workflow(args: argparse.Namespace, cli: Cli) -> int:
    handle_for(cli, args).request_cancel()
    _done(cli, args, "cancel requested", f"asked SWF to cancel {args.workflow_id}")
    return 0


def terminate_workflow(args: argparse.Namespace, cli: Cli) -> int:
    handle_for(cli, args).terminate(reason=args.reason, details=args.details)
    _done(cli, args, "terminated", f"terminated {args.workflow_id}")
    return 0


def _done(cli: Cli, args: argparse.Namespace, what: str, text: str) -> None:
    if cli.json:
        cli.print_json({"workflowId": args.workflow_id, "runId": args.run_id, "done": what})
    else:
        cli.print(text)


def query_workflow(args: argparse.Namespace, cli: Cli) -> int:
    classes = load_classes(args.workflows)
    handle = handle_for(cli, args)
    answer = cli.call(
        "DescribeWorkflowExecution",
        {"domain": cli.domain, "execution": {"workflowId": handle.workflow_id, "runId": handle.run_id}},
    )
    named = answer["executionInfo"]["workflowType"]
    for definition in classes:
        if any((t.name, t.version) == (named["name"], named["version"]) for t in execute_methods(definition)):
            break
    else:
        raise CliError(
            f"none of {', '.join(args.workflows)} defines workflow {named['name']} {named['version']}"
        )
    handle = handle_for(cli, args, definition)
    value = handle.query(args.name, *parse_arguments(args.input))
    cli.print_json(value) if cli.json else cli.print(_json_text(value))
    return 0
