"""``mock_activities``: activity objects whose chosen methods are replaced by plain callables.

A worker finds activities through the ``@activity`` descriptors of the object's class, so a
``mock.patch`` of the method, or a subclass overriding it, would hide or bypass the activity
type. The stand-in is a subclass whose replaced methods are activity descriptors of the *same*
activity types (same names, versions, options, data converter) calling the replacement, so the
workflow schedules exactly what it does in production and the worker runs the replacement.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ..decorator_descriptors import ActivityFunc

__all__ = ["mock_activities"]


def mock_activities(activities: Any, **replacements: Callable[..., Any]) -> Any:
    """An activity object like ``activities`` with the named activity methods replaced.

    Args:
        activities: an instance of an ``@activities`` class (its other methods and state are
            kept), or the class itself (instantiated with no arguments).
        replacements: method name → callable taking the activity's arguments (without self): a
            function, a lambda, a ``unittest.mock.Mock`` (to assert on its calls), or a
            generator function (it heartbeats at each ``yield`` as a generator activity does).

    Returns:
        An object to hand to a worker (``env.start_workers(..., mock_activities(...))``).

    Raises:
        TypeError: a name is not an activity method of the class.

    Example::

        charge = Mock(return_value="receipt-1")
        env.start_workers(Checkout, mock_activities(PaymentActivities(), charge=charge))
        assert env.run(Checkout.buy, "book") == "receipt-1"
        charge.assert_called_once_with("book")

    .. versionadded:: 0.1
    """
    cls = activities if isinstance(activities, type) else type(activities)
    found: dict[str, ActivityFunc] = {}
    for klass in reversed(cls.__mro__):
        found.update({name: value for name, value in vars(klass).items() if isinstance(value, ActivityFunc)})
    unknown = sorted(set(replacements) - set(found))
    if unknown:
        raise TypeError(
            f"{cls.__name__} has no activity method {', '.join(unknown)}; its activities are {sorted(found)}"
        )
    stand_in = type(cls.__name__, (cls,), {"__module__": cls.__module__, "__qualname__": cls.__qualname__})
    for name, replacement in replacements.items():
        # Set after the class is made: a descriptor in the class body would be renamed by
        # __set_name__, which would rename the shared activity type too.
        setattr(stand_in, name, ActivityFunc(_calling(replacement, name), found[name].activity_type))
    if isinstance(activities, type):
        return stand_in()
    mocked = copy.copy(activities)
    mocked.__class__ = stand_in
    return mocked


def _calling(replacement: Callable[..., Any], name: str) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return replacement(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    return method
