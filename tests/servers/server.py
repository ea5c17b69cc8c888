"""
Hypercorn in a background thread: HTTP/1.1 and HTTP/2 (TLS with ALPN, or cleartext with h2c
upgrade / prior knowledge), started and stopped cleanly from synchronous test code.

We hand hypercorn pre-bound *counting* sockets (see `_counting`) so tests can assert how many
TCP connections a client opened, and so the port is known and listening before the thread runs.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import sys
import threading
from typing import Any

from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config, Sockets
from hypercorn.utils import wrap_app

from ._counting import AcceptCounter, counting_socket_factory
from ._lifecycle import Startable
from ._loop import BackgroundLoop
from ._net import bind_loopback, make_url_host
from .app import TestApp
from .certs import TLSMaterial

__all__ = ["HypercornServer"]

START_TIMEOUT = 10.0
# Open connections get this long to finish at shutdown before hypercorn cancels them.
GRACEFUL_TIMEOUT = 1.0

logger = logging.getLogger("tests.servers.hypercorn")


# hypercorn's HTTP/2 priority tree (the `priority` package) recurses once per earlier stream
# when a client sends exclusive priorities, as Chrome profiles do; past ~1,000 streams on one
# connection it hits Python's default recursion limit and the connection dies.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))


class HypercornServer(Startable):
    """
    One hypercorn server on a dual-stack loopback port.

    **Parameters:**

    * **tls** - *(optional)* TLS material; without it the server speaks cleartext HTTP
      (HTTP/1.1, plus h2c via upgrade or prior knowledge).
    * **alpn** - ALPN protocols offered over TLS, in preference order.
    * **require_client_cert** - demand a client certificate signed by the test CA (mTLS).
    * **h2_max_concurrent_streams** / **backlog** / **keep_alive_timeout** - load tuning.
    * **http3** - also serve HTTP/3 (QUIC, via aioquic) on the same UDP port; needs `tls`.
    """

    def __init__(
        self,
        app: Any | None = None,
        *,
        tls: TLSMaterial | None = None,
        alpn: tuple[str, ...] = ("h2", "http/1.1"),
        require_client_cert: bool = False,
        ipv6: bool = True,
        h2_max_concurrent_streams: int = 100,
        backlog: int = 1024,
        keep_alive_timeout: float = 30.0,
        name: str = "hypercorn",
        http3: bool = False,
    ) -> None:
        self.app: Any = app if app is not None else TestApp()
        self.tls = tls
        self.name = name
        self.host = "localhost"
        self._ipv6 = ipv6
        self._http3 = http3
        self._counter = AcceptCounter()
        self._loop = BackgroundLoop(f"{name}-loop")
        self._started = threading.Event()
        self._stop_event: asyncio.Event | None = None
        self._serving: Any = None
        self.config = self._make_config(
            alpn, require_client_cert, h2_max_concurrent_streams, backlog, keep_alive_timeout
        )
        self.port = 0
        self.bound_addresses: list[str] = []

    def _make_config(
        self,
        alpn: tuple[str, ...],
        require_client_cert: bool,
        h2_max_concurrent_streams: int,
        backlog: int,
        keep_alive_timeout: float,
    ) -> Config:
        config = Config()
        if self.tls is not None:
            config.certfile = config.keyfile = str(self.tls.server_pem)
            config.alpn_protocols = list(alpn)
            if require_client_cert:
                config.ca_certs = str(self.tls.ca_pem)
                config.verify_mode = ssl.CERT_REQUIRED
        # Let the echo route show HTTP/1.1 header names in their wire case.
        config.h11_pass_raw_headers = True
        config.h2_max_concurrent_streams = h2_max_concurrent_streams
        config.backlog = backlog
        config.keep_alive_timeout = keep_alive_timeout
        # Default 1000 would silently close busy keep-alive connections mid-test.
        config.keep_alive_max_requests = 1_000_000
        config.graceful_timeout = GRACEFUL_TIMEOUT
        config.ssl_handshake_timeout = 10.0
        # A Logger instance is used as-is; hypercorn would otherwise attach a handler to the
        # sys.stderr pytest has swapped in for capture.
        config.errorlog = logger
        config.accesslog = None
        return config

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> HypercornServer:
        sockets = bind_loopback(
            ipv6=self._ipv6, socket_factory=counting_socket_factory(self._counter)
        )
        for sock in sockets:
            # Listening before the loop serves means an early client waits in the backlog
            # instead of being refused.
            sock.listen(self.config.backlog)
            sock.setblocking(False)
        self.port = sockets[0].getsockname()[1]
        self.bound_addresses = [sock.getsockname()[0] for sock in sockets]
        tls = self.tls is not None
        quic = [_udp_twin(sock) for sock in sockets] if self._http3 and tls else []
        hypercorn_sockets = Sockets(sockets if tls else [], [] if tls else sockets, quic)
        self._loop.start()
        self._serving = self._loop.submit(self._serve(hypercorn_sockets))
        if not self._started.wait(START_TIMEOUT) or self._serving.done():
            self._loop.stop()
            error = self._serving.exception() if self._serving.done() else None
            raise RuntimeError(f"{self.name} did not start") from error
        return self

    async def _serve(self, sockets: Sockets) -> None:
        self._stop_event = asyncio.Event()
        stop_event = self._stop_event

        async def shutdown_trigger() -> None:
            # hypercorn awaits this only once every listener is serving: our "started" signal.
            self._started.set()
            await stop_event.wait()

        app = wrap_app(self.app, self.config.wsgi_max_body_size, "asgi")
        await worker_serve(app, self.config, sockets=sockets, shutdown_trigger=shutdown_trigger)
        # hypercorn never closes its QUIC endpoints; close them here, on their own loop.
        transports = getattr(asyncio.get_running_loop(), "_transports", {})
        for sock in sockets.quic_sockets:
            transport = transports.get(sock.fileno())
            if transport is not None:
                transport.close()
        await asyncio.sleep(0)

    def stop(self) -> None:
        if self._serving is None:
            return
        if self._stop_event is not None:
            self._loop.call_soon(self._stop_event.set)
        try:
            self._serving.result(GRACEFUL_TIMEOUT + START_TIMEOUT)
        finally:
            self._serving = None
            self._loop.stop()

    # -- what tests use ----------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, e.g. `https://localhost:PORT/`."""
        return f"{self.scheme}://{make_url_host(self.host)}:{self.port}/"

    def url_for(self, path: str, host: str | None = None) -> str:
        """URL of `path` on this server, optionally via another host (`127.0.0.1`, `::1`)."""
        return f"{self.scheme}://{make_url_host(host or self.host)}:{self.port}/{path.lstrip('/')}"

    def connection_count(self) -> int:
        """TCP connections accepted since start or the last `reset_counts()`."""
        return self._counter.count()

    def accepted_peers(self) -> list[tuple[str, int]]:
        """(client host, client port) of every accepted connection, in accept order."""
        return self._counter.peers()

    def reset_counts(self) -> None:
        self._counter.reset()

    def __repr__(self) -> str:
        return f"<HypercornServer {self.name} {self.url}>"


def _udp_twin(sock: socket.socket) -> socket.socket:
    """A UDP socket on the address and port of a TCP one: where HTTP/3 clients look for QUIC."""
    udp = socket.socket(sock.family, socket.SOCK_DGRAM)
    if sock.family == socket.AF_INET6:
        udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    udp.bind(sock.getsockname()[:2])
    udp.setblocking(False)
    return udp
