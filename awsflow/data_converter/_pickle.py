"""The opt-in pickle converter, for values the JSON converter refuses (arbitrary class instances).

Wire format (botoflow's): protocol 0 — the default — is pickle's text protocol, sent as is;
other protocols are binary and sent base64-encoded.
"""

from __future__ import annotations

import base64
import binascii
import pickle
from typing import Any

from ._abstract import AbstractDataConverter


class PickleDataConverter(AbstractDataConverter):
    """Serialise any picklable value with :mod:`pickle`.

    .. warning::

        ``loads`` unpickles, and unpickling runs arbitrary code named by the data. Use this
        converter only when everyone who can write to the domain's histories (anyone allowed to
        start executions, signal them, or run workers) is trusted. The default
        :class:`~awsflow.data_converter.JSONDataConverter` never executes code from the data.

    Args:
        protocol: the pickle protocol; 0 (text) by default, as botoflow.

    >>> converter = PickleDataConverter()
    >>> converter.loads(converter.dumps({"a": (1, 2)}))
    {'a': (1, 2)}
    >>> PickleDataConverter(protocol=4).loads(PickleDataConverter(protocol=4).dumps([1]))
    [1]
    """

    def __init__(self, protocol: int = 0) -> None:
        self._protocol = protocol

    def dumps(self, obj: Any) -> str:
        """The pickle of *obj*: text for protocol 0, base64 otherwise."""
        raw = pickle.dumps(obj, protocol=self._protocol)
        if self._protocol == 0:
            # Protocol 0 is text, save for raw-unicode-escaped strings: latin-1 maps every byte.
            return raw.decode("latin-1")
        return base64.b64encode(raw).decode("ascii")

    def loads(self, data: str) -> Any:
        """Unpickle *data* (runs code it names; see the class warning).

        Raises:
            ValueError: *data* is not valid base64 (protocols above 0).
        """
        if self._protocol == 0:
            return pickle.loads(data.encode("latin-1"))
        try:
            raw = base64.b64decode(data, validate=True)
        except binascii.Error as err:
            raise ValueError(f"PickleDataConverter data is not valid base64: {err}") from err
        return pickle.loads(raw)
