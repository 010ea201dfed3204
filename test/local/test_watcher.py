"""The disconnect watcher alone: a watched socket whose peer closes it calls its callback."""

from __future__ import annotations

import selectors
import socket
import threading
from collections.abc import Iterator

import pytest

from awsflow.local._watcher import DisconnectWatcher

SELECTORS = {
    "default": selectors.DefaultSelector,  # epoll on Linux: changes reach a wait under way
    "select": selectors.SelectSelector,  # changes need the watcher thread woken
}


@pytest.fixture(params=sorted(SELECTORS))
def watcher(request: pytest.FixtureRequest) -> Iterator[DisconnectWatcher]:
    made = DisconnectWatcher(SELECTORS[request.param]())
    yield made
    made.close()


def _pair() -> tuple[socket.socket, socket.socket]:
    return socket.socketpair()


def test_a_peer_closing_a_watched_socket_calls_its_callback(watcher: DisconnectWatcher) -> None:
    ours, theirs = _pair()
    gone = threading.Event()
    watcher.watch(ours, gone.set)
    theirs.close()
    assert gone.wait(5)
    ours.close()


def test_an_unwatched_socket_calls_nothing_and_a_new_watch_gets_the_close(
    watcher: DisconnectWatcher,
) -> None:
    """A kept-alive connection's next poll watches the same socket with a new callback."""
    ours, theirs = _pair()
    first, second = threading.Event(), threading.Event()
    watcher.watch(ours, first.set)
    watcher.unwatch(ours)
    watcher.watch(ours, second.set)
    theirs.close()
    assert second.wait(5)
    assert not first.is_set()
    ours.close()


def test_a_socket_watched_after_the_wait_began_is_seen(watcher: DisconnectWatcher) -> None:
    """The watcher thread is already waiting (on other sockets) when a new one is watched."""
    idle, idle_peer = _pair()
    watcher.watch(idle, lambda: None)
    ours, theirs = _pair()
    gone = threading.Event()
    watcher.watch(ours, gone.set)
    theirs.close()
    assert gone.wait(5)
    for sock in (idle, idle_peer, ours):
        sock.close()
