"""Data converters: how workflow and activity values become the strings SWF stores, and back.

:class:`JSONDataConverter` is the default: readable JSON that round-trips Python's common value
types exactly and never runs code named by the data. :class:`PickleDataConverter` is the opt-in for
arbitrary objects, at the price of trusting every writer of the history.
"""

from __future__ import annotations

from ._abstract import AbstractDataConverter
from ._json import JSONDataConverter, UnknownRemoteException
from ._pickle import PickleDataConverter

__all__ = ["AbstractDataConverter", "JSONDataConverter", "PickleDataConverter", "UnknownRemoteException"]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
