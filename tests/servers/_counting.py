"""
Accept counting: the listening socket itself records every TCP connection it accepts, which is
exact for HTTP/1.1 keep-alive, HTTP/2 multiplexing and failed TLS handshakes alike (counting
distinct client ports seen by the app would miss connections that never sent a request).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

__all__ = ["AcceptCounter", "CountingSocket", "counting_socket_factory"]


class AcceptCounter:
    """Thread-safe record of accepted peers (the server thread writes, the test thread reads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._peers: list[tuple[str, int]] = []

    def record(self, address: tuple[str, int]) -> None:
        with self._lock:
            self._peers.append((address[0], address[1]))

    def count(self) -> int:
        with self._lock:
            return len(self._peers)

    def peers(self) -> list[tuple[str, int]]:
        with self._lock:
            return list(self._peers)

    def reset(self) -> None:
        with self._lock:
            self._peers.clear()


class CountingSocket(socket.socket):
    """
    A listening socket whose `accept()` reports to an `AcceptCounter`.

    asyncio's selector loop calls `sock.accept()` on the very object handed to
    `start_server(sock=...)`, so overriding it here sees every accepted connection.
    """

    counter: AcceptCounter

    def accept(self) -> tuple[socket.socket, tuple[str, int]]:
        conn, address = super().accept()
        self.counter.record(address)
        return conn, address


def counting_socket_factory(
    counter: AcceptCounter,
) -> Callable[[socket.AddressFamily], socket.socket]:
    """A `socket_factory` for `_net.bind_loopback` producing sockets that report to `counter`."""

    def factory(family: socket.AddressFamily) -> socket.socket:
        sock = CountingSocket(family, socket.SOCK_STREAM)
        sock.counter = counter
        return sock

    return factory
