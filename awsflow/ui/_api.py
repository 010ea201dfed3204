"""The web timeline's JSON API: requests in, SWF calls made, JSON answers out. No sockets here.

:class:`Api` answers ``(method, path, query, body)`` with ``(status, document)``; the HTTP shell
(``._server``) only parses and writes. Every answer is JSON; a request the API cannot serve gets
a 4xx document ``{"error": ..., "message": ...}``, never a traceback:

====================================================  ============================================
``GET  /api/domains``                                 registered domains, and the default one
``GET  /api/domains/D/executions``                    executions (``status=open|closed|all``,
                                                      ``type``, ``since`` ISO 8601, ``closeStatus``,
                                                      ``limit``); open ones first
``GET  /api/domains/D/executions/ID[?runId=R]``       describe, the failing-decision banner, the
                                                      timeline and the event table
``POST /api/domains/D/executions/ID/signal``          ``{"name": ..., "input": [...], "runId": R}``
``POST /api/domains/D/executions/ID/cancel``          ``{"runId": R}``
``POST /api/domains/D/executions/ID/terminate``       ``{"reason": ..., "details": ..., "runId": R}``
====================================================  ============================================

Path segments are percent-decoded one by one, so a workflow id may hold ``/`` (sent as ``%2F``).
SWF's refusals map to 400 (404 for an unknown domain or execution), an endpoint that cannot be
reached to 502.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import botocore.exceptions

from .._swf import iter_pages
from ..exceptions import PayloadTooLargeError
from ..handles import HistoryEvent, UndecodablePayload, WorkflowHandle, to_plain
from ..replaying import list_executions
from ..swf_exceptions import SWFResponseError, UnknownResourceError, is_connection_error
from ._timeline import build_timeline

__all__ = ["Api", "ApiError", "Caller"]

logger = logging.getLogger(__name__)

Caller = Callable[[str, dict[str, Any]], Any]

_STATUSES = ("open", "closed", "all")
_CLOSE_STATUSES = ("COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT")
_MOST = 1000  # executions listed at most per request
_ACTIONS = ("signal", "cancel", "terminate")


class ApiError(Exception):
    """A request the API refuses: the HTTP status, a short code and a message for the page."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class _Route:
    domain: str | None = None
    workflow_id: str | None = None
    action: str | None = None
    executions: bool = False


