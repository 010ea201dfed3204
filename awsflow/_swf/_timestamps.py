"""SWF timestamps as they arrive: numbers on the wire, datetimes through botocore's parser.

SWF's JSON carries every timestamp as epoch seconds (a float). botocore's parser turns them
into aware datetimes; the workers' lean path (:mod:`awsflow._wire`) keeps them as the numbers
they are, since parsing 6,000 of them per cold replay costs more than the replay. So every
reader of a timestamp takes either form, through these two functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["as_datetime", "epoch_seconds"]


def epoch_seconds(value: Any) -> float:
    """``value`` (epoch seconds, a datetime, or a numeric string) as epoch seconds.

    A naive datetime counts as UTC, as botocore would have produced it.

    >>> epoch_seconds(1767225600.5)
    1767225600.5
    >>> epoch_seconds(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    1767225600.0
    """
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return as_datetime(value).timestamp()
    if isinstance(value, str):
        return epoch_seconds(as_datetime(value))
    raise TypeError(f"not a timestamp: {value!r} (expected epoch seconds or a datetime)")


def as_datetime(value: Any) -> dt.datetime:
    """``value`` (epoch seconds, a datetime, or an ISO 8601 or numeric string) as an aware UTC datetime.

    >>> as_datetime(1767225600)
    datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    if isinstance(value, str):
        try:
            return as_datetime(float(value))
        except ValueError:
            return as_datetime(dt.datetime.fromisoformat(value))
    raise TypeError(f"not a timestamp: {value!r} (expected epoch seconds or a datetime)")
