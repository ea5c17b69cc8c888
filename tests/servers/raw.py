"""
Socket-level servers for error-path tests and for seeing exactly what a client sent.

* `RawServer.blackhole()` - accepts TCP and never says a word (connect/TLS-handshake/read timeouts).
* `RawServer.closing()`   - accepts and closes at once.
* `RawServer.garbage()`   - reads the request head, answers with bytes that are not HTTP.
* `RawServer.truncated()` - promises `Content-Length: 100`, sends 10 bytes and closes.
* `RawServer.slow_relay()` - relays each connection to another local server after a delay,
  like a distant host: its TLS handshake takes at least that long.
* `RawEchoServer`         - TLS (or cleartext) server recording each request's exact bytes:
  HTTP/1.1 request heads byte for byte (header case, order, spacing), and for HTTP/2 the
  header block in order including pseudo-headers, plus the client's SETTINGS, connection
  WINDOW_UPDATE and PRIORITY data.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import ssl
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events
import h2.exceptions

from ._counting import AcceptCounter, counting_socket_factory
from ._lifecycle import Startable
from ._loop import BackgroundLoop
from ._net import bind_loopback, make_url_host

__all__ = ["RawEchoServer", "RawServer", "RecordedRequest"]

READ_TIMEOUT = 10.0
HEAD_LIMIT = 64 * 1024

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class RawServer(Startable):
    """A loopback TCP server running `handler(reader, writer)` per connection, in its own thread."""

    def __init__(
        self, handler: Handler, *, name: str, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.name = name
        self.host = "localhost"
        self.port = 0
        self._handler = handler
        self._ssl = ssl_context
        self._counter = AcceptCounter()
        self._loop = BackgroundLoop(f"{name}-loop")
        self._servers: list[asyncio.Server] = []
        self.accepted_at: list[float] = []

    # Ready-made behaviours ---------------------------------------------------------------

    @classmethod
    def blackhole(cls) -> RawServer:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # never answer; return when the client gives up

        return cls(handler, name="blackhole")

    @classmethod
    def closing(cls) -> RawServer:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            return  # the caller closes the connection straight away

        return cls(handler, name="closing")

    @classmethod
    def garbage(cls) -> RawServer:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await _read_head(reader)
            writer.write(b"SSH-2.0-OpenSSH_9.6\r\nthis is not an HTTP response\r\n\r\n")
            await writer.drain()

        return cls(handler, name="garbage")

    @classmethod
    def truncated(cls) -> RawServer:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await _read_head(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            await writer.drain()

        return cls(handler, name="truncated")

    @classmethod
    def slow_relay(cls, port: int, delay: float, host: str = "localhost") -> RawServer:
        """`accepted_at` holds the `time.monotonic()` of each connection as it came in."""
        accepted_at: list[float] = []

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted_at.append(time.monotonic())
            await asyncio.sleep(delay)
            up_reader, up_writer = await asyncio.open_connection(host, port)

            async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
                with contextlib.suppress(ConnectionError, OSError):
                    while data := await src.read(65536):
                        dst.write(data)
                        await dst.drain()
                dst.close()  # one side ended: end the other too

            try:
                await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
            finally:
                up_writer.close()

        relay = cls(handler, name="slow-relay")
        relay.accepted_at = accepted_at
        return relay

    # Lifecycle ----------------------------------------------------------------------------

    def start(self) -> RawServer:
        sockets = bind_loopback(socket_factory=counting_socket_factory(self._counter))
        self.port = sockets[0].getsockname()[1]
        self._loop.start()
        for sock in sockets:
            sock.listen(128)
            sock.setblocking(False)
            server = self._loop.run(
                asyncio.start_server(self._serve_one, sock=sock, ssl=self._ssl, limit=HEAD_LIMIT)
            )
            self._servers.append(server)
        return self

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._handler(reader, writer)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    def stop(self) -> None:
        for server in self._servers:
            self._loop.close_server(server)
        self._servers.clear()
        self._loop.stop()  # cancels handlers still running (e.g. the blackhole's wait)

    # What tests use -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """`http(s)://localhost:PORT/` (https when this server does TLS itself)."""
        scheme = "https" if self._ssl is not None else "http"
        return f"{scheme}://{make_url_host(self.host)}:{self.port}/"

    @property
    def https_url(self) -> str:
        """An https URL to this port: with a non-TLS server the TLS handshake never completes."""
        return f"https://{make_url_host(self.host)}:{self.port}/"

    def connection_count(self) -> int:
        return self._counter.count()

    def reset_counts(self) -> None:
        self._counter.reset()


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)


@dataclass(frozen=True)
class RecordedRequest:
    """What one request looked like on the wire."""

    http_version: str  # "1.1" or "2"
    head: bytes  # HTTP/1.1: exact request line + header bytes incl. the final CRLFCRLF
    headers: list[tuple[str, str]]  # in wire order; HTTP/2 includes pseudo-headers
    body: bytes
    alpn: str | None
    h2_settings: list[tuple[int, int]] = field(default_factory=list)  # connection's SETTINGS
    h2_window_update: int | None = None  # first connection-level WINDOW_UPDATE increment
    h2_priority: dict[str, object] | None = None  # priority carried by the HEADERS frame

    def to_json(self) -> dict[str, object]:
        return {
            "http_version": self.http_version,
            "head": self.head.decode("latin-1"),
            "headers": [[k, v] for k, v in self.headers],
            "body_len": len(self.body),
            "body_sha256": hashlib.sha256(self.body).hexdigest(),
            "alpn": self.alpn,
            "h2_settings": [[k, v] for k, v in self.h2_settings],
            "h2_window_update": self.h2_window_update,
            "h2_priority": self.h2_priority,
        }


class RawEchoServer(RawServer):
    """
    Records every request exactly as received and answers with its JSON description
    (`RecordedRequest.to_json()`), keeping connections alive.

    With `alpn=("http/1.1",)` (the default) clients must speak HTTP/1.1 and `head` holds the raw
    bytes, so header-name case and order can be asserted. With `alpn=("h2", "http/1.1")` HTTP/2
    clients are captured at the frame level.
    """

    def __init__(self, ssl_context: ssl.SSLContext | None, *, name: str = "raw-echo") -> None:
        super().__init__(self._handle, name=name, ssl_context=ssl_context)
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def reset_counts(self) -> None:
        super().reset_counts()
        with self._lock:
            self._requests.clear()

    def _record(self, request: RecordedRequest) -> bytes:
        with self._lock:
            self._requests.append(request)
        return json.dumps(request.to_json()).encode()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ssl_object = writer.get_extra_info("ssl_object")
        alpn = ssl_object.selected_alpn_protocol() if ssl_object is not None else None
        if alpn == "h2":
            await self._handle_h2(reader, writer)
        else:
            await self._handle_h1(reader, writer, alpn)

    async def _handle_h1(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, alpn: str | None
    ) -> None:
        while True:
            try:
                head = await _read_head(reader)
            except asyncio.IncompleteReadError:
                return  # client closed between requests
            lines = head[:-4].decode("latin-1").split("\r\n")
            headers = [(n, v.strip()) for n, _, v in (line.partition(":") for line in lines[1:])]
            lookup = {n.strip().lower(): v for n, v in headers}
            if "chunked" in lookup.get("transfer-encoding", "").lower():
                body = await _read_chunked(reader)
            else:
                body = await reader.readexactly(int(lookup.get("content-length", "0")))
            payload = self._record(RecordedRequest("1.1", head, headers, body, alpn))
            close = lookup.get("connection", "").lower() == "close"
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(payload)}\r\n".encode()
                + (b"Connection: close\r\n" if close else b"")
                + b"\r\n"
                + payload
            )
            await writer.drain()
            if close:
                return

    async def _handle_h2(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        conn = h2.connection.H2Connection(config=config)
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        settings: list[tuple[int, int]] = []
        window_update: int | None = None
        streams: dict[int, _H2Stream] = {}
        while True:
            data = await reader.read(65536)
            if not data:
                return
            try:
                events = conn.receive_data(data)
            except h2.exceptions.ProtocolError:
                writer.write(conn.data_to_send())
                return
            for event in events:
                if isinstance(event, h2.events.RemoteSettingsChanged) and not settings:
                    settings = [(int(k), v.new_value) for k, v in event.changed_settings.items()]
                elif isinstance(event, h2.events.WindowUpdated) and event.stream_id == 0:
                    window_update = event.delta if window_update is None else window_update
                elif isinstance(event, h2.events.RequestReceived):
                    streams[event.stream_id] = _H2Stream(
                        headers=[(str(k), str(v)) for k, v in event.headers or []],
                        priority=_priority(event.priority_updated),
                    )
                elif isinstance(event, h2.events.DataReceived):
                    streams[event.stream_id].body += event.data or b""
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    stream = streams.pop(event.stream_id)
                    recorded = RecordedRequest(
                        http_version="2",
                        head=b"",
                        headers=stream.headers,
                        body=bytes(stream.body),
                        alpn="h2",
                        h2_settings=settings,
                        h2_window_update=window_update,
                        h2_priority=stream.priority,
                    )
                    _h2_respond(conn, event.stream_id, self._record(recorded))
                elif isinstance(event, h2.events.ConnectionTerminated):
                    writer.write(conn.data_to_send())
                    return
            writer.write(conn.data_to_send())
            await writer.drain()


@dataclass
class _H2Stream:
    headers: list[tuple[str, str]]
    priority: dict[str, object] | None
    body: bytearray = field(default_factory=bytearray)


def _priority(event: h2.events.PriorityUpdated | None) -> dict[str, object] | None:
    if event is None:
        return None
    return {"weight": event.weight, "depends_on": event.depends_on, "exclusive": event.exclusive}


def _h2_respond(conn: h2.connection.H2Connection, stream_id: int, payload: bytes) -> None:
    headers = [
        (":status", "200"),
        ("content-type", "application/json"),
        ("content-length", str(len(payload))),
    ]
    conn.send_headers(stream_id, headers)
    # Payloads are a few KiB: well inside the default 64 KiB windows, but frames are capped.
    size = conn.max_outbound_frame_size
    for offset in range(0, len(payload), size):
        conn.send_data(stream_id, payload[offset : offset + size])
    conn.end_stream(stream_id)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await asyncio.wait_for(reader.readuntil(b"\r\n"), READ_TIMEOUT)
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers, then blank line
                pass
            return bytes(body)
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise ValueError("chunk not followed by CRLF")
