"""SWF's numbers written as strings: durations and task priorities.

SWF sends and takes durations as decimal strings of whole seconds (``"600"``), or ``"NONE"``
(unlimited) where a member's documentation allows it; retention periods are days written the
same way; task priorities are Java ``int`` values as strings (the API reference: "integers that
range from Java's Integer.MIN_VALUE (-2147483648) to Integer.MAX_VALUE (2147483647)").

Only ASCII digits count. Python's ``str.isdigit()`` also accepts ``"²"`` or ``"\\u2464"``,
which ``int()`` then refuses; a check built on it lets such a value through to a handler that
fails half-way (issue 11). Every check here is a full match on ``[0-9]``.
"""

from __future__ import annotations

import re

# "there is a one-year max limit on the time that a workflow execution can run"
MAX_EXECUTION_SECONDS = 365 * 86_400
PRIORITY_MIN = -(2**31)
PRIORITY_MAX = 2**31 - 1
NONE = "NONE"

_DIGITS = re.compile(r"[0-9]+")
# Java's Integer.parseInt takes one optional sign; more than 10 digits is out of range anyway,
# which also keeps int() away from huge strings.
_PRIORITY = re.compile(r"[+-]?[0-9]{1,10}")


def is_duration(value: str, *, allow_none: bool) -> bool:
    """Whether ``value`` is whole seconds (or days) in ASCII digits, or an allowed ``"NONE"``.

    >>> is_duration("600", allow_none=False), is_duration("\\u00b2", allow_none=True)
    (True, False)
    >>> is_duration("NONE", allow_none=True), is_duration("NONE", allow_none=False)
    (True, False)
    """
    if value == NONE:
        return allow_none
    return _DIGITS.fullmatch(value) is not None


def is_priority(value: str) -> bool:
    """Whether ``value`` is a Java ``int`` in decimal, as SWF's ``taskPriority`` must be.

    >>> is_priority("-5"), is_priority("2147483648"), is_priority("abc")
    (True, False, False)
    """
    if _PRIORITY.fullmatch(value) is None:
        return False
    return PRIORITY_MIN <= int(value) <= PRIORITY_MAX
