"""botoflow 0.8 on today's Python and botocore: the small shims the differential tests need.

botoflow 0.8 (2017) predates Python 3.11's ``object.__getstate__`` and botocore's move of the
endpoint timeouts; it also never encoded a Python 3 traceback. These shims make it behave as it
did on the Pythons it was written for, so its histories are what botoflow wrote, not what its
crashes would leave. They live in the tests only and patch only botoflow, never awsflow.
"""

from __future__ import annotations

import copy
import threading
import traceback
from typing import Any

import botocore.config
import botocore.session

try:
    import botoflow
except ImportError:  # a test extra: the differential tests skip without it
    botoflow = None

__all__ = ["REGION", "LocalSession", "botoflow", "install_botoflow_shims"]

REGION = "us-east-1"

_installed = False
_lock = threading.Lock()


def install_botoflow_shims() -> None:
    """Make botoflow 0.8's JSON encoder write on Python >= 3.5 what it wrote on the Pythons it knew.

    Two things broke in its ``_FlowObjEncoder`` (``data_converter/json_data_converter.py``),
    whose ``default`` tests only ``hasattr(obj, "__getstate__")`` before using
    ``obj.__getstate__()``, else a copy of ``obj.__dict__``:

    - Python 3.11 gave every object ``__getstate__`` (``object.__getstate__``), which returns
      None for an exception with an empty ``__dict__``: no exception could be encoded any more
      (``'NoneType' object has no attribute 'items'``), so no failure could be reported. For an
      object whose class keeps the inherited ``__getstate__`` the shim uses a copy of
      ``__dict__`` (and writes a class as ``__class``), as botoflow did before 3.11.
    - Python 3.5 made ``traceback.extract_tb`` return a ``StackSummary`` of ``FrameSummary``
      objects (no ``__dict__``) instead of a list of 4-tuples: the ``[error, frames]`` details
      of a failed activity or workflow could not be encoded on any Python 3. The shim writes
      the frames as the plain list of ``(file, line, function, text)`` tuples botoflow wrote
      before, the form its decoder and ``traceback.format_list`` read back.

    Idempotent; does nothing when botoflow is not installed.
    """
    global _installed
    with _lock:
        if _installed or botoflow is None:
            return
        from botoflow.data_converter import json_data_converter

        encoder = json_data_converter._FlowObjEncoder
        original_default = encoder.default
        original_flowify = encoder._flowify_obj
        object_getstate = getattr(object, "__getstate__", None)

        def flowify(self: Any, obj: Any) -> Any:
            if type(obj) is traceback.StackSummary:  # was a plain list: no __listclass wrapper
                return [self._flowify_obj(frame) for frame in obj]
            return original_flowify(self, obj)

        def default(self: Any, obj: Any) -> Any:
            if isinstance(obj, traceback.FrameSummary):
                return {"__tuple": [obj.filename, obj.lineno, obj.name, obj.line]}
            if object_getstate is None or getattr(type(obj), "__getstate__", None) is not object_getstate:
                return original_default(self, obj)  # Python < 3.11, or the class's own __getstate__
            if isinstance(obj, type):
                return {"__class": f"{obj.__module__}:{obj.__name__}"}
            cls = type(obj)
            state = {key: self._flowify_obj(value) for key, value in copy.copy(vars(obj)).items()}
            encoded: dict[str, Any] = {"__obj": [f"{cls.__module__}:{cls.__name__}", state]}
            if isinstance(obj, BaseException):
                encoded["__exc"] = [obj.args, None]  # None: Python 2's exception .message
            return encoded

        encoder.default = default
        encoder._flowify_obj = flowify
        _installed = True


class LocalSession(botocore.session.Session):  # type: ignore[misc]
    """A botocore session whose SWF clients talk to one awsflow.local endpoint.

    botoflow's workers and starter take a session (its workers insist on a
    ``botocore.session.Session``) and create their client with ``create_client("swf",
    region_name=...)``; this fills in the endpoint, dummy credentials, a read timeout above the
    long poll, and no retries (so a test sees every error).

    Shim: botoflow's ``BaseWorker._fix_endpoint`` reads ``client._endpoint.timeout`` to raise the
    read timeout above SWF's 60 s long poll; botocore has since moved timeouts into the
    endpoint's HTTP session, so the attribute is set to the client's real ``(connect, read)``
    timeouts (already above 60 s, so botoflow leaves them alone).
    """

    def __init__(self, endpoint_url: str) -> None:
        super().__init__()
        self._endpoint_url = endpoint_url

    def create_client(self, service_name: str, region_name: str | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self._endpoint_url)
        kwargs.setdefault("aws_access_key_id", "awsflow-local")
        kwargs.setdefault("aws_secret_access_key", "awsflow-local")
        kwargs.setdefault("config", botocore.config.Config(read_timeout=70, retries={"max_attempts": 0}))
        client = super().create_client(service_name, region_name=region_name or REGION, **kwargs)
        config = client.meta.config
        client._endpoint.timeout = (config.connect_timeout, config.read_timeout)
        return client
