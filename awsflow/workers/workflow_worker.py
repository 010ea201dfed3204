"""Workflow workers: poll decision tasks, replay, answer with the decisions.

The replay is :class:`~awsflow.decider.ExecutionReplay`, pure; this module only fetches the
history (every page) and sends the answer. An error while deciding — a workflow type this worker
lacks, a nondeterministic change, a bug in a signal handler's encoding — is logged with its
traceback and answered as :mod:`awsflow.decision_failures` says: a marker recording the failure
and a retry timer whose interval grows, so the failure shows in the history and a fixed worker
carries the execution on at the next retry. Service trouble while deciding (fetching the
history) leaves the task unanswered: SWF times it out and schedules another.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError

from .._swf import page_lists
from .._workflow import FanoutBatch
from ..decider import DecisionOutcome, ExecutionReplay, replay_decision_keeping_state
from ..decision_failures import failure_decisions, next_attempt, retry_interval
from ..exceptions import NondeterminismError
from ..logging_filters import silence_replays_on_root_handlers
from ..swf_exceptions import SWFResponseError
from ..workflow_execution import WorkflowExecution
from . import _closures
from ._collector import Pause, collector_paused
from ._registry import WorkflowTable, extract_workflows_dict
from ._replay_cache import REPLAY_OVERHEAD, ReplayCache, payload_bytes
from .base_worker import BaseWorker

__all__ = ["GenericWorkflowWorker", "WorkflowWorker", "get_workflow_entrypoint"]

logger = logging.getLogger(__name__)

# Routing a run's decision tasks back to the worker holding its replay (on by default; see
# WorkflowWorker): a task not started there within this many seconds goes back to the shared list.
STICKY_TIMEOUT = 5
STICKY_RUNS = 1000  # replays kept between decision tasks (least recently decided go first) ...
STICKY_BYTES = 256 * 1024 * 1024  # ... and at most this much of them by _replay_cache's estimate

_CLOSE_DECISIONS = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)


def get_workflow_entrypoint(definition_class: type, workflow_name: str, workflow_version: str) -> Any:
    """``(definition, workflow type, method name)`` for a type of ``definition_class``."""
    return extract_workflows_dict([definition_class])[(workflow_name, workflow_version)]


# Workflows awsflow itself runs as children of users' workflows, served by every workflow worker.
_BUILTINS: WorkflowTable = extract_workflows_dict((FanoutBatch,))


def _with_builtins(get_workflow: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    def lookup(name: str, version: str) -> Any:
        try:
            return get_workflow(name, version)
        except KeyError:
            if (name, version) in _BUILTINS:
                return _BUILTINS[(name, version)]
            raise

    return lookup


class GenericWorkflowWorker(BaseWorker):
    """A workflow worker that finds workflow code through ``get_workflow(name, version)``.

    ``get_workflow`` returns ``(definition class, workflow type, method name)`` and raises
    KeyError for types it does not serve. Every workflow worker also serves and registers
    ``awsflow.FanoutBatch``, the built-in child workflow that runs the batches of a large
    :func:`~awsflow.fanout`.
    """

    def __init__(
        self,
        session: Any,
        aws_region: str,
        domain: str,
        task_list: str,
        get_workflow: Callable[[str, str], Any] | None,
        *,
        client: Any = None,
        sticky_schedule_to_start_timeout: int | None = STICKY_TIMEOUT,
        sticky_cache_runs: int = STICKY_RUNS,
        sticky_cache_bytes: int = STICKY_BYTES,
        sticky_task_list: str | None = None,
    ) -> None:
        super().__init__(session, aws_region, domain, task_list, client=client)
        # Affinity (SWF-SEMANTICS §10.6): answers ask SWF to send the run's next decision task
        # to a task list only this worker polls, so its kept replay is used; a task nobody
        # starts there within the timeout goes back to the shared list.
        if sticky_schedule_to_start_timeout is not None and sticky_schedule_to_start_timeout < 1:
            raise ValueError(
                "sticky_schedule_to_start_timeout is whole seconds, 1 or more (None turns routing "
                f"off), not {sticky_schedule_to_start_timeout!r}"
            )
        self._sticky_timeout = sticky_schedule_to_start_timeout
        # Only this worker may poll it, so the default is unique; the testing kit names it, to
        # keep histories identical from run to run.
        self._sticky_list = sticky_task_list or f"{task_list}-sticky-{uuid.uuid4().hex[:16]}"
        # True once start() or run() polls the sticky list (a run_once() of the caller's does not):
        # answers route there only then, and only until stop() sets _stopping.
        self._sticky_polled = False
        self._workflow_finder = get_workflow
        # botoflow's hook: a subclass may override _get_workflow_finder (WorkflowWorker does).
        finder = self._get_workflow_finder()
        if not callable(finder):
            raise TypeError(
                f"{type(self).__name__} needs get_workflow: a callable (name, version) -> "
                "(definition class, workflow type, method name), e.g. built with "
                f"awsflow.utils.extract_workflows_dict; got {finder!r}"
            )
        self._get_workflow = _with_builtins(finder)
        self._kept: ReplayCache[WorkflowExecution, ExecutionReplay] = ReplayCache(
            sticky_cache_runs, sticky_cache_bytes
        )
        # Workflow code re-runs on every decision task; its log lines should not repeat.
        silence_replays_on_root_handlers()
        for _, workflow_type, _ in _BUILTINS.values():
            self._register_workflow_type(workflow_type)

    @property
    def sticky_task_list(self) -> str:
        """The task list only this worker polls, where it routes its runs' decision tasks."""
        return self._sticky_list

    def _get_workflow_finder(self) -> Callable[[str, str], Any] | None:
        """The ``get_workflow(name, version)`` this worker finds workflow code with.

        botoflow's hook, kept for code that calls or overrides it: by default the
        ``get_workflow`` given; :class:`WorkflowWorker` looks its definitions up. It is called
        once, while the worker is constructed. (The built-in ``awsflow.FanoutBatch`` is served
        besides whatever it returns.)
        """
        return self._workflow_finder

    def _register_workflow_type(self, workflow_type: Any) -> None:
        self._register("RegisterWorkflowType", workflow_type)

    def start(self, pollers: int = 1, *, initializer: Callable[[], None] | None = None) -> None:
        """Poll the shared task list in ``pollers`` threads, and (routing on) as many threads
        poll this worker's sticky list, where all but the first decision task of each of its
        runs come: one thread there would decide them one at a time whatever ``pollers`` is."""
        super().start(pollers, initializer=initializer)
        self._start_sticky_pollers(pollers, initializer)

    def run(self, *, handle_signals: bool = True) -> None:
        """Poll and decide in this thread until :meth:`stop` (see BaseWorker.run).

        With routing on, the worker's own sticky list is polled meanwhile in a background
        thread, joined before this returns.
        """
        if self._sticky_timeout is None:
            super().run(handle_signals=handle_signals)
            return
        # Before the sticky poller starts (run() does it again), or a stop() from an earlier run
        # would end that poller at once.
        self._begin_polling()
        self._start_sticky_pollers(1, None)
        try:
            super().run(handle_signals=handle_signals)
        finally:
            self.stop()
            self.join()

    def _start_sticky_pollers(self, pollers: int, initializer: Callable[[], None] | None) -> None:
        if self._sticky_timeout is None:
            return
        self._sticky_polled = True

        def poll_own_list() -> None:
            if initializer is not None:  # as the shared list's pollers run it (botoflow's executors)
                initializer()
            self._poll_loop(lambda: self.run_once(self._sticky_list))

        for index in range(pollers):
            self._spawn(poll_own_list, f"{self!r} sticky poller {index}")

    def _routing(self, from_sticky_list: bool, *, keep: bool = True) -> dict[str, Any]:
        """What an answer says about where the run's next decision task goes.

        While this worker polls its sticky list, there (falling back to the shared list after
        the timeout). Once it stops, a run whose task came from the sticky list is given back
        explicitly — an override without a timeout would otherwise stay (SWF-SEMANTICS §4.6).
        """
        if keep and self._sticky_polled and not self._stopping.is_set():
            return {
                "taskList": {"name": self._sticky_list},
                "taskListScheduleToStartTimeout": str(self._sticky_timeout),
            }
        if from_sticky_list:
            return {"taskList": {"name": self._task_list}}
        return {}

    def run_once(self, task_list: str | None = None) -> bool:
        """Poll ``task_list`` (the worker's by default) once and decide the task, if one came."""
        polled = task_list or self._task_list
        task = self._poll(polled)
        if task is None:
            return False
        # The rest of its history and the replay with the cyclic collector held off (see
        # _collector): the history is dropped before the collector resumes, ahead of the answer.
        with collector_paused() as pause:
            try:
                self._read_pages(task, polled)
                self._decide_and_answer(task, task_list == self._sticky_list, pause)
            finally:
                del task
        return True

    def _decide_and_answer(self, task: dict[str, Any], from_sticky_list: bool, pause: Pause) -> None:
        execution = WorkflowExecution(
            task["workflowExecution"]["workflowId"], task["workflowExecution"]["runId"]
        )
        self._counters.add("tasks_started")
        taken_at = time.monotonic()
        try:
            outcome, replay, charged, fed = self._decide(execution, task)
        except (SWFResponseError, BotoCoreError) as trouble:
            self._counters.add("tasks_failed")
            logger.error(
                "decision task for %s (%s) not decided (service trouble); SWF will retry it after its "
                "timeout: %s",
                execution.workflow_id,
                execution.run_id,
                trouble,
            )
            return
        except Exception as error:  # whatever the workflow's code or its replay raised: recorded
            self._counters.add("tasks_failed")
            # Given back, not kept: this worker holds no replay of it, and another may have
            # the fixed code the retry needs.
            self._answer_failure(execution, task, error, self._routing(from_sticky_list, keep=False), pause)
            return
        request: dict[str, Any] = {"taskToken": task["taskToken"], "decisions": outcome.decisions}
        if outcome.execution_context is not None:  # "" too: clearing workflow_state clears it in SWF
            request["executionContext"] = outcome.execution_context
        request.update(self._routing(from_sticky_list))
        closed = any(d["decisionType"] in _CLOSE_DECISIONS for d in outcome.decisions)
        if not closed:
            # Kept before the answer goes: the run's next task may come to this worker's other
            # poller the moment SWF has the answer, before this thread is back from sending it.
            # Sized only now: a replay that is not kept (its run closed) is never measured.
            self._kept.keep(execution, replay, charged + payload_bytes(fed))
        # The answer may be retried for minutes: sent with the collector on, the history freed.
        del fed
        task.pop("events", None)
        pause.end()
        answered = self._answer(
            "RespondDecisionTaskCompleted", request, f"decision for {execution.workflow_id}"
        )
        if not answered and not closed:
            self._kept.discard(execution, replay)  # SWF did not take it: the replay is ahead of it
        if answered:
            self._counters.add("tasks_completed")
            duration = time.monotonic() - taken_at
            logger.debug(
                "decision task of %s (%s) answered with %d decisions in %.3f s",
                execution.workflow_id,
                execution.run_id,
                len(outcome.decisions),
                duration,
                extra={
                    "workflow_id": execution.workflow_id,
                    "run_id": execution.run_id,
                    "duration": duration,
                },
            )
        if answered and closed:
            assert execution.workflow_id is not None and execution.run_id is not None
            _closures.post(execution.workflow_id, execution.run_id)

    def _answer_failure(
        self,
        execution: WorkflowExecution,
        task: dict[str, Any],
        error: Exception,
        routing: dict[str, Any],
        pause: Pause,
    ) -> None:
        """Answer a decision task that could not be decided (see awsflow.decision_failures)."""
        events: list[dict[str, Any]] = task["events"]
        try:
            if not events or events[0]["eventId"] != 1:
                events = self._whole_history(execution, task["startedEventId"])
        except (SWFResponseError, BotoCoreError) as trouble:
            logger.error(
                "decision task for %s (%s) failed, and its history could not be read to record "
                "why (%s); SWF will retry it after its timeout: %s",
                execution.workflow_id,
                execution.run_id,
                trouble,
                error,
                exc_info=error,
            )
            return
        attempt = next_attempt(events)
        logger.error(
            "decision task for %s (%s) failed (attempt %d); recorded in its history, retried in %d s: %s",
            execution.workflow_id,
            execution.run_id,
            attempt,
            retry_interval(attempt),
            error,
            exc_info=error,
        )
        request = {
            "taskToken": task["taskToken"],
            "decisions": failure_decisions(error, task["startedEventId"], attempt),
            **routing,
        }
        del events  # as a decision's answer: sent with the collector on, the history freed
        task.pop("events", None)
        pause.end()
        self._answer("RespondDecisionTaskCompleted", request, f"decision failure of {execution.workflow_id}")

    # -- sticky replays -------------------------------------------------------------------------
    # The replay of a run is kept after its decision task is answered. When the run's next
    # decision task comes to this worker and SWF says the previous one it saw is the one we
    # answered, only the new events are fed (polls ask for them alone with
    # startAtPreviousStartedEvent); otherwise — another worker decided in between, a task timed
    # out, the process restarted — the whole history is read and replayed cold. Both give the
    # same decisions (the decider's property tests check it).
    def _decide(
        self, execution: WorkflowExecution, task: dict[str, Any]
    ) -> tuple[DecisionOutcome, ExecutionReplay, int, list[dict[str, Any]]]:
        """The task's decisions, the replay that made them, its charged size before this task,
        and the events it was fed now (their payloads add to its size if it is kept)."""
        kept = self._kept.take(execution)
        events: list[dict[str, Any]] = task["events"]
        if (
            kept is not None
            and kept[0].last_started_event_id == task.get("previousStartedEventId")
            and events
            and events[0]["eventId"] <= kept[0].last_event_id + 1
        ):
            replay, size = kept
            try:
                outcome = replay.apply(events)
            except NondeterminismError:
                pass  # decide it again from the whole history, strictly if need be
            else:
                self._counters.add("decisions_sticky")
                return outcome, replay, size, events
        if task.get("previousStartedEventId"):
            self._counters.add("decisions_cold")  # decided before, here or elsewhere: replayed again
        if not events or events[0]["eventId"] != 1:
            events = self._whole_history(execution, task["startedEventId"])
        outcome, replay = replay_decision_keeping_state(
            self._get_workflow, execution, self._task_list, events
        )
        return outcome, replay, REPLAY_OVERHEAD, events

    def _whole_history(self, execution: WorkflowExecution, started_event_id: int) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "domain": self._domain,
            "execution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
            "maximumPageSize": 1000,
        }
        events: list[dict[str, Any]] = []
        # Pages are fetched as the loop reaches them: none past the task's DecisionTaskStarted.
        for page in page_lists(self._call, "GetWorkflowExecutionHistory", request, "events"):
            if not page or page[-1]["eventId"] < started_event_id:
                events.extend(page)
                continue
            for event in page:  # the page that reaches it: up to it
                if event["eventId"] > started_event_id:
                    break
                events.append(event)
            break
        return events

    def _poll_request(self, task_list: str) -> dict[str, Any]:
        return {
            "domain": self._domain,
            "taskList": {"name": task_list},
            "identity": self.identity,
            "startAtPreviousStartedEvent": True,
        }

    def _poll(self, task_list: str) -> dict[str, Any] | None:
        request = self._poll_request(task_list)
        task: dict[str, Any] = self._call("PollForDecisionTask", request)
        return task if task.get("taskToken") else None

    def _read_pages(self, task: dict[str, Any], task_list: str) -> None:
        """The rest of a polled task's history, page by page (the first came with the task)."""
        events: list[dict[str, Any]] = task.get("events", [])
        token = task.get("nextPageToken")
        if token:
            pages = {**self._poll_request(task_list), "nextPageToken": token}
            events = list(events)
            for page in page_lists(self._call, "PollForDecisionTask", pages, "events"):
                events.extend(page)
        task["events"] = events


