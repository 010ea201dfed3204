"""How a failure crosses SWF: ``details = [exception, traceback]``, with its chain intact.

Failures are written by the activity worker (RespondActivityTaskFailed/Canceled) and by the
decider (FailWorkflowExecution), and read by the decider (ActivityTaskFailed/Canceled,
ChildWorkflowExecutionFailed) and by ``wait_for_completion``. The details are the data
converter's encoding of ``[exception, frames]`` (botoflow's form, so each side reads the other's),
``frames`` being the traceback of where the exception was raised as ``(file, line, function,
source)`` tuples.

The exception is the head of a *chain*. A workflow that does not catch an activity's failure
fails with :class:`~awsflow.exceptions.ActivityTaskFailedError`, whose ``cause`` is the exception
the activity raised and whose ``format_exc()`` is the activity's traceback; outside, that is the
``cause`` of :class:`~awsflow.exceptions.WorkflowFailedError`, whose own ``format_exc()`` is the
workflow's traceback. A child adds a :class:`~awsflow.exceptions.ChildWorkflowFailedError` link.
Every link keeps its type, its data and its remote traceback:

- awsflow's own errors are written *portable*: their activity and workflow types (objects the
  JSON converter does not write, and which would make the decider import code to read back)
  become ``(name, version)`` tuples, as ``WorkflowFailedError.workflow_type`` is outside;
- a link the converter cannot write (an exception holding a socket, a lock, a custom object) is
  replaced by a :class:`~awsflow.exceptions.RemoteExceptionStandIn` carrying its class name,
  message, traceback and ``problem``; the links around it are still written as themselves;
- details over SWF's 32,768 characters are shortened in steps, each cut said where it is made:
  tracebacks keep their innermost frames, then every link becomes a stand-in with its message
  cut, then only the head is kept;
- reading, a link the converter cannot read back (a class it refuses, a history written by
  another program, damaged text) becomes a stand-in too, the rest of the chain read as usual;
  details that are not an exception at all (another SDK's text) become a stand-in holding them.

Nothing is ever replaced by a bare ``RuntimeError``: the type of each link, or a stand-in naming
it, reaches whoever reads the failure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..exceptions import (
    AwsflowError,
    DecisionExceptionWithTracebackMixIn,
    RemoteExceptionStandIn,
)
from ._limits import LIMITS
from ._table import SwfType

__all__ = ["decode_failure", "encodable_failure", "encode_failure"]

CHAIN_LIMIT = 32  # links followed; a longer (or cyclic) chain ends in a stand-in saying so
FRAMES_KEPT = 20  # innermost frames of each traceback kept when the details are too large
MESSAGE_KEPT = 1000  # characters of a message kept when even that is not enough


def encode_failure(
    converter: Any, error: BaseException, frames: Sequence[Any], limit: int = LIMITS.payload
) -> str:
    """``[error, frames]`` encoded with ``converter``, chain intact, at most ``limit`` characters."""
    frames = _plain_frames(frames) or []
    details = _dumps(converter, [_chain(converter, error, check=False), frames])
    if details is None:  # some link is not writable: find which, and stand it in
        details = _required(converter, [_chain(converter, error, check=True), frames])
    if len(details) <= limit:
        return details
    size = len(details)
    too_large = f"the failure's details were {size} characters; SWF accepts {limit}"
    shorter = _required(
        converter, [_chain(converter, error, check=True, cut=FRAMES_KEPT), _cut_frames(frames)]
    )
    if len(shorter) <= limit:
        return shorter
    stood_in = _stood_in_chain(converter, error, too_large)
    shorter = _required(converter, [stood_in, _cut_frames(frames, 10)])
    if len(shorter) <= limit:
        return shorter
    head = _stand_in(error, f"{too_large}; only this link is kept", cause=None, message_limit=MESSAGE_KEPT)
    return _required(converter, [head, _cut_frames(frames, 5)])


def encodable_failure(converter: Any, error: BaseException) -> BaseException:
    """``error`` as ``converter`` can write it: portable links, stand-ins for the rest."""
    chain = _chain(converter, error, check=False)
    if _dumps(converter, chain) is not None:
        return chain
    return _chain(converter, error, check=True)


def decode_failure(converter: Any, details: str | None) -> tuple[BaseException | None, Any]:
    """``(exception, remote traceback)`` from failure details; never raises for their content."""
    if not details:
        return None, None
    try:
        value = converter.loads(details)
    # The converter may be the user's, and the text anyone's (another SDK, a console user, a
    # damaged history): whatever its loads raises, what can be read is read, link by link.
    except Exception as error:
        return _decode_tolerantly(converter, details, error)
    if isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[0], BaseException):
        return value[0], _plain_frames(value[1])
    if isinstance(value, BaseException):
        return value, None
    return _foreign(details, "they are not an exception written by awsflow or botoflow"), None


# -- writing --------------------------------------------------------------------------------------
def _dumps(converter: Any, value: Any) -> str | None:
    try:
        details: str = converter.dumps(value)
    # What a converter raises on a value it cannot write is its own business (TypeError and
    # ValueError for JSON; PicklingError, TypeError, AttributeError for pickle; anything for a
    # user's): each case means "stand this link in", which the caller does.
    except Exception:
        return None
    return details


def _required(converter: Any, value: Any) -> str:
    details: str = converter.dumps(value)  # stand-ins hold only strings and frames: always writable
    return details


def _problem(converter: Any, value: Any) -> str | None:
    """Why ``converter`` cannot write ``value``, or None if it can."""
    try:
        converter.dumps(value)
    except Exception as error:  # see _dumps
        return f"{type(converter).__name__} cannot encode it ({type(error).__name__}: {error})"
    return None


def _chain(
    converter: Any, error: BaseException, *, check: bool, cut: int | None = None, depth: int = 0
) -> BaseException:
    """A copy of the chain from ``error`` down that ``converter`` can write (see the module doc).

    ``check``: test each link alone and stand in those that cannot be written (otherwise links
    are only made portable). ``cut``: keep only the innermost ``cut`` frames of each traceback.
    """
    attribute = _cause_attribute(error)
    cause = getattr(error, attribute) if attribute else None
    if depth >= CHAIN_LIMIT:
        return _stand_in(error, f"the chain is longer than {CHAIN_LIMIT} links (or loops); cut here")
    rest = None
    if isinstance(cause, BaseException):
        rest = _chain(converter, cause, check=check, cut=cut, depth=depth + 1)
    link = _portable(error, attribute, rest, cut) if isinstance(error, AwsflowError) else error
    if check:
        alone = _portable(link, attribute, None, cut) if attribute else link
        problem = _problem(converter, alone)
        if problem is not None:
            return _stand_in(error, problem, cause=rest, frames_kept=cut)
    return link


def _stood_in_chain(converter: Any, error: BaseException, problem: str) -> BaseException:
    """Every link a stand-in with its message cut: the smallest form that keeps the chain."""
    links: list[BaseException] = []
    current: Any = error
    while isinstance(current, BaseException) and len(links) < CHAIN_LIMIT:
        links.append(current)
        attribute = _cause_attribute(current)
        current = getattr(current, attribute) if attribute else None
    rest: BaseException | None = None
    for link in reversed(links):
        rest = _stand_in(link, problem, cause=rest, message_limit=MESSAGE_KEPT, frames_kept=10)
    assert rest is not None
    return rest


def _cause_attribute(error: BaseException) -> str | None:
    """The attribute holding the next link, for awsflow's chained errors (None otherwise)."""
    if not isinstance(error, (DecisionExceptionWithTracebackMixIn, RemoteExceptionStandIn)):
        return None
    return "_cause" if "_cause" in vars(error) else "cause"


