"""awsflow: durable, distributed workflows on Amazon SWF.

The framework (decorators, decider, workers) is being built; the embedded SWF-compatible
service lives in :mod:`awsflow.local`.
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
