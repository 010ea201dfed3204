"""Typed SWF faults raised by the engine.

Each fault carries the ``__type`` string Amazon SWF puts on the wire, so the HTTP front only
maps a fault to HTTP 400 and serialises ``{"__type": ..., "message": ...}``; botocore then raises
the same modelled exception it raises against AWS (it takes the text after the last ``#`` as the
error code).

Tree::

    SwfFault
    ├── UnknownResourceFault
    ├── TypeAlreadyExistsFault
    ├── DomainAlreadyExistsFault
    ├── DomainDeprecatedFault
    ├── TypeDeprecatedFault
    ├── TypeNotDeprecatedFault
    ├── WorkflowExecutionAlreadyStartedFault
    ├── DefaultUndefinedFault
    ├── LimitExceededFault
    ├── OperationNotPermittedFault
    ├── TooManyTagsFault
    ├── ValidationException          (not in the model; coral's validation namespace)
    ├── UnknownOperationException    (unknown X-Amz-Target, or not a POST)
    ├── SerializationException       (body is not a JSON object of the right types; bad HTTP)
    ├── IncompleteSignatureException, InvalidSignatureException, UnrecognizedClientException
    ├── RequestTimeoutException      (HTTP 408: the client stalled mid-request)
    └── ServiceUnavailableException  (HTTP 503: the service is stopping)

The last three families come from the HTTP front, never from the engine.
"""

from __future__ import annotations

from typing import ClassVar

_SWF_NS = "com.amazonaws.swf.base.model#"


class SwfFault(Exception):
    """A request the service refuses; answered with HTTP ``status`` (400 for all but two)."""

    wire_type: ClassVar[str] = _SWF_NS + "SwfFault"
    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def code(self) -> str:
        """The error code botocore derives: the text after the last ``#``."""
        return self.wire_type.rsplit("#", 1)[-1]

    def to_wire(self) -> dict[str, str]:
        """The JSON body AWS sends for this fault."""
        return {"__type": self.wire_type, "message": self.message}


class UnknownResourceFault(SwfFault):
    wire_type = _SWF_NS + "UnknownResourceFault"


class TypeAlreadyExistsFault(SwfFault):
    wire_type = _SWF_NS + "TypeAlreadyExistsFault"


class DomainAlreadyExistsFault(SwfFault):
    wire_type = _SWF_NS + "DomainAlreadyExistsFault"


class DomainDeprecatedFault(SwfFault):
    wire_type = _SWF_NS + "DomainDeprecatedFault"


class TypeDeprecatedFault(SwfFault):
    wire_type = _SWF_NS + "TypeDeprecatedFault"


class TypeNotDeprecatedFault(SwfFault):
    wire_type = _SWF_NS + "TypeNotDeprecatedFault"


class WorkflowExecutionAlreadyStartedFault(SwfFault):
    wire_type = _SWF_NS + "WorkflowExecutionAlreadyStartedFault"


class DefaultUndefinedFault(SwfFault):
    wire_type = _SWF_NS + "DefaultUndefinedFault"


class LimitExceededFault(SwfFault):
    wire_type = _SWF_NS + "LimitExceededFault"


class OperationNotPermittedFault(SwfFault):
    wire_type = _SWF_NS + "OperationNotPermittedFault"


class TooManyTagsFault(SwfFault):
    wire_type = _SWF_NS + "TooManyTagsFault"


class ValidationException(SwfFault):
    """Request shape errors; AWS answers these from its request validator (coral), not SWF."""

    wire_type = "com.amazon.coral.validate#ValidationException"


class UnknownOperationException(SwfFault):
    wire_type = "com.amazon.coral.service#UnknownOperationException"


class SerializationException(SwfFault):
    wire_type = "com.amazon.coral.service#SerializationException"


class IncompleteSignatureException(SwfFault):
    """Missing or malformed SigV4 Authorization header (only with --verify-sigv4)."""

    wire_type = "com.amazon.coral.service#IncompleteSignatureException"


class InvalidSignatureException(SwfFault):
    """SigV4 signature did not verify (only with --verify-sigv4)."""

    wire_type = "com.amazon.coral.service#InvalidSignatureException"


class UnrecognizedClientException(SwfFault):
    """Unknown access key id (only with --verify-sigv4)."""

    wire_type = "com.amazon.coral.service#UnrecognizedClientException"


class RequestTimeoutException(SwfFault):
    """The client did not send its whole request in time (HTTP 408).

    botocore's standard retry mode retries this code; the connection is closed after it.
    """

    wire_type = "com.amazon.coral.service#RequestTimeoutException"
    status = 408


class ThrottlingException(SwfFault):
    """The request rate is over a quota (only with fault injection or ``--throttle aws``).

    botocore's retry handlers recognise the code ``ThrottlingException`` (HTTP 400) and back off.
    """

    wire_type = "com.amazon.coral.availability#ThrottlingException"


class InternalFailure(SwfFault):
    """The service failed (HTTP 500); here only as an injected fault, real bugs answer the same."""

    wire_type = "com.amazonaws.swf.base.model#InternalFailure"
    status = 500


class ServiceUnavailableException(SwfFault):
    """The service is stopping and takes no new requests (HTTP 503, which botocore retries).

    The namespace follows coral's ``ThrottlingException``; the exact ``__type`` AWS sends
    with a 503 is unverified (botocore decides on the status code).
    """

    wire_type = "com.amazon.coral.availability#ServiceUnavailableException"
    status = 503
