"""Pure formatting for the command line: tables, times, durations, JSON. No I/O."""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable, Sequence
from typing import Any

from ..handles import to_plain  # one JSON form for handles' values, shared with the web UI's API

__all__ = ["duration", "parse_since", "table", "timestamp", "to_json", "to_plain"]


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """Lines of a left-aligned table, columns two spaces apart (``None`` shows as ``-``)."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    lines = []
    for row in [list(headers), *cells]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return lines


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        return timestamp(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def timestamp(value: dt.datetime | None) -> str:
    """``2026-12-05 08:07:13.250`` in UTC (``-`` for None)."""
    if value is None:
        return "-"
    utc = value.astimezone(dt.timezone.utc) if value.tzinfo else value
    return utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


def duration(seconds: float | None) -> str:
    """``0.25s``, ``42.0s``, ``3m05s``, ``2h01m``, ``3d04h`` (``-`` for None)."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.2f}s" if seconds < 10 else f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """``30m``, ``2h``, ``7d``, ``1w`` before ``now``; or an ISO 8601 date/time (UTC if naive).

    Raises:
        ValueError: neither form.
    """
    text = text.strip()
    if text[:-1].isdigit() and text[-1:] in _UNITS:
        return now - dt.timedelta(seconds=int(text[:-1]) * _UNITS[text[-1]])
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a duration like 30m, 2h, 7d nor an ISO date like 2026-12-01T08:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def to_json(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as JSON text (see :func:`to_plain`)."""
    return json.dumps(to_plain(value), indent=indent, sort_keys=False, ensure_ascii=False, default=repr)
