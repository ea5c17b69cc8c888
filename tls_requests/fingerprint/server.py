"""
The local fingerprint echo server.

It listens on loopback only (127.0.0.1 and, where available, ::1 on the same port),
speaks HTTPS with a certificate it generates for `localhost`, negotiates HTTP/2 or
HTTP/1.1, and answers every request with a JSON document describing what the client
sent: TLS fingerprints from the raw ClientHello, the Akamai HTTP/2 fingerprint and the
request's header order. See `docs/fingerprint.md` for the document's schema.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import selectors
import shutil
import socket
import ssl
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TypedDict

from ._certs import generate_certificates
from ._handlers import Request, serve_http1, serve_http2, sniff_prior_knowledge
from ._report import FingerprintDocument, TLSReport, http2_report, tls_report
from ._tlsio import TLSStream
from .akamai import Http2Recorder
from .clienthello import ClientHello, read_client_hello

__all__ = ["ConnectionInfo", "FingerprintServer"]

_LOOPBACK_V4 = "127.0.0.1"
_LOOPBACK_V6 = "::1"
_READ_SIZE = 65536
# Ephemeral-port attempts to find a port free on both 127.0.0.1 and ::1.
_BIND_ATTEMPTS = 20


class ConnectionInfo(TypedDict):
    """What the server saw on one TCP connection, including failed handshakes."""

    id: int
    client_address: list[str | int]
    tls: TLSReport | None
    http_version: str | None
    requests: int
    error: str | None


def _bind_loopback(port: int, ipv6: bool) -> list[socket.socket]:
    attempts = _BIND_ATTEMPTS if port == 0 else 1
    for _ in range(attempts):
        v4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if os.name == "posix":
                # Lets a fixed port be reused right after a restart; on Windows this
                # option would instead allow two servers on one port, so it stays off.
                v4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            v4.bind((_LOOPBACK_V4, port))
            v4.listen(128)
        except OSError:
            v4.close()
            raise
        if not (ipv6 and socket.has_ipv6):
            return [v4]
        actual = v4.getsockname()[1]
        v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        try:
            v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if os.name == "posix":
                v6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            v6.bind((_LOOPBACK_V6, actual))
            v6.listen(128)
        except OSError as exc:
            v6.close()
            if exc.errno == errno.EADDRINUSE and port == 0:
                v4.close()
                continue
            # No IPv6 loopback on this host: clients resolving localhost get 127.0.0.1.
            return [v4]
        return [v4, v6]
    raise OSError(errno.EADDRINUSE, "no port free on both 127.0.0.1 and ::1")


class FingerprintServer:
    """
    A loopback HTTPS server that echoes the client's TLS and HTTP/2 fingerprints.

    **Parameters:**

    * **port** - *(optional)* TCP port; `0` (the default) picks a free one.
    * **hostname** - *(optional)* name in the URL and the certificate, `localhost` by
      default. Clients must connect by name (not IP) for the ClientHello to carry SNI.
    * **ipv6** - *(optional)* also listen on `::1` (default True), since a client
      resolving `localhost` may try IPv6 first.
    * **timeout** - *(optional)* per-connection socket timeout in seconds (default 10).

    ```python
    with FingerprintServer() as server:
        ... request server.url, verifying with server.ca_path ...
        doc = server.wait_for_capture()
        print(doc["tls"]["ja4"], doc["http2"]["akamai"])
    ```

    Every answered request is appended to `captures` (the exact document sent) before
    the response leaves, so it is there once the client has its response. Each TCP
    connection, even one whose handshake failed, is appended to `connections` when it
    ends. Connections are handled on their own threads; the object may be shared
    between threads.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        hostname: str = "localhost",
        ipv6: bool = True,
        timeout: float = 10.0,
    ) -> None:
        self.hostname = hostname
        self.timeout = timeout
        self._requested_port = port
        self._ipv6 = ipv6
        self._cond = threading.Condition()
        self._captures: list[FingerprintDocument] = []
        self._connections: list[ConnectionInfo] = []
        self._active: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        self._listeners: list[socket.socket] = []
        self._next_id = 0
        self._accept_thread: threading.Thread | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._tempdir: Path | None = None
        self._context: ssl.SSLContext | None = None
        self.ca_pem = b""
        self.port = 0

    # Lifecycle -----------------------------------------------------------------

    def start(self) -> FingerprintServer:
        """Generate the certificate, bind and start accepting. Returns self."""
        if self._accept_thread is not None:
            return self
        bundle = generate_certificates((self.hostname,))
        tempdir = Path(tempfile.mkdtemp(prefix="tls_requests_fingerprint_"))
        try:
            (tempdir / "ca.pem").write_bytes(bundle.ca_pem)
            (tempdir / "cert.pem").write_bytes(bundle.cert_pem)
            (tempdir / "key.pem").write_bytes(bundle.key_pem)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tempdir / "cert.pem", tempdir / "key.pem")
            context.set_alpn_protocols(["h2", "http/1.1"])
            # No tickets: a resuming client adds pre_shared_key (41), changing its JA4.
            context.num_tickets = 0
            context.options |= ssl.OP_NO_TICKET
            self._listeners = _bind_loopback(self._requested_port, self._ipv6)
        except BaseException:
            shutil.rmtree(tempdir, ignore_errors=True)
            raise
        self._tempdir = tempdir
        self.ca_pem = bundle.ca_pem
        self._context = context
        for listener in self._listeners:
            listener.setblocking(False)
        self.port = self._listeners[0].getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"fingerprint-server-{self.port}", daemon=True
        )
        self._accept_thread.start()
        return self

    def close(self) -> None:
        """Stop accepting, end open connections and delete the certificate files."""
        thread, self._accept_thread = self._accept_thread, None
        if thread is None:
            return
        assert self._wake_w is not None and self._wake_r is not None
        self._wake_w.send(b"\0")
        thread.join(timeout=5)
        for listener in self._listeners:
            listener.close()
        self._wake_r.close()
        self._wake_w.close()
        with self._cond:
            active = list(self._active)
            workers = list(self._workers)
        for sock in active:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(timeout=5)
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)

    def __enter__(self) -> FingerprintServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Public views --------------------------------------------------------------

    @property
    def url(self) -> str:
        """`https://localhost:PORT/`."""
        return f"https://{self.hostname}:{self.port}/"

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """The (host, port) pairs listened on."""
        return [(sock.getsockname()[0], sock.getsockname()[1]) for sock in self._listeners]

    @property
    def ca_path(self) -> str:
        """Path of the CA certificate (PEM) that signed the server certificate."""
        if self._tempdir is None:
            raise RuntimeError("the server is not started")
        return str(self._tempdir / "ca.pem")

    @property
    def captures(self) -> list[FingerprintDocument]:
        """Documents sent so far, one per answered request, oldest first."""
        with self._cond:
            return list(self._captures)

    @property
    def connections(self) -> list[ConnectionInfo]:
        """Finished connections, in the order they ended."""
        with self._cond:
            return list(self._connections)

    def wait_for_capture(self, count: int = 1, timeout: float = 5.0) -> FingerprintDocument:
        """Wait until `count` requests were answered; return the `count`-th document."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._captures) >= count, timeout):
                raise TimeoutError(f"no request #{count} within {timeout} s")
            return self._captures[count - 1]

    def wait_for_connection(self, count: int = 1, timeout: float = 5.0) -> ConnectionInfo:
        """Wait until `count` connections ended; return the `count`-th one."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._connections) >= count, timeout):
                raise TimeoutError(f"no connection #{count} within {timeout} s")
            return self._connections[count - 1]

    def clear(self) -> None:
        """Forget the captures and connections recorded so far."""
        with self._cond:
            self._captures.clear()
            self._connections.clear()

    # Internals -----------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._wake_r is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._wake_r, selectors.EVENT_READ)
            for listener in self._listeners:
                selector.register(listener, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    ready = key.fileobj
                    assert isinstance(ready, socket.socket)
                    try:
                        sock, address = ready.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        return
                    self._spawn(sock, address)

    def _spawn(self, sock: socket.socket, address: tuple[str | int, ...]) -> None:
        with self._cond:
            self._next_id += 1
            conn_id = self._next_id
            self._active.add(sock)
            worker = threading.Thread(
                target=self._handle,
                args=(sock, address, conn_id),
                name=f"fingerprint-conn-{conn_id}",
                daemon=True,
            )
            self._workers.add(worker)
        worker.start()

    def _read_hello(self, sock: socket.socket) -> tuple[ClientHello, bytes]:
        data = b""
        deadline = time.monotonic() + self.timeout
        while True:
            found = read_client_hello(data)
            if found is not None:
                return found[0], data
            if time.monotonic() > deadline:
                raise TimeoutError("ClientHello not received in time")
            chunk = sock.recv(_READ_SIZE)
            if not chunk:
                raise ConnectionError("peer closed the connection before its ClientHello")
            data += chunk

    def _handle(self, sock: socket.socket, address: tuple[str | int, ...], conn_id: int) -> None:
        info: ConnectionInfo = {
            "id": conn_id,
            "client_address": [address[0], address[1]],
            "tls": None,
            "http_version": None,
            "requests": 0,
            "error": None,
        }
        try:
            sock.settimeout(self.timeout)
            hello, initial = self._read_hello(sock)
            # Computed before the handshake so a client that rejects our certificate
            # still leaves its fingerprint in `connections`.
            tls = tls_report(hello)
            info["tls"] = tls
            assert self._context is not None
            stream = TLSStream(sock, self._context, initial)
            stream.handshake()
            tls["negotiated"] = {
                "version": stream.version,
                "cipher": stream.cipher,
                "alpn": stream.alpn_protocol,
            }
            alpn = stream.alpn_protocol
            if alpn == "h2" or (alpn is None and sniff_prior_knowledge(stream)):
                info["http_version"] = "h2"
                recorder = Http2Recorder()
                serve_http2(stream, recorder, lambda r: self._respond(r, info, tls, recorder))
            else:
                info["http_version"] = "http/1.1"
                serve_http1(stream, lambda r: self._respond(r, info, tls, None))
            stream.close()
        except (socket.timeout, TimeoutError) as exc:
            # An idle keep-alive connection timing out after its requests is normal.
            if info["requests"] == 0:
                info["error"] = f"{type(exc).__name__}: {exc}"
        # Any failure is one client's problem: record it rather than let the thread die
        # with a traceback (pytest turns unhandled thread exceptions into warnings).
        except Exception as exc:
            info["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            sock.close()
            with self._cond:
                self._active.discard(sock)
                self._workers.discard(threading.current_thread())
                self._connections.append(info)
                self._cond.notify_all()

    def _respond(
        self,
        request: Request,
        info: ConnectionInfo,
        tls: TLSReport,
        recorder: Http2Recorder | None,
    ) -> bytes:
        info["requests"] += 1
        document: FingerprintDocument = {
            "http_version": request.http_version,
            "method": request.method,
            "path": request.path,
            "headers": [[name, value] for name, value in request.headers],
            "pseudo_headers": [[name, value] for name, value in request.pseudo_headers],
            "tls": tls,
            "http2": http2_report(recorder) if recorder is not None else None,
            "connection": {"id": info["id"], "request": info["requests"]},
        }
        body = json.dumps(document, indent=2).encode("utf-8")
        with self._cond:
            self._captures.append(document)
            self._cond.notify_all()
        return body
