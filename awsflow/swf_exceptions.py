"""SWF's faults as exceptions, and the wrapper that turns botocore's ClientError into them.

The error keeps botocore's whole response (``.response``) and chains the ClientError, so
nothing SWF said is lost. ``is_retryable`` marks the faults worth retrying with backoff.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from .exceptions import AwsflowError

__all__ = [
    "DefaultUndefinedError",
    "DomainAlreadyExistsError",
    "DomainDeprecatedError",
    "InternalFailureError",
    "LimitExceededError",
    "OperationNotPermittedError",
    "SWFResponseError",
    "ThrottlingException",
    "TypeAlreadyExistsError",
    "TypeDeprecatedError",
    "UnknownResourceError",
    "UnrecognizedClientException",
    "ValidationException",
    "WorkflowExecutionAlreadyStartedError",
    "is_connection_error",
    "is_retryable",
    "swf_exception_wrapper",
]


class SWFResponseError(AwsflowError):
    """SWF refused a request; ``code`` is SWF's error code, ``response`` botocore's parsed reply."""

    def __init__(self, message: str, code: str = "", response: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.response = response or {}


class DomainDeprecatedError(SWFResponseError):
    """The domain is deprecated."""


class DomainAlreadyExistsError(SWFResponseError):
    """The domain already exists (even if deprecated)."""


class DefaultUndefinedError(SWFResponseError):
    """A value the type has no default for was not given."""


class LimitExceededError(SWFResponseError):
    """A service limit was reached."""


class WorkflowExecutionAlreadyStartedError(SWFResponseError):
    """An open execution with this workflow id already exists in the domain."""


class TypeDeprecatedError(SWFResponseError):
    """The activity or workflow type is deprecated."""


class TypeAlreadyExistsError(SWFResponseError):
    """The type (name and version) is already registered (even if deprecated)."""


class OperationNotPermittedError(SWFResponseError):
    """The caller may not perform this operation."""


class UnknownResourceError(SWFResponseError):
    """The named domain, type, execution or task token does not exist (or no longer does)."""


class UnrecognizedClientException(SWFResponseError):
    """The credentials were not recognised."""


class ThrottlingException(SWFResponseError):
    """The request rate is too high; retry with backoff."""


class ValidationException(SWFResponseError):
    """The request is malformed."""


class InternalFailureError(SWFResponseError):
    """SWF failed internally; retry with backoff."""


_BY_CODE: dict[str, type[SWFResponseError]] = {
    "DomainDeprecatedFault": DomainDeprecatedError,
    "DomainAlreadyExistsFault": DomainAlreadyExistsError,
    "DefaultUndefinedFault": DefaultUndefinedError,
    "LimitExceededFault": LimitExceededError,
    "WorkflowExecutionAlreadyStartedFault": WorkflowExecutionAlreadyStartedError,
    "TypeDeprecatedFault": TypeDeprecatedError,
    "TypeAlreadyExistsFault": TypeAlreadyExistsError,
    "OperationNotPermittedFault": OperationNotPermittedError,
    "UnknownResourceFault": UnknownResourceError,
    "ThrottlingException": ThrottlingException,
    "ValidationException": ValidationException,
    "UnrecognizedClientException": UnrecognizedClientException,
    "InternalFailure": InternalFailureError,
    "ServiceUnavailable": InternalFailureError,
}
_RETRYABLE = frozenset(
    {
        "ThrottlingException",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
# What a call raises when the service could not be reached or the connection broke: botocore's
# own connection errors, and OSError/HTTPException from the connections the workers' polls use.
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    BotocoreConnectionError,
    HTTPClientError,
    OSError,
    http.client.HTTPException,
)


def from_client_error(error: ClientError) -> SWFResponseError:
    """The awsflow exception for a botocore ClientError."""
    details = error.response.get("Error", {})
    code = str(details.get("Code", ""))
    message = str(details.get("Message", "")) or str(error)
    return _BY_CODE.get(code, SWFResponseError)(message, code, dict(error.response))


@contextmanager
def swf_exception_wrapper() -> Iterator[None]:
    """Re-raise botocore's ClientError as the matching :class:`SWFResponseError` subclass."""
    try:
        yield
    except ClientError as error:
        raise from_client_error(error) from error


def is_retryable(error: BaseException) -> bool:
    """True for what deserves a retry with backoff: throttling, transient service errors (5xx),
    and connection failures (the service unreachable, or the connection broken mid-call)."""
    if isinstance(error, SWFResponseError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return (
            error.code in _RETRYABLE
            or isinstance(error, (ThrottlingException, InternalFailureError))
            or (isinstance(status, int) and status >= 500)
        )
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = str(error.response.get("Error", {}).get("Code", ""))
        return code in _RETRYABLE or (isinstance(status, int) and status >= 500)
    return is_connection_error(error)


def is_connection_error(error: BaseException) -> bool:
    """Whether ``error`` says the service could not be reached or the connection broke."""
    return isinstance(error, _CONNECTION_ERRORS)
