"""Fetching executions' histories from SWF, for :meth:`Replayer.replay_from_service`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import botocore.session

from .._swf import iter_pages, read_history
from ..handles import client_caller
from ..workflow_execution import WorkflowExecution
from ._sources import SavedHistory

__all__ = ["fetch_histories", "list_executions"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def list_executions(
    call: Any,
    domain: str,
    *,
    workflow_type: str | None = None,
    workflow_id: str | None = None,
    since: dt.datetime | None = None,
    open: bool = True,
    closed: bool = True,
) -> Iterator[dict[str, Any]]:
    """SWF's executionInfos, open ones first, every page (SWF allows one filter besides time)."""
    request: dict[str, Any] = {"domain": domain, "startTimeFilter": {"oldestDate": since or _EPOCH}}
    if workflow_type is not None and workflow_id is not None:
        raise ValueError("SWF filters executions by workflow type or by workflow id, not both")
    if workflow_type is not None:
        request["typeFilter"] = {"name": workflow_type}
    if workflow_id is not None:
        request["executionFilter"] = {"workflowId": workflow_id}
    operations = [name for name, wanted in (("ListOpen", open), ("ListClosed", closed)) if wanted]
    for operation in operations:
        yield from iter_pages(call, f"{operation}WorkflowExecutions", request, "executionInfos")


def fetch_histories(
    domain: str,
    *,
    client: Any = None,
    workflow_type: str | None = None,
    workflow_id: str | None = None,
    since: dt.datetime | None = None,
    open: bool = True,
    closed: bool = True,
    limit: int | None = None,
) -> Iterator[SavedHistory]:
    """The history of each execution the filters select, fetched one at a time."""
    if client is None:
        client = botocore.session.get_session().create_client("swf")
    call = client_caller(client)
    infos = list_executions(
        call,
        domain,
        workflow_type=workflow_type,
        workflow_id=workflow_id,
        since=since,
        open=open,
        closed=closed,
    )
    for count, info in enumerate(infos):
        if limit is not None and count >= limit:
            return
        ids = info["execution"]
        request = {"domain": domain, "execution": ids, "maximumPageSize": 1000}
        events = read_history(call, request)
        yield SavedHistory(
            f"{domain}/{ids['workflowId']}/{ids['runId']}",
            WorkflowExecution(ids["workflowId"], ids["runId"]),
            events,
        )
