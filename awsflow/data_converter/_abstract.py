"""The interface every data converter implements.

A data converter turns workflow and activity inputs, results and errors into the strings SWF stores
(``input``, ``result``, ``details``...) and back. Both directions must be deterministic: replay
decodes the same history many times and must get equal values every time.
"""

from __future__ import annotations

import abc
from typing import Any


class AbstractDataConverter(abc.ABC):
    """Base class of data converters: a pair of ``dumps``/``loads`` that are inverse to each other.

    Subclass it to plug your own serialisation into workflows and activities.
    """

    @abc.abstractmethod
    def dumps(self, obj: Any) -> str:
        """Serialise *obj* into a string SWF can store.

        Args:
            obj: the value to serialise.

        Returns:
            The serialised form; ``loads`` of it gives back an equal value.

        Raises:
            TypeError: *obj* (or something inside it) is of a type this converter cannot encode.
        """

    @abc.abstractmethod
    def loads(self, data: str) -> Any:
        """Rebuild the value that ``dumps`` turned into *data*.

        Args:
            data: a string produced by ``dumps`` of the same converter class.

        Returns:
            The decoded value.

        Raises:
            ValueError: *data* is not something this converter can decode.
        """
