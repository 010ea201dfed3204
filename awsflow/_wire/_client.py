"""The lean SWF client: the calls awsflow makes at rate, without botocore's per-call machinery.

A botocore call builds, validates and serialises the request from the service model, runs a
dozen event hooks, signs, sends through urllib3 and parses the answer from the model again (a
6,000-event history: ~130 ms, most of a cold decision; a start: ~0.9 ms of CPU, against ~0.15 ms
this way). For the operations a worker makes all the time (:data:`HOT_OPERATIONS`) and those any
caller makes at a service's rate, starts and signals (:data:`STARTING_OPERATIONS`), this client
does only what the wire needs:

- a start's or a signal's request is first checked against the model by botocore's own
  validator, as the client would (``ParamValidationError``, the same message; not when the client
  was made with ``parameter_validation`` off); the workers' own requests are not: awsflow builds
  them from values it has checked, and a decision task's answer may hold hundreds of decisions;
- the body is the request dict as compact JSON (JSON 1.0: ``X-Amz-Target:
  SimpleWorkflowService.<Op>``, ``Content-Type: application/x-amz-json-1.0``);
- it is signed by botocore's ``SigV4Auth`` with the client's own credentials (refreshed as
  botocore refreshes them), region and signing name, and posted to the client's endpoint
  (``client.meta.endpoint_url``: ``endpoint_url``, ``AWS_ENDPOINT_URL_SWF`` and the region
  already resolved) on a kept-alive connection of the calling thread;
- retries are the client's: the ``needs-retry`` event its retry handler (standard or legacy
  mode, with its attempts and quota) listens to is emitted after each failure, and
  ``after-call`` after each answer, just as botocore's endpoint does;
- answers are decoded with ``json`` (or orjson), timestamps left as epoch seconds; errors are
  parsed by botocore and raised as ``client.exceptions.from_code`` makes them.

What the caller gets back differs from botocore's answer only in the timestamps (numbers, not
datetimes); every reader in awsflow takes both (:mod:`awsflow._swf._timestamps`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import botocore
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionError as BotocoreConnectionError
from botocore.exceptions import HTTPClientError
from botocore.parsers import ResponseParserError

from ._codec import decode, encode
from ._connections import Connections, target_of
from ._eligibility import LEAN_OPERATIONS, STARTING_OPERATIONS, credentials_of, fallback_reason
from ._errors import parse_error, to_exception
from ._http import host_header
from ._signing import Request, sign
from ._validation import check, validator_of

__all__ = ["LeanClient", "Request", "Send"]

logger = logging.getLogger(__name__)

# How a prepared request reaches the service: the client's own connections, or a worker's
# abortable polls (awsflow.workers._transport) for the two long polls.
Send = Callable[["Request"], "AWSResponse | None"]


class LeanClient:
    """The SWF operations of ``client`` awsflow makes at rate, sent the lean way (see the module
    docstring).

    Only :attr:`OPERATIONS` are sent this way by awsflow; the rest stay the botocore client's.

    Args:
        client: the botocore SWF client whose endpoint, credentials, region, timeouts, retry
            handler and exception classes are used.
        send: how requests are sent (by default a kept-alive connection per thread).
        sleep: how retries wait (botocore's endpoint uses ``time.sleep`` too).
    """

    OPERATIONS = LEAN_OPERATIONS

    def __init__(
        self, client: Any, *, send: Send | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        meta = client.meta
        model = meta.service_model
        self._client = client
        self._model = model
        self._events = meta.events
        self._service_id = model.service_id.hyphenize()
        self._url = str(meta.endpoint_url).rstrip("/") + "/"
        scheme, host, port, _ = target_of(self._url)
        self._host = host_header(scheme, host, port)
        self._region = meta.region_name
        self._signing_name = model.signing_name
        self._target = model.metadata["targetPrefix"] + "."
        self._content_type = f"application/x-amz-json-{model.metadata['jsonVersion']}"
        extra = f" {meta.config.user_agent_extra}" if meta.config.user_agent_extra else ""
        self._user_agent = f"awsflow-lean botocore/{botocore.__version__}{extra}"
        self._credentials = credentials_of(client)
        self._validator = validator_of(client)
        self._send = (
            send
            or Connections(
                connect_timeout=meta.config.connect_timeout, read_timeout=meta.config.read_timeout
            ).send
        )
        self._sleep = sleep

    @classmethod
    def for_client(cls, client: Any) -> LeanClient | None:
        """A lean client over ``client``, or None where the lean path must step aside
        (:func:`~awsflow._wire._eligibility.fallback_reason` says why; logged at DEBUG)."""
        reason = fallback_reason(client)
        if reason is not None:
            logger.debug("SWF calls go through botocore: %s", reason)
            return None
        return cls(client)

    def call(self, operation: str, request: dict[str, Any], *, send: Send | None = None) -> dict[str, Any]:
        """Make the call; its answer as a dict, or the botocore client's exception for its error.

        A ``send`` that answers None steps aside (the abortable polls do behind a proxy): the
        call is then made by the botocore client.
        """
        operation_model = self._model.operation_model(operation)
        if operation in STARTING_OPERATIONS and self._validator is not None:
            check(self._validator, request, operation_model)
        body = encode(request)
        context: dict[str, Any] = {}
        attempts = 0
        while True:
            attempts += 1
            answer: AWSResponse | None = None
            parsed: dict[str, Any] | None = None
            caught: Exception | None = None
            try:
                answer = (send or self._send)(self._signed(operation, body))
            except (BotocoreConnectionError, HTTPClientError) as error:
                caught = error
            else:
                if answer is None:
                    return dict(getattr(self._client, xform_name(operation))(**request))
            if answer is not None:
                if answer.status_code < 300:
                    parsed = _decoded(answer)
                    parsed["ResponseMetadata"] = _metadata(answer, attempts)
                    # botocore's retry handlers never retry a 2xx answer: no needs-retry for it.
                    self._after_call(operation, operation_model, answer, parsed, context)
                    return parsed
                parsed = parse_error(operation_model, answer)
                parsed["ResponseMetadata"] = _metadata(answer, attempts)
            responses = self._events.emit(
                f"needs-retry.{self._service_id}.{operation}",
                response=None if answer is None else (answer, parsed),
                endpoint=None,
                operation=operation_model,
                attempts=attempts,
                caught_exception=caught,
                request_dict={"context": context},
            )
            delay = next((r for _, r in responses if r is not None), None)
            if delay is not None and delay is not False:  # as botocore's endpoint reads the answer
                self._sleep(delay)
                continue
            if caught is not None:
                raise caught
            assert answer is not None and parsed is not None
            self._after_call(operation, operation_model, answer, parsed, context)
            raise to_exception(self._client, operation, parsed)

    def _after_call(
        self, operation: str, model: Any, answer: AWSResponse, parsed: dict[str, Any], context: dict[str, Any]
    ) -> None:
        # As botocore's client after each answer: its retry quota is refunded here.
        self._events.emit(
            f"after-call.{self._service_id}.{operation}",
            http_response=answer,
            parsed=parsed,
            model=model,
            context=context,
        )

    def _signed(self, operation: str, body: bytes) -> Request:
        request = Request(
            self._url,
            {
                # Given, the signer need not work it out of the URL twice per request.
                "Host": self._host,
                "X-Amz-Target": self._target + operation,
                "Content-Type": self._content_type,
                "User-Agent": self._user_agent,
            },
            body,
        )
        sign(request, self._credentials.get_frozen_credentials(), self._signing_name, self._region)
        return request


def _decoded(answer: AWSResponse) -> dict[str, Any]:
    try:
        return decode(answer.content)
    except ValueError as error:  # as botocore's parser: not SWF's JSON (a proxy's page, a cut body)
        raise ResponseParserError(f"Unable to parse response ({error}): {answer.content[:200]!r}") from error


def _metadata(answer: AWSResponse, attempts: int) -> dict[str, Any]:
    headers = getattr(answer, "lowered_headers", None)  # as _connections.response keeps them
    if headers is None:  # a sender of its own (a test's): from botocore's case-blind headers
        headers = {name.lower(): value for name, value in answer.headers.items()}
    return {
        "RequestId": headers.get("x-amzn-requestid", ""),
        "HTTPStatusCode": answer.status_code,
        "HTTPHeaders": headers,
        "RetryAttempts": attempts - 1,
    }
