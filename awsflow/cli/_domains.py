"""``awsflow domain register|list|describe|deprecate|undeprecate`` and ``awsflow type list``."""

from __future__ import annotations

import argparse
from typing import Any

from .._swf import iter_pages
from ._context import Cli
from ._format import table

__all__ = ["register"]


def register(commands: Any, shared: argparse.ArgumentParser) -> None:
    """Add the ``domain`` and ``type`` groups."""
    domain = commands.add_parser("domain", help="register, list, describe and deprecate domains")
    actions = domain.add_subparsers(title="domain commands", metavar="ACTION")
    actions.required = True

    register_ = actions.add_parser(
        "register",
        parents=[shared],
        help="register a domain",
        epilog="example: awsflow domain register orders --retention 7",
    )
    register_.add_argument("name")
    register_.add_argument(
        "--retention", type=int, default=1, metavar="DAYS", help="history retention (default: 1)"
    )
    register_.add_argument("--description", default=None)
    register_.set_defaults(run=register_domain)

    listing = actions.add_parser(
        "list", parents=[shared], help="list the domains", epilog="example: awsflow domain list --json"
    )
    listing.add_argument("--deprecated", action="store_true", help="list the deprecated ones instead")
    listing.set_defaults(run=list_domains)

    for name, run, text in (
        ("describe", describe_domain, "show a domain"),
        ("deprecate", deprecate_domain, "deprecate a domain (no new executions)"),
        ("undeprecate", undeprecate_domain, "undeprecate a domain"),
    ):
        action = actions.add_parser(
            name, parents=[shared], help=text, epilog=f"example: awsflow domain {name} orders"
        )
        action.add_argument("name")
        action.set_defaults(run=run)

    types = commands.add_parser("type", help="list workflow and activity types")
    type_actions = types.add_subparsers(title="type commands", metavar="ACTION")
    type_actions.required = True
    type_list = type_actions.add_parser(
        "list",
        parents=[shared],
        help="list the registered workflow and activity types of --domain",
        epilog="example: awsflow type list --domain orders --kind workflow",
    )
    type_list.add_argument("--kind", choices=("workflow", "activity"), default=None, help="only this kind")
    type_list.add_argument("--deprecated", action="store_true", help="list the deprecated ones instead")
    type_list.set_defaults(run=list_types)


def register_domain(args: argparse.Namespace, cli: Cli) -> int:
    request = {"name": args.name, "workflowExecutionRetentionPeriodInDays": str(args.retention)}
    if args.description:
        request["description"] = args.description
    cli.call("RegisterDomain", request)
    if cli.json:
        cli.print_json({"name": args.name, "registered": True})
    else:
        cli.print(f"registered domain {args.name} (retention {args.retention} days)")
    return 0


def _pages(cli: Cli, operation: str, request: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return list(iter_pages(cli.call, operation, request, key))


def list_domains(args: argparse.Namespace, cli: Cli) -> int:
    status = "DEPRECATED" if args.deprecated else "REGISTERED"
    domains = _pages(cli, "ListDomains", {"registrationStatus": status}, "domainInfos")
    if cli.json:
        cli.print_json(domains)
    else:
        cli.print(
            *table(
                ["NAME", "STATUS", "DESCRIPTION"],
                ([d["name"], d["status"], d.get("description")] for d in domains),
            )
        )
    return 0


def describe_domain(args: argparse.Namespace, cli: Cli) -> int:
    answer = cli.call("DescribeDomain", {"name": args.name})
    info, configuration = answer["domainInfo"], answer.get("configuration", {})
    if cli.json:
        cli.print_json({"domainInfo": info, "configuration": configuration})
    else:
        cli.print(
            f"name:        {info['name']}",
            f"status:      {info['status']}",
            f"description: {info.get('description') or '-'}",
            f"retention:   {configuration.get('workflowExecutionRetentionPeriodInDays', '-')} days",
        )
    return 0


def deprecate_domain(args: argparse.Namespace, cli: Cli) -> int:
    cli.call("DeprecateDomain", {"name": args.name})
    cli.print_json({"name": args.name, "status": "DEPRECATED"}) if cli.json else cli.print(
        f"deprecated domain {args.name}"
    )
    return 0


def undeprecate_domain(args: argparse.Namespace, cli: Cli) -> int:
    cli.call("UndeprecateDomain", {"name": args.name})
    cli.print_json({"name": args.name, "status": "REGISTERED"}) if cli.json else cli.print(
        f"undeprecated domain {args.name}"
    )
    return 0


def list_types(args: argparse.Namespace, cli: Cli) -> int:
    status = "DEPRECATED" if args.deprecated else "REGISTERED"
    rows = []
    for kind in ("workflow", "activity"):
        if args.kind not in (None, kind):
            continue
        operation = "ListWorkflowTypes" if kind == "workflow" else "ListActivityTypes"
        request = {"domain": cli.domain, "registrationStatus": status}
        for info in _pages(cli, operation, request, "typeInfos"):
            named = info[f"{kind}Type"]
            rows.append(
                {
                    "kind": kind,
                    "name": named["name"],
                    "version": named["version"],
                    "status": info["status"],
                    "created": info.get("creationDate"),
                    "description": info.get("description"),
                }
            )
    if cli.json:
        cli.print_json(rows)
    else:
        cli.print(
            *table(
                ["KIND", "NAME", "VERSION", "STATUS", "CREATED"],
                ([r["kind"], r["name"], r["version"], r["status"], r["created"]] for r in rows),
            )
        )
    return 0