class WorkflowWorker(GenericWorkflowWorker):
    """Serves the given WorkflowDefinition classes and registers their workflow types.

    Example::

        with WorkflowWorker(session, "us-east-1", "domain1", "tasklist1", HelloWorldWorkflow):
            HelloWorldWorkflow.hello_world()

    Routing (on by default): each answer asks SWF to send the run's next decision task to a
    task list only this worker polls (``<task_list>-sticky-<random>``, polled by a background
    threads of ``start``/``with``/``run``, as many as poll ``task_list``), where the replay it kept needs only the new events.
    A task not started there within ``sticky_schedule_to_start_timeout`` seconds (keyword only,
    default 5) goes back to ``task_list`` for any worker. A stopping worker stops asking for it,
    and its last answers give their runs back to ``task_list``. ``None`` turns routing off (each
    task then goes to whichever worker polls first, and is replayed from the whole history
    unless that worker decided the run's previous task).

    The trade-off: a run's decisions wait for the one worker holding it, so a worker that dies
    or hangs without answering delays its runs' next decisions by the timeout (then any worker
    takes them, replaying cold); the gain is that each decision replays only the new events, not
    the whole history — at 6,000 events, a few hundred microseconds against tens of
    milliseconds. Kept replays are bounded by ``sticky_cache_runs`` (default 1,000) and by an
    estimate of their memory, ``sticky_cache_bytes`` (default 256 MiB; see
    ``awsflow.workers._replay_cache``), least recently decided evicted first.
    ``sticky_task_list`` names the worker's own list (default: unique per worker; no other
    worker may poll it).
    ``worker.stats.decisions_sticky``/``decisions_cold`` count how tasks were decided.
    """

    def __init__(
        self,
        session: Any,
        aws_region: str,
        domain: str,
        task_list: str,
        *workflow_definitions: type,
        client: Any = None,
        sticky_schedule_to_start_timeout: int | None = STICKY_TIMEOUT,
        sticky_cache_runs: int = STICKY_RUNS,
        sticky_cache_bytes: int = STICKY_BYTES,
        sticky_task_list: str | None = None,
    ) -> None:
        self._workflow_definitions = workflow_definitions
        self._workflows: WorkflowTable = extract_workflows_dict(workflow_definitions)
        super().__init__(
            session,
            aws_region,
            domain,
            task_list,
            None,  # found by _get_workflow_finder, as in botoflow
            client=client,
            sticky_schedule_to_start_timeout=sticky_schedule_to_start_timeout,
            sticky_cache_runs=sticky_cache_runs,
            sticky_cache_bytes=sticky_cache_bytes,
            sticky_task_list=sticky_task_list,
        )
        for _, workflow_type, _ in self._workflows.values():
            self._register_workflow_type(workflow_type)

    def _get_workflow_finder(self) -> Callable[[str, str], Any]:
        """``get_workflow(name, version)`` over this worker's WorkflowDefinition classes."""
        table = self._workflows
        return lambda name, version: table[(name, version)]
