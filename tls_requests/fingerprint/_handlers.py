"""
HTTP/1.1 and HTTP/2 request loops over an established `TLSStream`.

Both loops hand each complete request to a callback that returns the response body, so
the fingerprint logic stays in the server. HTTP/1.1 is parsed by hand to keep header
names exactly as sent (case and order). For HTTP/2 the `Http2Recorder` sees the raw
bytes first and fingerprints them; the same bytes then go to an `h2` server connection,
which does the protocol work of answering (SETTINGS ACK, PING, flow control).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

from ._tlsio import TLSStream
from .akamai import PREFACE, HeaderBlock, Http2Error, Http2Recorder

__all__ = ["Request", "Responder", "serve_http1", "serve_http2", "sniff_prior_knowledge"]

# Bounds that keep one misbehaving client from holding the server: requests per
# connection, bytes in a request head and in a request body.
MAX_REQUESTS_PER_CONNECTION = 100
_MAX_HEAD = 64 * 1024
_MAX_BODY = 16 * 1024 * 1024
_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Request:
    """One request as the client sent it. `headers` excludes HTTP/2 pseudo-headers."""

    http_version: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    pseudo_headers: tuple[tuple[str, str], ...] = ()


Responder = Callable[[Request], bytes]


class _BadRequest(Exception):
    pass


# HTTP/1.1 --------------------------------------------------------------------------


class _Buffered:
    def __init__(self, stream: TLSStream) -> None:
        self.stream = stream
        self.buffer = bytearray()

    def fill(self) -> bool:
        data = self.stream.recv()
        self.buffer += data
        return bool(data)

    def read_until(self, delimiter: bytes, limit: int) -> bytes | None:
        """Return bytes up to and including `delimiter`; None on EOF before any byte."""
        while True:
            index = self.buffer.find(delimiter)
            if index >= 0:
                end = index + len(delimiter)
                data = bytes(self.buffer[:end])
                del self.buffer[:end]
                return data
            if len(self.buffer) > limit:
                raise _BadRequest("request head too large")
            if not self.fill():
                if self.buffer:
                    raise _BadRequest("connection closed inside a request")
                return None

    def read_exact(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not self.fill():
                raise _BadRequest("connection closed inside a request body")
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data


def _parse_head(head: bytes) -> tuple[str, str, str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest("malformed request line")
    method, target, version = parts
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise _BadRequest("malformed header line")
        headers.append((name, value.strip(" \t")))
    return method, target, version, headers


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _read_body(reader: _Buffered, headers: list[tuple[str, str]]) -> None:
    # The body is read only to keep the connection in step; it is not reported.
    encoding = _header(headers, "transfer-encoding")
    if encoding is not None and encoding.lower().endswith("chunked"):
        total = 0
        while True:
            line = reader.read_until(b"\r\n", _MAX_HEAD)
            if line is None:
                raise _BadRequest("connection closed inside a chunked body")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequest("bad chunk size") from None
            total += size
            if total > _MAX_BODY:
                raise _BadRequest("request body too large")
            if size == 0:
                while reader.read_until(b"\r\n", _MAX_HEAD) not in (b"\r\n", None):
                    pass  # trailers
                return
            reader.read_exact(size + 2)
    length = _header(headers, "content-length")
    if length is not None:
        try:
            size = int(length)
        except ValueError:
            raise _BadRequest("bad content-length") from None
        if not 0 <= size <= _MAX_BODY:
            raise _BadRequest("bad content-length")
        reader.read_exact(size)


def _http1_response(
    status: str, body: bytes, *, keep_alive: bool, head_only: bool = False
) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\n"
        f"Content-Type: {_CONTENT_TYPE}\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
        "\r\n"
    )
    return head.encode("ascii") + (b"" if head_only else body)


def serve_http1(stream: TLSStream, respond: Responder) -> None:
    """Answer HTTP/1.x requests (keep-alive honoured) until the client closes."""
    reader = _Buffered(stream)
    for _ in range(MAX_REQUESTS_PER_CONNECTION):
        try:
            head = reader.read_until(b"\r\n\r\n", _MAX_HEAD)
            if head is None:
                return
            method, target, version, headers = _parse_head(head)
            if (_header(headers, "expect") or "").lower() == "100-continue":
                stream.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            _read_body(reader, headers)
        except _BadRequest as exc:
            body = json.dumps({"error": str(exc)}).encode("ascii")
            stream.sendall(_http1_response("400 Bad Request", body, keep_alive=False))
            return
        connection = (_header(headers, "connection") or "").lower()
        if version == "HTTP/1.0":
            keep_alive = "keep-alive" in connection
        else:
            keep_alive = "close" not in connection
        body = respond(Request("http/1.1", method, target, tuple(headers)))
        stream.sendall(
            _http1_response("200 OK", body, keep_alive=keep_alive, head_only=method == "HEAD")
        )
        if not keep_alive:
            return


def sniff_prior_knowledge(stream: TLSStream) -> bool:
    """
    Return True if a client that negotiated no ALPN opens with the HTTP/2 preface.

    The bytes read are pushed back, so the chosen loop sees the stream from the start.
    """
    data = b""
    while len(data) < len(PREFACE) and PREFACE.startswith(data):
        chunk = stream.recv()
        if not chunk:
            break
        data += chunk
    stream.push_back(data)
    return data.startswith(PREFACE)


# HTTP/2 ----------------------------------------------------------------------------


def _request_from_block(block: HeaderBlock) -> Request:
    pseudo = dict(block.pseudo_headers)
    return Request(
        http_version="h2",
        method=pseudo.get(":method", ""),
        path=pseudo.get(":path", ""),
        headers=block.regular_headers,
        pseudo_headers=block.pseudo_headers,
    )


class _H2Server:
    def __init__(self, stream: TLSStream, recorder: Http2Recorder, respond: Responder) -> None:
        self.stream = stream
        self.recorder = recorder
        self.respond = respond
        self.conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(
                client_side=False,
                header_encoding=None,
                # A fingerprinting server must answer odd clients, not police them.
                validate_inbound_headers=False,
                normalize_inbound_headers=False,
            )
        )
        self.request_blocks: dict[int, HeaderBlock] = {}
        self.outgoing: dict[int, bytes] = {}
        self.answered = 0

    def run(self) -> None:
        # Our SETTINGS go out at once: clients do not wait for them.
        self.conn.initiate_connection()
        self.stream.sendall(self.conn.data_to_send())
        while True:
            data = self.stream.recv()
            if not data:
                return
            try:
                for block in self.recorder.feed(data):
                    # The first block of a stream is the request; later ones are trailers.
                    self.request_blocks.setdefault(block.stream_id, block)
            except Http2Error:
                # Say goodbye properly, then let the server record why.
                self.conn.close_connection(error_code=h2.errors.ErrorCodes.PROTOCOL_ERROR)
                self.stream.sendall(self.conn.data_to_send())
                raise
            try:
                events = self.conn.receive_data(data)
            except h2.exceptions.ProtocolError:
                self.stream.sendall(self.conn.data_to_send())
                raise
            closed = self._handle(events)
            self._send_bodies()
            self.stream.sendall(self.conn.data_to_send())
            if closed:
                return

    def _handle(self, events: list[h2.events.Event]) -> bool:
        for event in events:
            if isinstance(event, h2.events.DataReceived):
                if event.stream_id is not None and event.flow_controlled_length:
                    self._acknowledge(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                if event.stream_id is not None:
                    self._answer(event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                if event.stream_id is not None:
                    self.outgoing.pop(event.stream_id, None)
            elif isinstance(event, h2.events.ConnectionTerminated):
                return True
        return False

    def _acknowledge(self, size: int, stream_id: int) -> None:
        with contextlib.suppress(h2.exceptions.StreamClosedError):
            self.conn.acknowledge_received_data(size, stream_id)

    def _answer(self, stream_id: int) -> None:
        block = self.request_blocks.pop(stream_id, None)
        if block is None:
            return
        request = _request_from_block(block)
        body = self.respond(request)
        head_only = request.method == "HEAD"
        self.conn.send_headers(
            stream_id,
            [
                (":status", "200"),
                ("content-type", _CONTENT_TYPE),
                ("content-length", str(len(body))),
            ],
            end_stream=head_only,
        )
        if not head_only:
            self.outgoing[stream_id] = body
        self.answered += 1
        if self.answered >= MAX_REQUESTS_PER_CONNECTION:
            self.conn.close_connection()

    def _send_bodies(self) -> None:
        # Send what the client's flow-control windows allow; the rest waits for its
        # WINDOW_UPDATE, which the next loop turn processes.
        for stream_id in list(self.outgoing):
            remaining = self.outgoing[stream_id]
            try:
                while remaining:
                    size = min(
                        len(remaining),
                        self.conn.local_flow_control_window(stream_id),
                        self.conn.max_outbound_frame_size,
                    )
                    if size <= 0:
                        break
                    self.conn.send_data(stream_id, remaining[:size])
                    remaining = remaining[size:]
                if remaining:
                    self.outgoing[stream_id] = remaining
                else:
                    self.conn.end_stream(stream_id)
                    del self.outgoing[stream_id]
            except h2.exceptions.StreamClosedError:
                del self.outgoing[stream_id]


def serve_http2(stream: TLSStream, recorder: Http2Recorder, respond: Responder) -> None:
    """Answer HTTP/2 requests until the client closes, fingerprinting with `recorder`."""
    _H2Server(stream, recorder, respond).run()