def _portable(
    error: BaseException, attribute: str | None, rest: BaseException | None, cut: int | None
) -> BaseException:
    """A copy of one of awsflow's errors holding only values a converter writes."""
    cls = type(error)
    copy = cls.__new__(cls)  # as a converter rebuilds it: no __init__
    copy.args = tuple(_plain(arg) for arg in error.args)
    state = {key: _plain(value) for key, value in vars(error).items()}
    if attribute:
        state[attribute] = rest
    if "_traceback" in state:
        frames = _plain_frames(state["_traceback"])
        state["_traceback"] = frames if cut is None or frames is None else _cut_frames(frames, cut)
    copy.__dict__.update(state)
    return copy


def _plain(value: Any) -> Any:
    if isinstance(value, SwfType):
        return (value.name, value.version)
    return value


def _stand_in(
    error: BaseException,
    problem: str,
    *,
    cause: BaseException | None = None,
    message_limit: int | None = None,
    frames_kept: int | None = None,
) -> RemoteExceptionStandIn:
    cls = type(error)
    if isinstance(error, RemoteExceptionStandIn):  # already one: keep what it stands for
        class_name, message = error.class_name, error.message
    else:
        class_name, message = f"{cls.__module__}:{cls.__qualname__}", _message(error)
    if message_limit is not None:
        message = _cut(message, message_limit)
    frames = _plain_frames(getattr(error, "_traceback", None))
    if frames is not None and frames_kept is not None:
        frames = _cut_frames(frames, frames_kept)
    return RemoteExceptionStandIn(_cut(class_name, 300), message, problem, cause, frames)


