"""Opaque page tokens for the List*, GetWorkflowExecutionHistory and poll-continuation calls.

A token records where the next page starts and a digest of the request that produced it; SWF
requires the follow-up call to repeat the other arguments unchanged, so a token presented with
different arguments (or garbage) is a ValidationException, as AWS answers a bad token.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from ._faults import ValidationException

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 1000  # the API reference's default, and the largest maximumPageSize allowed
# maximumPageSize may change between pages; identity names the poller, not the query.
_IGNORED = ("nextPageToken", "maximumPageSize", "identity")


def _digest(request: dict[str, Any]) -> str:
    basis = {k: v for k, v in request.items() if k not in _IGNORED}
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()[:16]


def encode_token(request: dict[str, Any], position: Any) -> str:
    raw = json.dumps({"p": position, "d": _digest(request)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_token(request: dict[str, Any]) -> Any:
    """The position recorded in ``request['nextPageToken']`` (None when absent)."""
    token = request.get("nextPageToken")
    if token is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        position, digest = data["p"], data["d"]
    except (ValueError, TypeError, KeyError, RecursionError) as err:
        # RecursionError: a forged token may hold JSON nested deeper than the parser recurses.
        raise ValidationException("Invalid nextPageToken") from err
    if digest != _digest(request):
        raise ValidationException("Invalid nextPageToken: the request's other arguments changed")
    return position


def page_size(request: dict[str, Any], default: int = DEFAULT_PAGE_SIZE, cap: int = DEFAULT_PAGE_SIZE) -> int:
    """The request's ``maximumPageSize`` (absent or 0: the service's ``default``), at most ``cap``.

    SWF documents ``maximumPageSize`` as "an upper limit only; the actual number of results
    returned per call may be fewer", so a service configured with smaller history pages may
    answer fewer events than asked for; clients must follow ``nextPageToken`` either way.
    """
    size = request.get("maximumPageSize") or 0
    return min(size if size > 0 else default, cap)


def paginate(
    request: dict[str, Any],
    items: Sequence[T],
    default_size: int = DEFAULT_PAGE_SIZE,
    cap: int = DEFAULT_PAGE_SIZE,
) -> tuple[Sequence[T], str | None]:
    """One page of ``items`` (already in response order) and the token for the next one."""
    start = decode_token(request) or 0
    if type(start) is not int or start < 0:
        raise ValidationException("Invalid nextPageToken")
    end = start + page_size(request, default_size, cap)
    token = encode_token(request, end) if end < len(items) else None
    return items[start:end], token
