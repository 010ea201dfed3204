"""Time inside workflow code: deterministic, and durable timers (botoflow's module path).

``time()`` and ``now()`` are the time of the decision task being replayed (the same on every
replay), never the machine's clock; ``sleep(seconds)`` is an SWF timer; ``is_replaying()`` tells
whether the code is re-running past events. They live in the workflow-code API
(``awsflow._workflow``), with the rest of what runs inside replay.
"""

from __future__ import annotations

from ._workflow import is_replaying, now, sleep, time

__all__ = ["is_replaying", "now", "sleep", "time"]

for _public in (is_replaying, now, sleep, time):
    _public.__module__ = __name__
del _public
