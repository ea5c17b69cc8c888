"""
Minimal ASGI request/response helpers for the test app (no framework on purpose: the app must
see exactly what the server received, with nothing normalised in between).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["Headers", "Receive", "Request", "Scope", "Send", "respond", "respond_json"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]


class Request:
    """A thin view of one ASGI HTTP request."""

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self.receive = receive
        self.body_consumed = False
        self.disconnected = False

    @property
    def method(self) -> str:
        return str(self.scope["method"])

    @property
    def path(self) -> str:
        return str(self.scope["path"])

    @property
    def query_string(self) -> str:
        # Raw bytes on the wire; latin-1 maps them 1:1 so nothing is lost.
        return bytes(self.scope.get("query_string", b"")).decode("latin-1")

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    def query_value(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return default

    @property
    def raw_headers(self) -> Headers:
        return [(bytes(k), bytes(v)) for k, v in self.scope["headers"]]

    def header_values(self, name: str) -> list[str]:
        # Names are compared case-insensitively: over HTTP/1.1 the server passes raw case.
        wanted = name.lower().encode("latin-1")
        return [v.decode("latin-1") for k, v in self.raw_headers if k.lower() == wanted]

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return ", ".join(values) if values else None

    @property
    def base_url(self) -> str:
        host = self.header("host") or "localhost"
        return f"{self.scope.get('scheme', 'http')}://{host}"

    async def iter_body(self) -> AsyncIterator[bytes]:
        """Yield request body chunks as the server delivers them."""
        while not self.body_consumed:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                self.body_consumed = True
                return
            chunk = message.get("body", b"")
            if not message.get("more_body", False):
                self.body_consumed = True
            if chunk:
                yield chunk

    async def body(self) -> bytes:
        return b"".join([chunk async for chunk in self.iter_body()])

    async def body_digest(self, keep: int) -> tuple[bytes | None, int, str]:
        """Read the body in chunks: (body if len <= keep else None, length, sha256 hex)."""
        digest = hashlib.sha256()
        kept = bytearray()
        length = 0
        async for chunk in self.iter_body():
            digest.update(chunk)
            length += len(chunk)
            if length <= keep:
                kept += chunk
        return (bytes(kept) if length <= keep else None), length, digest.hexdigest()

    async def wait_disconnect(self) -> None:
        """Return once the client goes away (drains any unread body first)."""
        async for _ in self.iter_body():
            pass
        while not self.disconnected:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True


def _encode_headers(headers: Iterable[tuple[str, str]]) -> Headers:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]


async def start(send: Send, status: int, headers: Iterable[tuple[str, str]] = ()) -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": _encode_headers(headers)}
    )


async def respond(
    send: Send,
    status: int = 200,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
    content_type: str | None = "text/plain; charset=utf-8",
) -> None:
    """Send a complete response with Content-Length (the server drops the body for HEAD)."""
    all_headers = list(headers)
    names = {name.lower() for name, _ in all_headers}
    if content_type is not None and "content-type" not in names:
        all_headers.append(("content-type", content_type))
    if "content-length" not in names:
        all_headers.append(("content-length", str(len(body))))
    await start(send, status, all_headers)
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def respond_json(
    send: Send, data: object, status: int = 200, headers: Iterable[tuple[str, str]] = ()
) -> None:
    body = json.dumps(data, sort_keys=True).encode()
    await respond(send, status, body, headers, content_type="application/json")
