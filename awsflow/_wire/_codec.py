"""JSON in and out of the wire: orjson when installed (the ``fast`` extra), else the stdlib.

Nothing is converted on the way in: timestamps stay epoch seconds, as SWF sends them (see
:mod:`awsflow._swf._timestamps`). A 6,000-event history decodes in ~10 ms with the stdlib and
~4 ms with orjson, against ~130 ms through botocore's model-driven parser.

A large answer (a history page) is decoded with the cyclic garbage collector paused: the tens
of thousands of dicts it makes would otherwise set off dozens of young collections, each walking
the objects just made, in the middle of the decode (measured: 12-18% of a cold decision task at
N=1000, bench/replay.py). JSON makes no cycles, so nothing is left for the collector that it
would have found; it runs as usual once the decode is done. The pause is counted, so threads
decoding at once resume it only when the last one is done, and a collector the process had
turned off stays off.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["BACKEND", "LARGE", "decode", "encode"]

_loads: Callable[[bytes], Any]
_dumps: Callable[[Any], bytes]

# UTF-8 as it is, not \u escapes: what orjson writes, so a body is the same with either.
_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def stdlib_dumps(value: Any) -> bytes:
    """The stdlib's encoding of a request body (used without orjson)."""
    return _compact(value).encode("utf-8")


try:
    import orjson
except ImportError:  # the fast extra is optional: the stdlib does the same, slower
    BACKEND = "json"
    _loads = json.loads
    _dumps = stdlib_dumps
else:
    BACKEND = "orjson"
    _loads = orjson.loads
    _dumps = orjson.dumps


# Answers at least this large are decoded with the collector paused (a page of 1,000 events is
# ~200 KB; a poll without a task, an answer to a heartbeat, tens of bytes).
LARGE = 64 * 1024

_pause_lock = threading.Lock()
_pausers = 0
_resume_collector = False


def decode(body: bytes) -> dict[str, Any]:
    """An SWF JSON answer as a dict (an empty body, as some answers have, is ``{}``)."""
    if not body:
        return {}
    value = _loads(body) if len(body) < LARGE else _loads_paused(body)
    if not isinstance(value, dict):
        raise ValueError(f"SWF answered JSON that is not an object: {body[:80]!r}")
    return value


def _loads_paused(body: bytes) -> Any:
    global _pausers, _resume_collector
    with _pause_lock:
        if _pausers == 0:
            _resume_collector = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        return _loads(body)
    finally:
        with _pause_lock:
            _pausers -= 1
            if _pausers == 0 and _resume_collector:
                gc.enable()


def encode(request: Any) -> bytes:
    """An SWF JSON request body (compact, UTF-8)."""
    return _dumps(request)
