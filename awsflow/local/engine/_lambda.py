"""Lambda tasks: the engine records them; the service shell runs the function (SWF-SEMANTICS §8.5).

Real SWF invokes AWS Lambda with the run's ``lambdaRole``. Locally, functions are Python
callables registered with the service; the engine stays pure by queueing started calls in
``Kernel.lambda_invocations`` and taking their outcome back as an internal, journaled command.
"""

from __future__ import annotations

from ._kernel import Kernel
from ._state import ExecKey, Json

LAMBDA_RESULT = "AwsflowLocal.LambdaFunctionResult"


def pending_invocations(k: Kernel) -> list[tuple[ExecKey, str, int, str, str | None]]:
    """Started calls that still await their outcome; the list is emptied."""
    taken, k.lambda_invocations = k.lambda_invocations, []
    return [call for call in taken if _open_call(k, call[0], call[1], call[2])]


def _open_call(k: Kernel, key: ExecKey, lambda_id: str, scheduled_event_id: int) -> bool:
    ex = k.executions.get(key)
    if ex is None or not ex.is_open:
        return False
    call = ex.lambdas.get(lambda_id)
    return call is not None and call.scheduled_event_id == scheduled_event_id


def lambda_function_result(k: Kernel, req: Json, now: float) -> None:
    """Record a function's outcome: ``{key, id, scheduledEventId, result | reason+details}``."""
    key: ExecKey = (req["key"][0], req["key"][1], req["key"][2])
    if not _open_call(k, key, req["id"], req["scheduledEventId"]):
        return  # timed out or the run closed while the function ran: the outcome is moot
    ex = k.executions[key]
    k.mutating("lambda_result")
    call = ex.lambdas.pop(req["id"])
    common = {"scheduledEventId": call.scheduled_event_id, "startedEventId": call.started_event_id}
    if "reason" in req:
        k.append(
            ex,
            "LambdaFunctionFailed",
            {**common, "reason": req["reason"], "details": req.get("details")},
            now,
        )
    else:
        k.append(ex, "LambdaFunctionCompleted", {**common, "result": req.get("result")}, now)
    k.trigger_decision(ex, now)
