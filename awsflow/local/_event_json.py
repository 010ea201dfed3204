"""Answers as JSON text, with the JSON of history events kept between answers.

A run's history is sent again and again: every page of every cold replay (a restarted or
evicted decider reads the whole history), every ``GetWorkflowExecutionHistory``. Encoding a
1,000-event page costs about 5 ms of the service's CPU, nearly all of it events it has encoded
before. An event never changes once the engine has appended it (the engine only ever appends
new dicts to a history; a rebuild from the store makes new ones), so its JSON text can be
kept and a page becomes a join of texts.

The texts are found by the event's identity: an entry holds the event itself, so its ``id()``
cannot be reused by another object while the entry lives. The cache is bounded by the bytes
of text it keeps (least recently used entries go first), not by the runs the service holds.
Short lists of events (a sticky decider's few new ones) are encoded directly: looking each
event up costs more than encoding it with the rest.
"""

from __future__ import annotations

import json
import threading
from typing import Any

__all__ = ["AnswerEncoder"]

_compact_json = json.JSONEncoder(separators=(",", ":")).encode  # made once, not per answer
# Below this many events an answer is encoded in one go (measured: the lookups cost more).
CACHED_FROM_EVENTS = 64
# About 25,000 small events: the whole of a long history's pages. The entries also keep their
# events alive; those are the engine's own while their run exists, so that costs memory only
# for runs deleted since (retention) until their entries are pushed out.
DEFAULT_CACHE_BYTES = 8 * 1024 * 1024


class AnswerEncoder:
    """Encodes answers to JSON text, reusing the text of events encoded before.

    Args:
        max_bytes: the most event text kept.
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        # id(event) -> (event, its JSON text); insertion order is recency (a hit moves it last).
        self._texts: dict[int, tuple[dict[str, Any], str]] = {}
        self._lock = threading.Lock()

    def encode(self, answer: dict[str, Any]) -> str:
        """``answer`` as compact JSON text (the members in any order; JSON objects have none)."""
        events = answer.get("events")
        if not isinstance(events, list) or len(events) < CACHED_FROM_EVENTS:
            return _compact_json(answer)
        rest = _compact_json({key: value for key, value in answer.items() if key != "events"})
        texts = self._event_texts(events)
        separator = "," if len(rest) > 2 else ""
        return f'{rest[:-1]}{separator}"events":[{",".join(texts)}]}}'

    def cached_bytes(self) -> int:
        """How many bytes of event text are kept now."""
        with self._lock:
            return self._bytes

    def _event_texts(self, events: list[Any]) -> list[str]:
        texts: list[str] = []
        missing: list[int] = []
        with self._lock:
            cache = self._texts
            for index, event in enumerate(events):
                entry = cache.pop(id(event), None)
                if entry is not None and entry[0] is event:
                    cache[id(event)] = entry  # now the most recently used
                    texts.append(entry[1])
                else:
                    if entry is not None:  # cannot happen while the entry holds its event
                        self._bytes -= len(entry[1])
                    texts.append("")
                    missing.append(index)
        if not missing:
            return texts
        # Encoded outside the lock: other answers need not wait for this one.
        fresh = [(events[index], _compact_json(events[index])) for index in missing]
        for index, (_, text) in zip(missing, fresh, strict=True):
            texts[index] = text
        with self._lock:
            cache = self._texts
            for event, text in fresh:
                if id(event) not in cache and isinstance(event, dict):
                    cache[id(event)] = (event, text)
                    self._bytes += len(text)
            while self._bytes > self._max_bytes and cache:
                oldest = next(iter(cache))
                self._bytes -= len(cache.pop(oldest)[1])
        return texts
