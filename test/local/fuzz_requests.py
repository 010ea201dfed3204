"""A seeded generator of hostile SWF requests, built from botocore's SWF model.

Every request starts from a well-formed value for its operation's input shape — drawn from
pools of names, ids, task tokens and page tokens the service has actually handed out, so that
requests reach deep into the engine (decision batches on real tokens, children, timers,
continue-as-new...) — and is then mangled: at each member, with some probability, the value is
replaced by a wrong JSON type or a tricky string (Unicode digits, huge and negative numbers,
NONE where it is not allowed, empty, very long, nested, null, lists where objects go...).
Some bodies are not JSON at all, or are nested far past the parser's recursion limit; some
requests are not even HTTP.

``Fuzzer.step()`` sends one request and checks its answer against the invariant the service
promises for any input (h11's fuzz invariant, STYLE §9): HTTP 200 with a JSON object or an
empty body, or an SWF-shaped error — ``{"__type": "...#Name", "message": ...}`` with
``Content-Type: application/x-amz-json-1.0`` — with a 4xx status; never a 500, never a dropped
connection.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import random
import socket
from collections import Counter
from typing import Any
from urllib.parse import urlparse

from awsflow.local import VirtualClock
from awsflow.local._model import input_shape, operation_names, shape

CONTENT_TYPE = "application/x-amz-json-1.0"
OPERATIONS = operation_names()
DURATION_SHAPES = {"DurationInSeconds", "DurationInSecondsOptional", "DurationInDays"}

TRICKY_STRINGS = [
    "",
    " ",
    "NONE",
    "none",
    "0",
    "-1",
    "+1",
    "007",
    "1e3",
    "0x10",
    "1_000",
    " 5",
    "5 ",
    "5.0",
    "\u00b2",  # superscript two: isdigit() but not int()
    "\u2464",  # circled five
    "\u0665",  # Arabic-Indic five: int() takes it, SWF must not
    "\uff15",  # full-width five
    "99999999",
    "999999999",
    "31536001",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9" * 50,
    "NaN",
    "Infinity",
    "null",
    "true",
    "[]",
    "{}",
    "arn",
    "a:b",
    "a/b",
    "a|b",
    "\x00",
    "\x7f",
    "\u0085",
    "\ud800",  # a lone surrogate
    "\U0001f600" * 3,
    "\u202eevil",
    "x" * 257,
    "x" * 1025,
    "x" * 2049,
    "x" * 40_000,
    "../../etc/passwd",
    "%s%n%x",
    "'\"\\",
    "<script>",
    "REGISTERED",
    "DEPRECATED",
    "TERMINATE",
]

# The tricky strings that look (to someone) like numbers, plus NONE and empty.
TRICKY_NUMBERS = [
    text
    for text in TRICKY_STRINGS
    if len(text) < 60 and (text[:1] in "-+ 0123456789" or text in ("", "NONE", "none") or not text.isascii())
]


def _deep(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


WRONG_TYPES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    -0.0,
    2**70,
    -(2**70),
    1e308,
    float("nan"),
    float("inf"),
    [],
    [1, "a", None],
    {},
    {"name": "x", "version": "1"},
    "text",
    _deep(40),
    {"a": _deep(40)},
    [{}],
]

MALFORMED_BODIES = [
    b"{",
    b"}",
    b"[",
    b'{"a":',
    b'{"domain": "d"',
    b"\xff\xfe\x00",
    b"\xef\xbb\xbf{}",
    b"null",
    b"1",
    b'"text"',
    b"[1, 2]",
    b"{" + b'"a":{' * 5000 + b"}" * 5000 + b"}",
    b"[" * 100_000,
    b'{"a":' * 100_000,
    b'{"domain": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b'{"maximumPageSize": 1e999999}',
    b'{"maximumPageSize": -1e999999}',
    b'{"a": NaN, "b": Infinity}',
    b'{"domain": "d", "domain": 5}',
    b'{"\\ud800": "\\udfff"}',
    b"\x00" * 64,
    b" " * 1000,
]

HOSTILE_HTTP = [
    b"GARBAGE\r\n\r\n",
    b"POST /\r\n\r\n",
    b"GET /\r\n\r\n",
    b"POST / HTTP/2.0\r\nContent-Length: 0\r\n\r\n",
    b"POST / HTTP/1.x\r\n\r\n",
    b"POST / HTTP/1.1 extra\r\n\r\n",
    b"PUT / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    b"DELETE / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    b"BREW / HTTP/1.1\r\n\r\n",
    b"POST /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
    b"POST / HTTP/1.1\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n",
    b"POST / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: \xd9\xa5\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nX-Amz-Target: SimpleWorkflowService.ListDomains\r\nContent-Length: 50\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nX-Amz-Target: \xff\xfe\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nX-Amz-Target: SimpleWorkflowService.\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nNo colon here\r\nContent-Length: 2\r\n\r\n{}",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    b"\r\n\r\n\r\n",
    b"POST http://evil/ HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
]
# The expected status of a hostile request that is otherwise fine is 400; these few are not
# refusals (a blank line is no request; a liveness probe on HTTP/1.1 is fine).
_HOSTILE_OK_STATUSES = {200, 400}


def forged_page_token(position: Any, request: dict[str, Any]) -> str:
    """A page token as the service builds one (its digest is no secret), for any position."""
    ignored = ("nextPageToken", "maximumPageSize", "identity")
    basis = {k: v for k, v in request.items() if k not in ignored}
    digest = hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()[:16]
    raw = json.dumps({"p": position, "d": digest}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


class Violation(AssertionError):
    """An answer that breaks the invariant."""


class Fuzzer:
    """Sends seeded hostile requests to one service and checks every answer.

    Args:
        endpoint: the service's URL.
        clock: its virtual clock, moved now and then so timers and timeouts fire.
        seed: makes the whole run reproducible.
    """

    def __init__(self, endpoint: str, clock: VirtualClock, seed: int) -> None:
        url = urlparse(endpoint)
        assert url.hostname is not None and url.port is not None
        self.host, self.port = url.hostname, url.port
        self.clock = clock
        self.rng = random.Random(seed)
        self.seed = seed
        self.statuses: Counter[int] = Counter()
        self.faults: Counter[str] = Counter()
        self.operations: Counter[str] = Counter()
        self.refusals: Counter[tuple[str, str]] = Counter()
        self.sent = 0
        self._connection: http.client.HTTPConnection | None = None
        # What the service has handed out, so requests can refer to real things.
        self.domains = ["fuzz", "fuzz2"]
        self.workflow_types = [{"name": "W", "version": "1"}, {"name": "W", "version": "2"}]
        self.activity_types = [{"name": "A", "version": "1"}]
        self.task_lists = ["decisions", "activities", "other"]
        self.executions: list[dict[str, str]] = []
        self.decision_tokens: list[str] = []
        self.activity_tokens: list[str] = []
        self.page_tokens: list[tuple[str, dict[str, Any]]] = []
        self.arns: list[str] = []
        self._fresh = 0
        self._steps = 0
        self._repaired = 0

    # -- setup -----------------------------------------------------------------------------
    def prepare(self) -> None:
        """Register the domains and types the flow requests use (well-formed, must succeed)."""
        for domain in self.domains:
            self._expect_ok(
                "RegisterDomain", {"name": domain, "workflowExecutionRetentionPeriodInDays": "30"}
            )
            for operation, request in self._type_registrations(domain):
                self._expect_ok(operation, request)

    def _type_registrations(self, domain: str) -> list[tuple[str, dict[str, Any]]]:
        workflow_defaults = {
            "defaultTaskList": {"name": "decisions"},
            "defaultExecutionStartToCloseTimeout": "2592000",
            "defaultTaskStartToCloseTimeout": "600",
            "defaultChildPolicy": "TERMINATE",
            "defaultLambdaRole": "arn:aws:iam::000000000000:role/fuzz",
        }
        activity_defaults = {
            "defaultTaskList": {"name": "activities"},
            "defaultTaskScheduleToStartTimeout": "600",
            "defaultTaskScheduleToCloseTimeout": "1200",
            "defaultTaskStartToCloseTimeout": "600",
            "defaultTaskHeartbeatTimeout": "NONE",
        }
        return [
            *(
                ("RegisterWorkflowType", {"domain": domain, **t, **workflow_defaults})
                for t in self.workflow_types
            ),
            *(
                ("RegisterActivityType", {"domain": domain, **t, **activity_defaults})
                for t in self.activity_types
            ),
        ]

    def _expect_ok(self, operation: str, request: dict[str, Any]) -> dict[str, Any] | None:
        status, body = self._send(operation, json.dumps(request).encode())
        if status != 200:
            raise Violation(f"setup {operation} answered {status}: {body!r}")
        return json.loads(body) if body else None

    # -- one step --------------------------------------------------------------------------
    def step(self) -> None:
        """Send one request (or hostile HTTP exchange) and check the answer."""
        self._steps += 1
        deprecations = self.faults["DomainDeprecatedFault"] + self.faults["TypeDeprecatedFault"]
        if self._steps % 40 == 0 and deprecations > self._repaired:
            self._repaired = deprecations
            self._repair()
            return
        roll = self.rng.random()
        if roll < 0.02:
            # Timers and task timeouts fire; runs (30 days, like retention) rarely time out.
            self.clock.advance(self.rng.choice([1, 1, 5, 5, 30, 60, 60, 300, 3600, 86_400]))
        if roll < 0.04:
            self._hostile_http()
        elif roll < 0.08:
            self._send_checked(self.rng.choice(OPERATIONS), self.rng.choice(MALFORMED_BODIES))
        elif roll < 0.45:
            self._flow_request()
        else:
            operation = self.rng.choice(OPERATIONS)
            self._send_request(operation, self.request_for(operation, mangle=0.08))

    def _repair(self) -> None:
        """Undo what would starve the rest of the run: deprecated or deleted domains and types."""
        for domain in self.domains:
            self._send_request("UndeprecateDomain", {"name": domain})
            for workflow_type in self.workflow_types:
                self._send_request(
                    "UndeprecateWorkflowType", {"domain": domain, "workflowType": workflow_type}
                )
            for activity_type in self.activity_types:
                self._send_request(
                    "UndeprecateActivityType", {"domain": domain, "activityType": activity_type}
                )
            for operation, request in self._type_registrations(domain):
                self._send_request(operation, request)

    def _flow_request(self) -> None:
        """A request of the start → decide → work cycle, mostly well-formed, on real tokens."""
        rng = self.rng
        domain = rng.choice(self.domains)
        choice = rng.random()
        if choice < 0.15 or not self.executions:
            self._fresh += 1
            request: dict[str, Any] = {
                "domain": domain,
                "workflowId": f"w{self._fresh}",
                "workflowType": dict(rng.choice(self.workflow_types)),
                "input": rng.choice(["", "in", "x" * 100]),
            }
            if rng.random() < 0.2:
                extra = self.request_for("StartWorkflowExecution", mangle=0)
                request.update({k: v for k, v in extra.items() if k not in request})
            operation = "StartWorkflowExecution"
        elif choice < 0.35:
            operation = "PollForDecisionTask"
            request = {"domain": domain, "taskList": {"name": "decisions"}, "identity": "fuzz"}
            if rng.random() < 0.3:
                request["maximumPageSize"] = rng.choice([1, 2, 3, 1000])
            if rng.random() < 0.3:
                request[rng.choice(["reverseOrder", "startAtPreviousStartedEvent"])] = True
        elif choice < 0.6 and self.decision_tokens:
            operation = "RespondDecisionTaskCompleted"
            # Mostly the task just polled (alive); sometimes an older, probably dead, one.
            newest = rng.random() < 0.85
            token = self.decision_tokens.pop(-1 if newest else rng.randrange(len(self.decision_tokens)))
            request = {"taskToken": token, "decisions": self.decisions()}
            if rng.random() < 0.1:
                request["executionContext"] = "ctx"
            if rng.random() < 0.05:
                request["taskList"] = {"name": "decisions-sticky"}
                request["taskListScheduleToStartTimeout"] = rng.choice(["1", "60"])
        elif choice < 0.7:
            operation = "PollForActivityTask"
            request = {"domain": domain, "taskList": {"name": "activities"}, "identity": "fuzz"}
        elif choice < 0.8 and self.activity_tokens:
            operation = rng.choice(
                [
                    "RespondActivityTaskCompleted",
                    "RespondActivityTaskCompleted",
                    "RespondActivityTaskFailed",
                    "RespondActivityTaskCanceled",
                    "RecordActivityTaskHeartbeat",
                ]
            )
            newest = rng.random() < 0.7
            request = {"taskToken": self.activity_tokens[-1] if newest else rng.choice(self.activity_tokens)}
            if rng.random() < 0.5:
                request["details" if operation != "RespondActivityTaskCompleted" else "result"] = "r"
        elif choice < 0.88 and self.page_tokens:
            token, base = rng.choice(self.page_tokens)
            operation = "GetWorkflowExecutionHistory" if "execution" in base else "PollForDecisionTask"
            if "registrationStatus" in base:
                operation = "ListDomains"
            forged = rng.random() < 0.3
            request = {
                **base,
                "nextPageToken": forged_page_token(self._position(), base) if forged else token,
            }
        else:
            operation = rng.choice(
                [
                    "SignalWorkflowExecution",
                    "RequestCancelWorkflowExecution",
                    "TerminateWorkflowExecution",
                    "GetWorkflowExecutionHistory",
                    "DescribeWorkflowExecution",
                ]
            )
            execution = rng.choice(self.executions)
            request = {"domain": domain, **execution}
            if operation in ("GetWorkflowExecutionHistory", "DescribeWorkflowExecution"):
                request = {"domain": domain, "execution": dict(execution)}
                if operation == "GetWorkflowExecutionHistory" and rng.random() < 0.5:
                    request["maximumPageSize"] = rng.choice([1, 2, 5])
            elif operation == "SignalWorkflowExecution":
                request["signalName"] = rng.choice(["s", "go"])
                request["input"] = "i"
            if operation == "TerminateWorkflowExecution" and rng.random() < 0.7:
                operation = "SignalWorkflowExecution"  # terminations end runs: keep them rarer
                request["signalName"] = "s"
        self._send_request(operation, self.mangle(request, rate=0.03))

    def decisions(self) -> list[dict[str, Any]]:
        """A decision batch, mostly of decisions that succeed, sometimes model-random ones."""
        rng = self.rng
        batch: list[dict[str, Any]] = []
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            if rng.random() < 0.15:
                batch.append(self.decision(1))
                continue
            kind = rng.choice(["activity", "activity", "timer", "marker", "signal", "child", "cancel-timer"])
            self._fresh += 1
            if kind == "activity":
                attributes: dict[str, Any] = {
                    "activityType": dict(rng.choice(self.activity_types)),
                    "activityId": f"a{self._fresh}",
                    "input": "i",
                }
                if rng.random() < 0.3:
                    attributes["startToCloseTimeout"] = rng.choice(["1", "60", "NONE"])
                batch.append(_decision("ScheduleActivityTask", attributes))
            elif kind == "timer":
                timer = {"timerId": rng.choice(["t1", "t2", f"t{self._fresh}"]), "startToFireTimeout": "60"}
                timer["startToFireTimeout"] = rng.choice(["0", "1", "60", "3600"])
                batch.append(_decision("StartTimer", timer))
            elif kind == "cancel-timer":
                batch.append(_decision("CancelTimer", {"timerId": rng.choice(["t1", "t2"])}))
            elif kind == "marker":
                batch.append(_decision("RecordMarker", {"markerName": "m", "details": "d"}))
            elif kind == "signal" and self.executions:
                target = rng.choice(self.executions)
                batch.append(
                    _decision(
                        "SignalExternalWorkflowExecution", {**target, "signalName": "s", "control": "c"}
                    )
                )
            else:
                batch.append(
                    _decision(
                        "StartChildWorkflowExecution",
                        {
                            "workflowType": dict(rng.choice(self.workflow_types)),
                            "workflowId": f"c{self._fresh}",
                        },
                    )
                )
        if rng.random() < 0.35:
            close = rng.choice(
                [
                    ("CompleteWorkflowExecution", {"result": "done"}),
                    ("FailWorkflowExecution", {"reason": "r", "details": "d"}),
                    ("CancelWorkflowExecution", {}),
                    ("ContinueAsNewWorkflowExecution", {"input": "again"}),
                ]
            )
            batch.append(_decision(*close))
        return batch

    def _position(self) -> Any:
        rng = self.rng
        return rng.choice(
            [
                rng.randint(-5, 5000),
                "x",
                None,
                [1, 2],
                {
                    "key": rng.choice([["fuzz", "w", "r"], 5, ["a"], [1, 2, 3]]),
                    "token": rng.choice(["t", 5, None]),
                    "started": rng.choice([3, -1, "x", 2**70]),
                    "previous": rng.choice([0, -1, "x", None]),
                    "offset": rng.choice([0, 3, -4, "x", 1.5]),
                },
                self.rng.choice(WRONG_TYPES),
            ]
        )

    # -- building requests -----------------------------------------------------------------
    def request_for(self, operation: str, *, mangle: float) -> Any:
        name = input_shape(operation)
        request = self.value(name, "", "", 0) if name else {}
        if operation == "RespondDecisionTaskCompleted" and self.decision_tokens and self.rng.random() < 0.8:
            request["taskToken"] = self.rng.choice(self.decision_tokens)
        activity_call = operation.startswith(("RespondActivity", "RecordActivity"))
        if activity_call and self.activity_tokens and self.rng.random() < 0.8:
            request["taskToken"] = self.rng.choice(self.activity_tokens)
        return self.mangle(request, rate=mangle)

    def mangle(self, value: Any, *, rate: float) -> Any:
        """Replace members of ``value`` by hostile ones, each with probability ``rate``."""
        rng = self.rng
        if rng.random() < rate:
            return rng.choice(WRONG_TYPES + TRICKY_STRINGS)
        if isinstance(value, dict):
            mangled = {k: self.mangle(v, rate=rate) for k, v in value.items()}
            if rng.random() < rate:
                mangled[rng.choice(["junk", "Domain", "__type", ""])] = rng.choice(WRONG_TYPES)
            if mangled and rng.random() < rate:
                del mangled[rng.choice(list(mangled))]
            return mangled
        if isinstance(value, list):
            return [self.mangle(v, rate=rate) for v in value]
        return value

    def value(self, shape_name: str, structure: str, member: str, depth: int) -> Any:
        """A well-formed value for a shape, chosen from what the service knows where it can."""
        rng = self.rng
        spec = shape(shape_name)
        kind = spec["type"]
        if shape_name in DURATION_SHAPES or shape_name == "TaskPriority":
            if rng.random() < 0.1:
                return rng.choice(TRICKY_NUMBERS)  # numbers as strings are where handlers parse
            if shape_name == "TaskPriority":
                return str(rng.choice([0, 1, -1, 5, 2**31 - 1, -(2**31)]))
            return rng.choice(
                ["60", "300", "3600", "NONE", "NONE", "0", "5", str(rng.randint(0, 99_999_999))]
            )
        if kind == "structure":
            return self._structure(shape_name, spec, depth)
        if kind == "list":
            if shape_name == "DecisionList":
                return [self.decision(depth + 1) for _ in range(rng.choice([0, 1, 1, 2, 3, 5]))]
            low = spec.get("min", 0)
            return [
                self.value(spec["member"]["shape"], shape_name, member, depth + 1)
                for _ in range(rng.randint(low, max(low, min(spec.get("max", 3), 3))))
            ]
        if kind == "string":
            return self._string(shape_name, spec, member)
        if kind in ("integer", "long"):
            return rng.choice(
                [0, 1, 3, 10, 100, 1000, rng.randint(spec.get("min", 0), spec.get("max", 5000))]
            )
        if kind == "boolean":
            return rng.random() < 0.5
        return self.clock.now() + rng.choice([-86_400 * 30, -3600, 0, 3600])  # a timestamp

    def _structure(self, shape_name: str, spec: dict[str, Any], depth: int) -> dict[str, Any]:
        rng = self.rng
        members = spec.get("members", {})
        required = set(spec.get("required", ()))
        if shape_name == "WorkflowType":
            return dict(rng.choice(self.workflow_types))
        if shape_name == "ActivityType":
            return dict(rng.choice(self.activity_types))
        if shape_name == "WorkflowExecution" and self.executions:
            return dict(rng.choice(self.executions))
        if shape_name == "TaskList":
            return {"name": rng.choice(self.task_lists)}
        result = {}
        for name, member in members.items():
            if name in required or (depth < 4 and rng.random() < 0.4):
                result[name] = self.value(member["shape"], shape_name, name, depth + 1)
        # Filters of list/count calls are mutually exclusive: usually send one.
        filters = [m for m in result if m.endswith("Filter") and m not in required]
        for extra in filters[1:]:
            if rng.random() < 0.8:
                del result[extra]
        return result

    def decision(self, depth: int) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choice(shape("DecisionType")["enum"])
        attributes = kind[0].lower() + kind[1:] + "DecisionAttributes"
        shape_name = shape("Decision")["members"][attributes]["shape"]
        body: dict[str, Any] = {"decisionType": kind}
        if rng.random() < 0.95:
            body[attributes] = self.value(shape_name, "Decision", attributes, depth + 1)
        if kind == "StartChildWorkflowExecution" and attributes in body:
            body[attributes]["workflowId"] = rng.choice(["child", "child2", f"c{rng.randint(0, 50)}", "a:b"])
        return body

    def _string(self, shape_name: str, spec: dict[str, Any], member: str) -> str:
        rng = self.rng
        if "enum" in spec:
            return str(rng.choice(spec["enum"]))
        pools: dict[str, list[str]] = {
            "domain": self.domains,
            "workflowId": [e["workflowId"] for e in self.executions] + ["w1", "w2", "w3"],
            "runId": [e["runId"] for e in self.executions] or ["r"],
            "taskToken": self.decision_tokens + self.activity_tokens or ["t"],
            "resourceArn": self.arns or ["arn:aws:swf:us-east-1:000000000000:/domain/fuzz"],
            "nextPageToken": [t for t, _ in self.page_tokens] or ["token"],
        }
        if member in pools and rng.random() < 0.9:
            return rng.choice(pools[member])
        if member == "name" and rng.random() < 0.5:
            return rng.choice([*self.domains, "W", "A", "fresh"])
        if member in ("activityId", "timerId", "markerName", "signalName", "id"):
            return rng.choice(["a1", "a2", "t1", "t2", "s", "l1"])
        if member == "version":
            return rng.choice(["1", "2"])
        low, high = spec.get("min", 0), spec.get("max", 40)
        text = rng.choice(["x", "input", "value", '{"k": 1}', "r"]) * rng.randint(1, 3)
        text = text[: min(high, 40)]
        return text if len(text) >= low else "x" * max(low, 1)

    # -- sending ---------------------------------------------------------------------------
    def _send_request(self, operation: str, request: Any) -> None:
        body = json.dumps(request, allow_nan=True).encode()
        answer = self._send_checked(operation, body)
        if answer is not None:
            self._harvest(operation, request, answer)

    def _send_checked(self, operation: str, body: bytes) -> dict[str, Any] | None:
        self.operations[operation] += 1
        status, payload = self._send(operation, body)
        return self._check_json_answer(operation, status, payload, body)

    def _send(self, operation: str, body: bytes) -> tuple[int, bytes]:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            self._connection.request(
                "POST",
                "/",
                body=body,
                headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": f"SimpleWorkflowService.{operation}"},
            )
            response = self._connection.getresponse()
            payload = response.read()
        except (http.client.HTTPException, OSError) as err:
            # The service announces every close ("Connection: close", handled below), so a
            # kept-alive connection that fails is a dropped request.
            raise Violation(f"{operation}: the connection failed: {err!r}") from err
        self.sent += 1
        self.statuses[response.status] += 1
        if response.getheader("Content-Type") != CONTENT_TYPE:
            raise Violation(f"{operation}: Content-Type {response.getheader('Content-Type')}")
        if response.getheader("Connection", "").lower() == "close":
            self._connection.close()
            self._connection = None
        return response.status, payload

    def _check_json_answer(
        self, operation: str, status: int, payload: bytes, body: bytes
    ) -> dict[str, Any] | None:
        shown = body[:200]
        if status == 200:
            if not payload:
                return {}
            answer = json.loads(payload)
            if not isinstance(answer, dict):
                raise Violation(f"{operation}: 200 with a non-object body {payload[:200]!r}")
            return answer
        self._check_error(f"{operation} {shown!r}", status, payload)
        self.refusals[(operation, json.loads(payload)["message"][:90])] += 1
        return None

    def _check_error(self, what: str, status: int, payload: bytes) -> None:
        if status == 500 or not 400 <= status < 500:
            raise Violation(f"{what}: HTTP {status}: {payload[:500]!r}")
        try:
            error = json.loads(payload)
        except ValueError as err:
            raise Violation(f"{what}: HTTP {status} with a body that is not JSON: {payload[:200]!r}") from err
        if not (
            isinstance(error, dict)
            and set(error) == {"__type", "message"}
            and isinstance(error["__type"], str)
            and "#" in error["__type"]
            and isinstance(error["message"], str)
        ):
            raise Violation(f"{what}: HTTP {status} with a body that is not SWF's shape: {error!r}")
        self.faults[error["__type"].rsplit("#", 1)[-1]] += 1

    def _hostile_http(self) -> None:
        raw = self.rng.choice(HOSTILE_HTTP)
        self.operations["(hostile HTTP)"] += 1
        with socket.create_connection((self.host, self.port), timeout=30) as sock:
            try:
                sock.sendall(raw)
                sock.shutdown(socket.SHUT_WR)  # no more is coming: a short body ends here
            except OSError:
                pass  # the service may refuse before reading everything; its answer still counts
            data = b""
            while chunk := _recv(sock):
                data += chunk
        self.sent += 1
        if raw.strip() == b"":
            if data:
                raise Violation(f"a blank line was answered: {data[:200]!r}")
            return  # no request, no answer: the connection is closed
        head, _, payload = data.partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0]
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise Violation(f"hostile {raw[:80]!r}: no HTTP answer: {data[:200]!r}")
        status = int(parts[1])
        self.statuses[status] += 1
        if CONTENT_TYPE.encode() not in head:
            raise Violation(f"hostile {raw[:80]!r}: answered without SWF's content type: {head[:300]!r}")
        if status not in _HOSTILE_OK_STATUSES:
            raise Violation(f"hostile {raw[:80]!r}: HTTP {status}")
        if status != 200:
            self._check_error(f"hostile {raw[:80]!r}", status, payload)

    # -- learning from answers -------------------------------------------------------------
    def _harvest(self, operation: str, request: Any, answer: dict[str, Any]) -> None:
        if not isinstance(request, dict):
            return
        if operation == "StartWorkflowExecution" and "runId" in answer:
            self.executions.append({"workflowId": request["workflowId"], "runId": answer["runId"]})
        token = answer.get("taskToken")
        if token:
            pool = self.decision_tokens if operation == "PollForDecisionTask" else self.activity_tokens
            pool.append(token)
            del pool[:-20]
        workflow = answer.get("workflowExecution")
        if isinstance(workflow, dict) and workflow not in self.executions:
            self.executions.append(workflow)
        if answer.get("nextPageToken"):
            self.page_tokens.append(
                (answer["nextPageToken"], {k: v for k, v in request.items() if k != "nextPageToken"})
            )
            del self.page_tokens[:-20]
        info = answer.get("domainInfo")
        if isinstance(info, dict) and info.get("arn"):
            self.arns.append(info["arn"])
        del self.executions[:-60]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()

    def summary(self) -> str:
        return (
            f"seed {self.seed}: {self.sent} requests; statuses {dict(self.statuses)}; "
            f"faults {dict(self.faults.most_common())}"
        )


def _decision(kind: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {"decisionType": kind, kind[0].lower() + kind[1:] + "DecisionAttributes": attributes}


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""
