"""
Real proxy servers for tests: an HTTP proxy (CONNECT tunnels + absolute-form forwarding) and a
SOCKS5 proxy (RFC 1928 CONNECT, RFC 1929 username/password), each optionally requiring auth.

Why not pproxy: pproxy 2.7.9 caches a successful login *per client IP for 30 days* in a
class-level table (shared by every pproxy server in the process), so after one good login from
127.0.0.1 it accepts missing or wrong credentials - auth-refusal tests cannot work. It also
matches `Proxy-Authorization` case-sensitively, closes without a 502 when the upstream is down,
answers bad SOCKS5 credentials by just dropping the connection, and monkeypatches asyncio's
StreamReader/StreamWriter at import. This module is small, strict and observable instead.

Safety: both proxies only connect to loopback targets; anything else is refused (403 / SOCKS
reply 0x02), so a misconfigured test can never reach a public host through them.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from typing import Literal, NoReturn
from urllib.parse import quote, urlsplit

from ._lifecycle import Startable
from ._loop import BackgroundLoop
from ._net import is_loopback_host

__all__ = ["ProxyRecord", "ProxyServer"]

HEAD_TIMEOUT = 10.0
CONNECT_TIMEOUT = 5.0
RELAY_CHUNK = 64 * 1024
HEAD_LIMIT = 64 * 1024
# How long a tunnel stays open after the client's side reached EOF (see _relay).
HALF_CLOSE_GRACE = 2.0
# Hop-by-hop headers a forwarding proxy must not pass on (RFC 9110 section 7.6.1).
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "upgrade",
}

ProxyKind = Literal["http", "socks5"]


class _Refused(Exception):
    """The proxy answered the client with an error and the exchange is over."""


@dataclass(frozen=True)
class ProxyRecord:
    """One proxy request, allowed or refused."""

    protocol: str  # "CONNECT", "FORWARD" (absolute-form HTTP) or "SOCKS5"
    target: tuple[str, int]  # as the client named it (a SOCKS5 domain stays a name)
    authorized: bool
    outcome: str  # "ok", "auth_failed", "forbidden", "upstream_failed", "bad_request"
    detail: dict[str, object] = field(default_factory=dict)


@dataclass
class _Counters:
    lock: threading.Lock = field(default_factory=threading.Lock)
    records: list[ProxyRecord] = field(default_factory=list)
    connections: int = 0

    def add(self, record: ProxyRecord) -> None:
        with self.lock:
            self.records.append(record)


class ProxyServer(Startable):
    """
    A proxy on 127.0.0.1 in its own thread.

    **Parameters:**

    * **kind** - `"http"` or `"socks5"`.
    * **username** / **password** - *(optional)* require these credentials (Basic for HTTP,
      RFC 1929 for SOCKS5). Without them any client is served.
    * **tls** - *(optional)* for `"http"`: clients reach the proxy over TLS (an `https://`
      proxy URL); the tunnelled traffic is unchanged.
    """

    def __init__(
        self,
        kind: ProxyKind,
        *,
        username: str | None = None,
        password: str | None = None,
        name: str | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self.kind = kind
        self.username = username
        self.password = password
        self.tls = tls
        self.host = "127.0.0.1"
        self.port = 0
        self._counters = _Counters()
        self._loop = BackgroundLoop(name or f"{kind}-proxy")
        self._server: asyncio.Server | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ProxyServer:
        self._loop.start()
        self._server = self._loop.run(
            asyncio.start_server(self._handle, self.host, 0, limit=HEAD_LIMIT, ssl=self.tls)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._loop.close_server(self._server)
            self._server = None
        self._loop.stop()  # cancels open tunnels; their `finally` blocks close the sockets

    # -- what tests use ----------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else self.kind

    @property
    def url(self) -> str:
        """Proxy URL including credentials, e.g. `http://user:pass@127.0.0.1:PORT`."""
        auth = ""
        if self.username is not None and self.password is not None:
            auth = f"{quote(self.username, safe='')}:{quote(self.password, safe='')}@"
        return f"{self.scheme}://{auth}{self.host}:{self.port}"

    @property
    def url_without_auth(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url_with_auth(self, username: str, password: str) -> str:
        """The proxy URL with other (e.g. wrong) credentials."""
        auth = f"{quote(username, safe='')}:{quote(password, safe='')}"
        return f"{self.scheme}://{auth}@{self.host}:{self.port}"

    @property
    def records(self) -> list[ProxyRecord]:
        with self._counters.lock:
            return list(self._counters.records)

    @property
    def seen_targets(self) -> list[tuple[str, int]]:
        """Targets actually relayed (successful tunnels/forwards), in order: proof of use."""
        return [r.target for r in self.records if r.outcome == "ok"]

    @property
    def auth_failures(self) -> int:
        return sum(1 for r in self.records if r.outcome == "auth_failed")

    def connection_count(self) -> int:
        """TCP connections accepted by the proxy."""
        with self._counters.lock:
            return self._counters.connections

    def reset_counts(self) -> None:
        with self._counters.lock:
            self._counters.records.clear()
            self._counters.connections = 0

    def __repr__(self) -> str:
        return f"<ProxyServer {self.url}>"

    # -- protocol handling -------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._counters.lock:
            self._counters.connections += 1
        upstream: asyncio.StreamWriter | None = None
        try:
            if self.kind == "http":
                upstream = await self._http(reader, writer)
            else:
                upstream = await self._socks5(reader, writer)
        except (_Refused, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        except (ConnectionError, TimeoutError, asyncio.TimeoutError, OSError):
            pass
        finally:
            for stream in (upstream, writer):
                if stream is not None:
                    stream.close()
                    with contextlib.suppress(ConnectionError, OSError):
                        await stream.wait_closed()

    def _credentials_ok(self, username: str, password: str) -> bool:
        assert self.username is not None and self.password is not None
        # Evaluate both comparisons: no early exit on a wrong username.
        user_ok = hmac.compare_digest(username.encode(), self.username.encode())
        pass_ok = hmac.compare_digest(password.encode(), self.password.encode())
        return user_ok and pass_ok

    async def _connect(
        self, host: str, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT)

    # HTTP ---------------------------------------------------------------------------------

    async def _http(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> asyncio.StreamWriter | None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
        lines = head[:-4].decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ")
        except ValueError:
            await self._http_error(writer, 400, "Bad Request")
            raise _Refused from None
        headers = [
            (n.strip(), v.strip()) for n, _, v in (line.partition(":") for line in lines[1:])
        ]
        protocol = "CONNECT" if method.upper() == "CONNECT" else "FORWARD"
        try:
            host, port, path = _http_target(method, target)
        except ValueError:
            await self._http_error(writer, 400, "Bad Request")
            raise _Refused from None
        detail: dict[str, object] = {"method": method, "target": target, "headers": headers}

        def record(outcome: str) -> None:
            self._counters.add(
                ProxyRecord(protocol, (host, port), outcome != "auth_failed", outcome, detail)
            )

        if self.username is not None and not self._http_authorized(headers):
            record("auth_failed")
            await self._http_error(
                writer,
                407,
                "Proxy Authentication Required",
                [("Proxy-Authenticate", 'Basic realm="tls_requests-proxy"')],
            )
            raise _Refused
        if not is_loopback_host(host):
            record("forbidden")
            await self._http_error(writer, 403, "Forbidden")
            raise _Refused
        try:
            up_reader, up_writer = await self._connect(host, port)
        except (OSError, asyncio.TimeoutError):
            record("upstream_failed")
            await self._http_error(writer, 502, "Bad Gateway")
            raise _Refused from None
        record("ok")
        if protocol == "CONNECT":
            writer.write(f"{version} 200 Connection established\r\n\r\n".encode("latin-1"))
            await writer.drain()
        else:
            # One request per client connection keeps forwarding trivially correct: the
            # origin closes after its response and so do we.
            kept = [(n, v) for n, v in headers if n.lower() not in HOP_BY_HOP]
            request = f"{method} {path} {version}\r\n"
            request += "".join(f"{n}: {v}\r\n" for n, v in kept) + "Connection: close\r\n\r\n"
            up_writer.write(request.encode("latin-1"))
        await _relay(reader, writer, up_reader, up_writer)
        return up_writer

    def _http_authorized(self, headers: list[tuple[str, str]]) -> bool:
        for name, value in headers:
            if name.lower() != "proxy-authorization":
                continue
            scheme, _, token = value.partition(" ")
            if scheme.lower() != "basic":
                return False
            try:
                decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return False
            username, _, password = decoded.partition(":")
            return self._credentials_ok(username, password)
        return False

    @staticmethod
    async def _http_error(
        writer: asyncio.StreamWriter,
        status: int,
        reason: str,
        extra: list[tuple[str, str]] | None = None,
    ) -> None:
        body = f"{status} {reason}\n".encode()
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{n}: {v}" for n, v in extra or [])]
        lines += ["Content-Type: text/plain", f"Content-Length: {len(body)}", "Connection: close"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()

    # SOCKS5 -------------------------------------------------------------------------------

    async def _socks5(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> asyncio.StreamWriter | None:
        version, n_methods = await asyncio.wait_for(reader.readexactly(2), HEAD_TIMEOUT)
        if version != 5:
            raise _Refused
        methods = await reader.readexactly(n_methods)
        wanted = 0x02 if self.username is not None else 0x00
        if wanted not in methods:
            # Recorded before answering: the client may check the records as soon as it reads.
            self._counters.add(
                ProxyRecord("SOCKS5", ("", 0), False, "auth_failed", {"methods": list(methods)})
            )
            writer.write(b"\x05\xff")  # RFC 1928: no acceptable methods
            await writer.drain()
            raise _Refused
        writer.write(bytes([5, wanted]))
        username = None
        if wanted == 0x02:
            _, ulen = await reader.readexactly(2)
            username = (await reader.readexactly(ulen)).decode("utf-8", "replace")
            (plen,) = await reader.readexactly(1)
            password = (await reader.readexactly(plen)).decode("utf-8", "replace")
            ok = self._credentials_ok(username, password)
            if not ok:  # recorded before answering, as above
                self._counters.add(
                    ProxyRecord("SOCKS5", ("", 0), False, "auth_failed", {"username": username})
                )
            writer.write(b"\x01\x00" if ok else b"\x01\x01")  # RFC 1929 status
            await writer.drain()
            if not ok:
                raise _Refused
        _, command, _, atyp = await reader.readexactly(4)
        host, address_type = await _socks_address(reader, atyp)
        port = int.from_bytes(await reader.readexactly(2), "big")
        detail: dict[str, object] = {
            "address_type": address_type,
            "command": command,
            "username": username,
        }

        async def fail(code: int, outcome: str) -> NoReturn:
            self._counters.add(ProxyRecord("SOCKS5", (host, port), True, outcome, detail))
            writer.write(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))
            await writer.drain()
            raise _Refused

        if command != 1:
            await fail(0x07, "bad_request")  # command not supported
        if not is_loopback_host(host):
            await fail(0x02, "forbidden")  # connection not allowed by ruleset
        try:
            up_reader, up_writer = await self._connect(host, port)
        except (OSError, asyncio.TimeoutError):
            await fail(0x05, "upstream_failed")  # connection refused
        self._counters.add(ProxyRecord("SOCKS5", (host, port), True, "ok", detail))
        bound_host, bound_port = up_writer.get_extra_info("sockname")[:2]
        bound = ipaddress.ip_address(bound_host)
        writer.write(
            bytes([5, 0, 0, 1 if bound.version == 4 else 4])
            + bound.packed
            + bound_port.to_bytes(2, "big")
        )
        await writer.drain()
        await _relay(reader, writer, up_reader, up_writer)
        return up_writer


def _http_target(method: str, target: str) -> tuple[str, int, str]:
    """(host, port, origin-form path) from a CONNECT authority or an absolute-form URL."""
    if method.upper() == "CONNECT":
        parts = urlsplit(f"//{target}")
        if parts.hostname is None or parts.port is None:
            raise ValueError(f"bad CONNECT authority {target!r}")
        return parts.hostname, parts.port, ""
    parts = urlsplit(target)
    if parts.scheme != "http" or parts.hostname is None:
        raise ValueError(f"not an absolute http URL: {target!r}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.hostname, parts.port or 80, path


async def _socks_address(reader: asyncio.StreamReader, atyp: int) -> tuple[str, str]:
    if atyp == 1:
        return socket.inet_ntop(socket.AF_INET, await reader.readexactly(4)), "ipv4"
    if atyp == 3:
        (length,) = await reader.readexactly(1)
        return (await reader.readexactly(length)).decode("idna"), "domain"
    if atyp == 4:
        return socket.inet_ntop(socket.AF_INET6, await reader.readexactly(16)), "ipv6"
    raise ValueError(f"bad SOCKS5 address type {atyp}")


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(RELAY_CHUNK):
            sink.write(data)
            await sink.drain()
        if sink.can_write_eof():
            sink.write_eof()  # pass the half-close on, like a real TCP relay
    except (ConnectionError, OSError):
        pass


async def _relay(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    upstream_reader: asyncio.StreamReader,
    upstream_writer: asyncio.StreamWriter,
) -> None:
    upload = asyncio.ensure_future(_pipe(client_reader, upstream_writer))
    download = asyncio.ensure_future(_pipe(upstream_reader, client_writer))
    try:
        await upload
        # The client stopped sending. HTTP clients only do that when they close the
        # connection, and a keep-alive origin (hypercorn) ignores the half-close, so the
        # tunnel would stay open forever: give the answer a moment, then tear it down.
        await asyncio.wait_for(asyncio.shield(download), HALF_CLOSE_GRACE)
    except asyncio.TimeoutError:
        pass
    finally:
        for task in (upload, download):
            task.cancel()
        await asyncio.gather(upload, download, return_exceptions=True)
        # When the relay is cancelled (proxy shutdown), `_handle` never gets this writer back.
        upstream_writer.close()
        with contextlib.suppress(ConnectionError, OSError, asyncio.CancelledError):
            await upstream_writer.wait_closed()
