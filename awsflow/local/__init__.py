"""awsflow.local: an Amazon SWF-compatible service, embedded or standalone.

Speaks SWF's JSON protocol over HTTP, so any botocore/boto3 SWF client works against it by
``endpoint_url=`` (or ``AWS_ENDPOINT_URL_SWF``). Run it with ``python -m awsflow.local`` or
in-process with :class:`LocalSWF`. It imports nothing from the rest of awsflow.
"""

from __future__ import annotations

from ._clock import Clock, SystemClock, VirtualClock
from ._connection import HttpTimeouts
from ._server import LocalSWF

__all__ = ["Clock", "HttpTimeouts", "LocalSWF", "SystemClock", "VirtualClock"]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
