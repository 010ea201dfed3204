"""Fan-out's old place: it is :mod:`awsflow._workflow._fanout` now.

awsflow.workers import FanoutBatch from here until they take it from ``awsflow._workflow``
(issue 12: the workers are reworked on another branch); nothing else may. Delete this module then.
"""

from __future__ import annotations

from ._workflow import FanoutBatch

__all__ = ["FanoutBatch"]
