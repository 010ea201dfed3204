"""Noticing that a long-polling client has gone away, so that no task is handed to it.

A worker that stops closes its connection in the middle of a long poll. Without this, the
service would keep the poll waiting and could give the next task to a client that is no longer
there; the task would then sit "started" until its timeout. One thread watches the sockets of
the polls being held (``selectors``, no polling loop): when one becomes readable while its
request is still waiting, the client has closed it (it sends nothing else on a connection whose
answer it awaits), and the poll is abandoned.
"""

from __future__ import annotations

import contextlib
import logging
import select
import selectors
import socket
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class PollWatch:
    """One held poll's link to the watcher: started only once the poll has to wait.

    ``abandoned`` is set by ``on_abandon`` (the service, under its lock) and read under the
    same lock, so a plain flag does.
    """

    def __init__(
        self, watcher: DisconnectWatcher, sock: socket.socket, on_abandon: Callable[[PollWatch], None]
    ) -> None:
        self.abandoned = False
        self.key: tuple[str, str, str] | None = None  # (kind, domain, task list), once it waits
        self._watcher = watcher
        self._sock = sock
        self._on_abandon = on_abandon
        self._watching = False

    def start(self, key: tuple[str, str, str]) -> None:
        """Watch from now on; ``key`` says what the poll waits for, for ``on_abandon``."""
        if not self._watching:
            self._watching = True
            self.key = key
            self._watcher.watch(self._sock, lambda: self._on_abandon(self))

    def peer_gone(self) -> bool:
        """Whether the client has closed the connection, checked now (a non-blocking peek).

        The watcher thread notices a close soon after it happens; a poll about to take a task
        asks directly, so a task is not handed to a client that closed a moment ago.
        """
        return DisconnectWatcher.peer_closed(self._sock)

    def stop(self) -> None:
        if self._watching:
            self._watching = False
            self._watcher.unwatch(self._sock)


class DisconnectWatcher:
    """Calls a callback when a watched socket's peer closes it.

    ``selector``: what waits on the sockets (default: the platform's best, epoll on Linux).
    """

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        self._selector = selector if selector is not None else selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._closing = False
        # epoll applies a change to its set at once, even to a wait already under way in the
        # watcher thread: no wake-up is needed then. Other selectors (select, poll, kqueue) copy
        # the set into each wait, so the thread is woken to start one with the change.
        self._live = isinstance(self._selector, getattr(selectors, "EpollSelector", ()))
        self._thread = threading.Thread(
            target=self._run, name="awsflow.local disconnect watcher", daemon=True
        )
        self._thread.start()

    def watch(self, sock: socket.socket, on_disconnect: Callable[[], None]) -> None:
        """Call ``on_disconnect`` if the peer closes ``sock`` before :meth:`unwatch`."""
        with self._lock:
            self._selector.register(sock, selectors.EVENT_READ, on_disconnect)
        if not self._live:
            self._wake()

    def unwatch(self, sock: socket.socket) -> None:
        with self._lock, contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(sock)
        if not self._live:
            self._wake()

    def close(self) -> None:
        self._closing = True
        self._wake()
        self._thread.join()
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def _run(self) -> None:
        while not self._closing:
            for key, _ in self._selector.select():
                if key.data is None:
                    with contextlib.suppress(OSError):
                        self._wake_r.recv(4096)
                    continue
                sock: socket.socket = key.fileobj  # type: ignore[assignment]
                if self.peer_closed(sock):
                    # The registration taken off, not the one the wait reported: between the
                    # two, that poll may have ended and the connection's next poll begun.
                    with self._lock:
                        try:
                            current = self._selector.unregister(sock)
                        except (KeyError, ValueError):
                            continue  # its poll ended meanwhile
                    current.data()

    @staticmethod
    def peer_closed(sock: socket.socket) -> bool:
        """Whether the peer has closed ``sock`` (or it failed), without ever blocking.

        Readiness is asked first: on a socket in timeout mode, Python waits up to its timeout
        for data before even a ``MSG_DONTWAIT`` receive.
        """
        try:
            if not _ready_to_read(sock):
                return False
            return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except (BlockingIOError, TimeoutError):
            return False
        except (OSError, ValueError):
            return True  # reset, or already closed (fileno -1)


def _ready_to_read(sock: socket.socket) -> bool:
    # poll() where there is one: select() cannot take descriptors past FD_SETSIZE (1024), and a
    # service holding a thousand polls has that many sockets.
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)
