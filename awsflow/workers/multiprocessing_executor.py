"""Run a worker in several processes (CPU-bound activities, many deciders on CPython).

Each process builds its own worker from a *recipe* — the worker's class, region, domain, task
list, definitions, the endpoint its client talks to and how it gets its credentials — with a
fresh botocore session: sessions, clients and sockets do not cross process boundaries.
Credentials a provider refreshes (an instance profile, a container or assumed role, SSO) are not
copied: a copy would expire in the child after some hours, and a replacement child would get the
same stale copy. The child resolves them through botocore's chain itself (same profile, same
environment), so they refresh there as in the parent. Fixed keys are copied. The
definitions (workflow classes, activity instances) must therefore be picklable, i.e. importable
from a module. Processes are started with ``spawn`` (forking a process that runs threads is
unsafe).
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from typing import Any

from botocore.credentials import RefreshableCredentials

__all__ = ["MultiprocessingActivityExecutor", "MultiprocessingExecutor", "MultiprocessingWorkflowExecutor"]

logger = logging.getLogger(__name__)


def _credentials(worker: Any) -> tuple[str, str, str | None] | dict[str, str | None] | None:
    """How a child gets the parent's credentials: a copy of fixed keys, or the chain to resolve.

    A copy goes over the spawn pipe, which is local; refreshable credentials are resolved again
    in the child (``{"profile": ...}``: botocore's chain with the parent session's profile).
    """
    credentials = getattr(getattr(worker.client, "_request_signer", None), "_credentials", None)
    if credentials is None:
        return None
    if isinstance(credentials, RefreshableCredentials):
        session = worker.session
        profile = getattr(session, "profile", None) or getattr(session, "profile_name", None)
        return {"profile": profile}
    frozen = credentials.get_frozen_credentials()
    return (frozen.access_key, frozen.secret_key, frozen.token)


def _recipe(worker: Any) -> dict[str, Any]:
    found: Any = getattr(worker, "_workflow_definitions", None) or getattr(
        worker, "_activity_definitions", ()
    )
    definitions = tuple(found)
    return {
        "cls": type(worker),
        "region": worker.client.meta.region_name,
        "domain": worker.domain,
        "task_list": worker.task_list,
        "definitions": definitions,
        "endpoint_url": worker.client.meta.endpoint_url,
        "credentials": _credentials(worker),
        "identity": worker.identity,
    }


def _client_from_recipe(recipe: dict[str, Any]) -> Any:
    """A new SWF client in this process, signing and talking as the parent's did."""
    import botocore.session
    from botocore.config import Config

    from .base_worker import POLL_READ_TIMEOUT

    credentials = recipe["credentials"] or (None, None, None)
    session = botocore.session.get_session()
    if isinstance(credentials, dict):  # resolved here, through the chain, so that they refresh
        session = botocore.session.Session(profile=credentials["profile"])
        credentials = (None, None, None)
    return session.create_client(
        "swf",
        region_name=recipe["region"],
        endpoint_url=recipe["endpoint_url"],
        aws_access_key_id=credentials[0],
        aws_secret_access_key=credentials[1],
        aws_session_token=credentials[2],
        config=Config(read_timeout=POLL_READ_TIMEOUT, retries={"mode": "standard", "max_attempts": 5}),
    )


def _worker_from_recipe(recipe: dict[str, Any]) -> Any:
    """The worker a recipe describes, built in this process with a client of its own."""
    worker = recipe["cls"](
        None,
        recipe["region"],
        recipe["domain"],
        recipe["task_list"],
        *recipe["definitions"],
        client=_client_from_recipe(recipe),
    )
    worker.identity = f"{recipe['identity']}:{multiprocessing.current_process().name}"
    return worker


def _run_worker_process(
    recipe: dict[str, Any], stop: Any, ready: Any, initializer: Any, mode: str, workers: int
) -> None:
    worker = _worker_from_recipe(recipe)
    if initializer is not None:
        initializer(worker)
    # Poll in background threads and wait here for the parent's stop: a stop that arrives while
    # the worker is still starting cannot be lost that way. The parent's start() returns once
    # this process is about to poll, and a stop lets that poll finish and handles its task, as
    # botoflow's executors did.
    try:
        if mode == "activity" and workers > 1:
            worker.start(pollers=1, max_concurrent=workers)
        else:
            worker.start(pollers=1)
    finally:
        ready.release()
    stop.wait()
    worker.stop(finish_committed_polls=True)
    worker.join()


class MultiprocessingExecutor:
    """Base of the multiprocessing executors: ``start()``, ``stop()``, ``join()``."""

    _mode = "workflow"

    def __init__(self, worker: Any) -> None:
        self._worker = worker
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()
        self._ready = self._context.Semaphore(0)
        self._processes: list[Any] = []
        self._initializer: Callable[[Any], None] | None = None

    @property
    def initializer(self) -> Callable[[Any], None] | None:
        """Called with the worker in each new process before it polls (must be picklable)."""
        return self._initializer

    @initializer.setter
    def initializer(self, func: Callable[[Any], None]) -> None:
        self._initializer = func

    def _spawn(self, processes: int, workers: int) -> None:
        recipe = _recipe(self._worker)
        self._stop.clear()
        self._ready = self._context.Semaphore(0)
        started = []
        for index in range(processes):
            process = self._context.Process(
                target=_run_worker_process,
                args=(recipe, self._stop, self._ready, self._initializer, self._mode, workers),
                name=f"{type(self._worker).__name__}-{index}",
                daemon=True,
            )
            process.start()
            started.append(process)
            self._processes.append(process)
        for process in started:
            # Each process says when it is about to poll; one that died first says nothing.
            while not self._ready.acquire(timeout=0.5):
                if not process.is_alive():
                    logger.error("%s exited with code %s before polling", process.name, process.exitcode)
                    break

    def stop(self) -> bool:
        """Ask every process to stop, as botoflow's did: polls in flight are answered and their
        tasks handled, running tasks finish."""
        if not self.is_running:
            return False
        self._stop.set()
        return True

    def join(self, timeout: float | None = None) -> None:
        for process in self._processes:
            process.join(timeout)
        self._processes = [process for process in self._processes if process.is_alive()]

    @property
    def is_running(self) -> bool:
        return any(process.is_alive() for process in self._processes)


class MultiprocessingWorkflowExecutor(MultiprocessingExecutor):
    """Runs a workflow worker's decision loop in ``pollers`` processes."""

    def start(self, pollers: int = 1) -> None:
        if pollers < 1:
            raise ValueError(f"pollers must be 1 or more, not {pollers}")
        self._spawn(pollers, 1)


class MultiprocessingActivityExecutor(MultiprocessingExecutor):
    """Runs activities in ``pollers`` processes, each running up to ``workers`` at once."""

    _mode = "activity"

    def start(self, pollers: int = 1, workers: int = 1) -> None:
        if pollers < 1 or workers < 1:
            raise ValueError(f"pollers and workers must be 1 or more, not {pollers} and {workers}")
        self._spawn(pollers, workers)