def _message(error: BaseException) -> str:
    try:
        return str(error)
    except Exception as failure:  # a broken __str__ must not lose the failure it describes
        return f"<str() raised {type(failure).__name__}; args {error.args!r}>"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters, cut)"


def _plain_frames(frames: Any) -> list[Any] | None:
    """Traceback frames as plain ``(file, line, function, source)`` tuples (or marker strings)."""
    if not isinstance(frames, (list, tuple)):
        return None
    plain: list[Any] = []
    for frame in frames:
        if isinstance(frame, str):
            plain.append(frame)
            continue
        try:
            filename, lineno, name, line = (list(frame) + [None] * 4)[:4]
        except TypeError:  # not a frame: say so rather than drop it
            plain.append(f"  <frame {_cut(repr(frame), 200)}>\n")
            continue
        plain.append(
            (str(filename), lineno if isinstance(lineno, int) else str(lineno), str(name), line and str(line))
        )
    return plain


def _cut_frames(frames: list[Any], kept: int = FRAMES_KEPT) -> list[Any]:
    if len(frames) <= kept:
        return frames
    return [f"  ... {len(frames) - kept} outer frames left out (SWF's size limit)\n", *frames[-kept:]]


# -- reading ----------------------------------------------------------------------------------------
def _decode_tolerantly(converter: Any, details: str, error: Exception) -> tuple[BaseException, Any]:
    """Read what can be read of details the converter refused as a whole."""
    problem = f"{type(converter).__name__} cannot decode it ({type(error).__name__}: {_cut(str(error), 500)})"
    try:
        tree = json.loads(details)
    except ValueError:  # not JSON at all: another SDK's text, or not ours to read
        return _foreign(details, problem), None
    frames: Any = None
    if isinstance(tree, list) and len(tree) == 2:
        tree, frames = tree
    return _decode_link(converter, tree, problem, 0), _decode_frames(converter, frames)


def _decode_link(converter: Any, tree: Any, problem: str, depth: int) -> BaseException:
    """One link read from its JSON tree: as itself if the converter can read it (its cause read
    separately if that was what failed), else a stand-in built from the tree's plain parts."""
    value, failure = _loads_tree(converter, tree)
    if isinstance(value, BaseException):
        return value
    spec = tree.get("__obj") if isinstance(tree, dict) else None
    if not (
        isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], str) and isinstance(spec[1], dict)
    ):
        return _foreign(json.dumps(tree), failure or problem)
    class_name, state = spec
    key = "_cause" if "_cause" in state else "cause"
    cause_tree = state.get(key)
    cause = None
    if isinstance(cause_tree, dict) and depth < CHAIN_LIMIT:
        cause = _decode_link(converter, cause_tree, problem, depth + 1)
        # The link without its cause may be readable: then only the cause stands in.
        alone, _ = _loads_tree(converter, {**tree, "__obj": [class_name, {**state, key: None}]})
        if isinstance(alone, BaseException):
            alone.__dict__[key] = cause
            return alone
    exc_info = tree.get("__exc")
    args = exc_info[0] if isinstance(exc_info, list) and exc_info and isinstance(exc_info[0], list) else []
    readable = []
    for arg in args:
        arg_value, unreadable = _loads_tree(converter, arg)
        readable.append("<unreadable>" if unreadable else arg_value)
    message = str(readable[0]) if len(readable) == 1 else str(tuple(readable)) if readable else ""
    frames = _decode_frames(converter, state.get("_traceback"))
    return RemoteExceptionStandIn(class_name, message, failure or problem, cause, frames)


def _loads_tree(converter: Any, tree: Any) -> tuple[Any, str | None]:
    try:
        return converter.loads(json.dumps(tree)), None
    except Exception as error:  # see decode_failure
        return (
            None,
            f"{type(converter).__name__} cannot decode it ({type(error).__name__}: {_cut(str(error), 500)})",
        )


def _decode_frames(converter: Any, tree: Any) -> list[Any] | None:
    if tree is None:
        return None
    value, failure = _loads_tree(converter, tree)
    if failure is None:
        return _plain_frames(value)
    if not isinstance(tree, list):
        return None
    # Frames the converter cannot read: botoflow's {"__tuple": [...]} read by hand.
    return _plain_frames([item.get("__tuple", item) if isinstance(item, dict) else item for item in tree])


def _foreign(text: str, problem: str) -> RemoteExceptionStandIn:
    return RemoteExceptionStandIn("", _cut(text, 2000), problem)