class Api:
    """Answers the web timeline's requests with SWF calls.

    Args:
        call: sends one SWF request (``awsflow.handles.client_caller(client)``).
        default_domain: the domain the page opens on (None: the domain list).
    """

    def __init__(self, call: Caller, default_domain: str | None = None) -> None:
        self._call = call
        self.default_domain = default_domain

    def handle(
        self, method: str, path: str, query: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        """The status and JSON document answering one request (see the module docstring)."""
        try:
            return 200, self._dispatch(method, _route(path), query, body)
        except ApiError as error:
            return error.status, {"error": error.code, "message": error.message}
        except UnknownResourceError as error:
            return 404, {"error": error.code or "UnknownResourceFault", "message": error.message}
        except SWFResponseError as error:
            return 400, {"error": error.code or type(error).__name__, "message": error.message}
        except (botocore.exceptions.ParamValidationError, PayloadTooLargeError) as error:
            # botocore checks lengths and patterns before sending; awsflow checks payload sizes
            return 400, {"error": "ValidationException", "message": str(error)}
        except (botocore.exceptions.BotoCoreError, OSError) as error:
            if isinstance(error, OSError) and not is_connection_error(error):
                raise
            logger.warning("cannot reach SWF: %s", error)
            return 502, {"error": "Unreachable", "message": f"cannot reach SWF: {error}"}

    def _dispatch(self, method: str, route: _Route, query: Mapping[str, str], body: bytes) -> dict[str, Any]:
        if route.domain is None:
            _only(method, "GET")
            return self.domains()
        if route.workflow_id is None:
            _only(method, "GET")
            return self.executions(route.domain, query)
        if route.action is None:
            _only(method, "GET")
            return self.execution(route.domain, route.workflow_id, query.get("runId") or None)
        _only(method, "POST")
        return self.act(route.domain, route.workflow_id, route.action, _json_body(body))

    # -- reading ---------------------------------------------------------------------------------------
    def domains(self) -> dict[str, Any]:
        """The registered domains."""
        infos = iter_pages(self._call, "ListDomains", {"registrationStatus": "REGISTERED"}, "domainInfos")
        domains = [
            {"name": info["name"], "status": info["status"], "description": info.get("description", "")}
            for info in infos
        ]
        return {"domains": domains, "defaultDomain": self.default_domain}

    def executions(self, domain: str, query: Mapping[str, str]) -> dict[str, Any]:
        """The executions the query's filters select, open ones first."""
        status = query.get("status") or "all"
        if status not in _STATUSES:
            raise ApiError(400, "BadFilter", f"status must be one of {', '.join(_STATUSES)}, not {status!r}")
        close_status = query.get("closeStatus") or None
        if close_status is not None and close_status not in _CLOSE_STATUSES:
            raise ApiError(
                400,
                "BadFilter",
                f"closeStatus must be one of {', '.join(_CLOSE_STATUSES)}, not {close_status!r}",
            )
        limit = _integer(query.get("limit") or "100", "limit", 1, _MOST)
        rows: list[dict[str, Any]] = []
        more = False
        listed = list_executions(
            self._call,
            domain,
            workflow_type=query.get("type") or None,
            since=_since(query.get("since")),
            open=status in ("open", "all") and close_status is None,
            closed=status in ("closed", "all"),
        )
        for info in listed:
            if close_status is not None and info.get("closeStatus") != close_status:
                continue
            if len(rows) >= limit:
                more = True
                break
            rows.append(to_plain(info))
        return {"domain": domain, "executions": rows, "more": more}

    def execution(self, domain: str, workflow_id: str, run_id: str | None) -> dict[str, Any]:
        """One execution: its description, failing decision, timeline and events."""
        handle = WorkflowHandle(self._call, domain, workflow_id, run_id)
        described = handle.describe()
        events = list(handle.history(decode=True))
        timeline = build_timeline(events)
        start = events[0].timestamp if events else None
        failure = described.decision_failure
        return {
            "domain": domain,
            "execution": to_plain(described),
            "failure": None if failure is None else to_plain(failure.as_json()),
            "timeline": timeline.as_json(),
            "events": [_event_row(event, start) for event in events],
        }

    # -- acting ----------------------------------------------------------------------------------------
    def act(self, domain: str, workflow_id: str, action: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Signal, cancel or terminate the execution."""
        run_id = _text(body, "runId")
        handle = WorkflowHandle(self._call, domain, workflow_id, run_id)
        if action == "signal":
            name = _text(body, "name")
            if not name:
                raise ApiError(400, "BadRequest", "a signal needs a name")
            value = body.get("input", [])
            handle.signal(name, *(value if isinstance(value, list) else [value]))
        elif action == "cancel":
            handle.request_cancel()
        else:
            handle.terminate(reason=_text(body, "reason"), details=_text(body, "details"))
        return {"workflowId": workflow_id, "runId": run_id, "done": action}


# -- requests --------------------------------------------------------------------------------------------
def _route(path: str) -> _Route:
    """``/api/domains/D/executions/ID/ACTION`` split and percent-decoded segment by segment."""
    parts = [unquote(part) for part in path.split("?", 1)[0].strip("/").split("/")]
    if parts[:2] != ["api", "domains"] or any(not part for part in parts[2:]):
        raise ApiError(404, "NotFound", f"no such resource: {path}")
    rest = parts[2:]
    if not rest:
        return _Route()
    if len(rest) == 1 or rest[1] != "executions" or len(rest) > 4:
        raise ApiError(404, "NotFound", f"no such resource: {path}")
    if len(rest) == 2:
        return _Route(rest[0], executions=True)
    if len(rest) == 4 and rest[3] not in _ACTIONS:
        raise ApiError(404, "NotFound", f"no action {rest[3]!r}: one of {', '.join(_ACTIONS)}")
    return _Route(rest[0], rest[2], rest[3] if len(rest) == 4 else None, executions=True)


def _only(method: str, allowed: str) -> None:
    if method != allowed:
        raise ApiError(405, "MethodNotAllowed", f"{method} is not allowed here: use {allowed}")


def _json_body(body: bytes) -> Mapping[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, "BadRequest", f"the body is not JSON: {error}") from error
    if not isinstance(value, dict):
        raise ApiError(400, "BadRequest", "the body must be a JSON object")
    return value


def _text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiError(400, "BadRequest", f"{key} must be a string")
    return value


def _integer(text: str, name: str, least: int, most: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, "BadFilter", f"{name} must be a whole number, not {text!r}") from None
    if not least <= value <= most:
        raise ApiError(400, "BadFilter", f"{name} must be between {least} and {most}")
    return value


def _since(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "BadFilter", f"since must be an ISO 8601 time, not {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


# -- answers ---------------------------------------------------------------------------------------------
def _event_row(event: HistoryEvent, start: dt.datetime | None) -> dict[str, Any]:
    """One row of the event table: the event whole, its payloads decoded."""
    return {
        "id": event.event_id,
        "type": event.event_type,
        "time": event.timestamp.isoformat(),
        "offset": None if start is None else round((event.timestamp - start).total_seconds(), 3),
        "attributes": to_plain(event.attributes),
        "decoded": {key: _decoded(value) for key, value in event.decoded.items()},
    }


def _decoded(value: Any) -> Any:
    if isinstance(value, UndecodablePayload):
        return {"undecodable": value.text, "error": value.error}
    return {"value": to_plain(value)}
