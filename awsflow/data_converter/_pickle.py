"""The opt-in pickle converter, for values the JSON converter refuses (arbitrary class instances).

The pickle bytes are base64-encoded and stored as a JSON string literal, so every SWF field the
framework writes stays valid JSON whatever converter produced it.
"""

from __future__ import annotations

import base64
import binascii
import json
import pickle
from typing import Any

from ._abstract import AbstractDataConverter

# Protocol 4 is readable by every Python we support (>= 3.4) and handles large objects; fixing it
# keeps histories written by a newer interpreter readable by older workers.
_PICKLE_PROTOCOL = 4


class PickleDataConverter(AbstractDataConverter):
    """Serialise any picklable value as base64 of a pickle (protocol 4), wrapped in a JSON string.

    .. warning::

        ``loads`` unpickles, and unpickling runs arbitrary code named by the data. Use this
        converter only when everyone who can write to the domain's histories (anyone allowed to
        start executions, signal them, or run workers) is trusted. The default
        :class:`~awsflow.data_converter.JSONDataConverter` never executes code from the data.

    >>> converter = PickleDataConverter()
    >>> converter.loads(converter.dumps({"a": (1, 2)}))
    {'a': (1, 2)}
    """

    def dumps(self, obj: Any) -> str:
        """Pickle *obj* and return the base64 of the pickle as a JSON string literal.

        Args:
            obj: any picklable value.

        Returns:
            A JSON string literal such as ``'"gASV..."'``.

        Raises:
            TypeError: *obj* cannot be pickled (pickle raises TypeError or ``pickle.PicklingError``).
        """
        encoded = base64.b64encode(pickle.dumps(obj, protocol=_PICKLE_PROTOCOL)).decode("ascii")
        return json.dumps(encoded)

    def loads(self, data: str) -> Any:
        """Unpickle a value written by :meth:`dumps`. Runs code named by *data*; see the class warning.

        Args:
            data: a JSON string literal holding base64 of a pickle.

        Returns:
            The unpickled value.

        Raises:
            ValueError: *data* is not a JSON string of valid base64.
        """
        encoded = json.loads(data)
        if not isinstance(encoded, str):
            raise ValueError(
                f"PickleDataConverter expects a JSON string literal of base64 pickle data, got a "
                f"JSON {type(encoded).__name__}; was this written by another converter?"
            )
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as err:
            raise ValueError(f"PickleDataConverter data is not valid base64: {err}") from err
        return pickle.loads(raw)
