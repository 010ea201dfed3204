"""Randomness, ids and other nondeterministic values, made safe for workflow code.

Workflow code runs again on every replay and must decide the same way each time, so it cannot
call ``random``, ``uuid.uuid4`` or anything that reads the outside world directly. These
helpers give it the same values on every replay:

- :func:`random`: a :class:`random.Random` seeded from the run id;
- :func:`uuid4`: version-4 UUIDs drawn from that generator;
- :func:`side_effect`: runs a function once, records its result in the history (a marker) and
  returns the recorded result on replay without running it again.

:func:`awsflow.workflow_time.now` gives the time.
"""

from __future__ import annotations

import random as _random
import uuid as _uuid
from collections.abc import Callable
from typing import Any

from .._runtime import in_workflow

__all__ = ["random", "side_effect", "uuid4"]


def random() -> _random.Random:
    """The workflow run's random number generator: ``awsflow.random().randint(1, 6)``.

    A :class:`random.Random` seeded from the run id (a string seed, hashed the same way in every
    process), created on first use and shared by every call in the run, so each replay draws the
    same numbers in the same order, provided the code draws them in the same order. The
    stream is per execution run: a run started by continue-as-new (a new run id) gets another.

    Raises:
        NotInWorkflowError: called outside workflow code.

    .. versionadded:: 0.1
    """
    context = in_workflow("awsflow.random")
    if context.random_stream is None:
        context.random_stream = _random.Random(str(context.workflow_execution.run_id))
    stream: _random.Random = context.random_stream
    return stream


def uuid4() -> _uuid.UUID:
    """A version-4 UUID drawn from :func:`random`: the same sequence on every replay of the run.

    Raises:
        NotInWorkflowError: called outside workflow code.

    .. versionadded:: 0.1
    """
    in_workflow("awsflow.uuid4")
    return _uuid.UUID(int=random().getrandbits(128), version=4)


def side_effect(fn: Callable[[], Any]) -> Any:
    """``fn()``, run only the first time the code gets here; replays get the recorded result.

    The first run calls ``fn`` at once (in the decider, so keep it short), encodes its result
    with the workflow's data converter, and records it in an ``awsflow.side_effect.<n>`` marker
    (n counts the run's side_effect calls). A replay returns the value decoded from that marker
    without calling ``fn``. Both see the decoded value, so the first run and every replay agree.
    ``fn`` runs again only if the decision task that ran it is never completed (the worker died,
    the task timed out): until its marker is in the history it is run at least once, never
    exactly once, as with any work a decider does.

    If ``fn`` raises, the exception is recorded instead (as the workflow's converter encodes
    exceptions; one it cannot encode is recorded as a RuntimeError with its text) and raised
    here, on the first run and on every replay. So is a result too large for a marker
    (PayloadTooLargeError: over 32,768 characters once encoded).

    Args:
        fn: a function of no arguments (use a lambda or functools.partial to pass some).

    Returns:
        What ``fn`` returned, as decoded from its record.

    Raises:
        NotInWorkflowError: called outside workflow code.
        NondeterminismError: replaying, and the history has no record for this call (the
            code calls side_effect where it did not when the history was written).

    .. versionadded:: 0.1
    """
    if not callable(fn):
        raise TypeError(f"side_effect needs a function of no arguments, not {fn!r}")
    return in_workflow("awsflow.side_effect").runtime.side_effect(fn)
