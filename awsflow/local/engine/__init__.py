"""The pure SWF engine of awsflow.local: requests and ``now`` in, replies and deadlines out.

No sockets, threads, clocks, randomness or SQLite here (a test enforces it); see
:class:`Engine`.
"""

from __future__ import annotations

from types import FunctionType

from ._engine import EMPTY_POLL_REPLIES, POLL_OPERATIONS, READ_ONLY_OPERATIONS, Engine, Reply
from ._faults import (
    DefaultUndefinedFault,
    DomainAlreadyExistsFault,
    DomainDeprecatedFault,
    IncompleteSignatureException,
    InternalFailure,
    InvalidSignatureException,
    LimitExceededFault,
    OperationNotPermittedFault,
    RequestTimeoutException,
    SerializationException,
    ServiceUnavailableException,
    SwfFault,
    ThrottlingException,
    TooManyTagsFault,
    TypeAlreadyExistsFault,
    TypeDeprecatedFault,
    TypeNotDeprecatedFault,
    UnknownOperationException,
    UnknownResourceFault,
    UnrecognizedClientException,
    ValidationException,
    WorkflowExecutionAlreadyStartedFault,
)
from ._lambda import LAMBDA_RESULT
from ._numbers import PRIORITY_MAX, PRIORITY_MIN, is_duration, is_priority
from ._paging import DEFAULT_PAGE_SIZE
from ._quiescence import Busy, Served

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "EMPTY_POLL_REPLIES",
    "LAMBDA_RESULT",
    "POLL_OPERATIONS",
    "PRIORITY_MAX",
    "PRIORITY_MIN",
    "READ_ONLY_OPERATIONS",
    "Busy",
    "DefaultUndefinedFault",
    "DomainAlreadyExistsFault",
    "DomainDeprecatedFault",
    "Engine",
    "IncompleteSignatureException",
    "InternalFailure",
    "InvalidSignatureException",
    "LimitExceededFault",
    "OperationNotPermittedFault",
    "Reply",
    "RequestTimeoutException",
    "SerializationException",
    "Served",
    "ServiceUnavailableException",
    "SwfFault",
    "ThrottlingException",
    "TooManyTagsFault",
    "TypeAlreadyExistsFault",
    "TypeDeprecatedFault",
    "TypeNotDeprecatedFault",
    "UnknownOperationException",
    "UnknownResourceFault",
    "UnrecognizedClientException",
    "ValidationException",
    "WorkflowExecutionAlreadyStartedFault",
    "is_duration",
    "is_priority",
]

# Public objects defined in private modules show their public module in tracebacks and docs.
for _name in __all__:
    _public = globals()[_name]
    # issubclass(type(x), type), not isinstance(x, type): on Python 3.10 a generic alias such as
    # Served (Callable[...]) passes isinstance(x, type), and its __module__ is read-only.
    if issubclass(type(_public), type) or isinstance(_public, FunctionType):
        _public.__module__ = __name__
del _name, _public
