"""
Fixtures for the fingerprint server tests.

Helpers are exposed as fixtures (not importable modules) so these tests work whatever
import mode or package layout the rest of the test suite uses.
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
from collections.abc import Iterator
from importlib import metadata
from types import SimpleNamespace
from typing import Any

import pytest

from tls_requests.fingerprint import FingerprintServer

# ---------------------------------------------------------------------------------
# ClientHello builder
# ---------------------------------------------------------------------------------


def _u8(n: int) -> bytes:
    return struct.pack("!B", n)


def _u16(n: int) -> bytes:
    return struct.pack("!H", n)


def _vec8(data: bytes) -> bytes:
    return _u8(len(data)) + data


def _vec16(data: bytes) -> bytes:
    return _u16(len(data)) + data


def _u16s(values: list[int]) -> bytes:
    return b"".join(_u16(v) for v in values)


class HelloBuilder:
    """Build ClientHello bytes field by field (extension bodies per their RFCs)."""

    @staticmethod
    def sni(host: str) -> tuple[int, bytes]:
        name = host.encode("ascii")
        return 0, _vec16(_u8(0) + _vec16(name))

    @staticmethod
    def alpn(*protocols: bytes) -> tuple[int, bytes]:
        return 16, _vec16(b"".join(_vec8(p) for p in protocols))

    @staticmethod
    def supported_versions(*versions: int) -> tuple[int, bytes]:
        return 43, _vec8(_u16s(list(versions)))

    @staticmethod
    def supported_groups(*groups: int) -> tuple[int, bytes]:
        return 10, _vec16(_u16s(list(groups)))

    @staticmethod
    def ec_point_formats(*formats: int) -> tuple[int, bytes]:
        return 11, _vec8(bytes(formats))

    @staticmethod
    def signature_algorithms(*algs: int) -> tuple[int, bytes]:
        return 13, _vec16(_u16s(list(algs)))

    @staticmethod
    def key_share(*groups: int) -> tuple[int, bytes]:
        shares = b"".join(_u16(g) + _vec16(b"\x00" * 32) for g in groups)
        return 51, _vec16(shares)

    @staticmethod
    def psk_modes(*modes: int) -> tuple[int, bytes]:
        return 45, _vec8(bytes(modes))

    @staticmethod
    def compress_certificate(*algs: int) -> tuple[int, bytes]:
        return 27, _vec8(_u16s(list(algs)))

    @staticmethod
    def alps(code: int, *protocols: bytes) -> tuple[int, bytes]:
        return code, _vec16(b"".join(_vec8(p) for p in protocols))

    @staticmethod
    def padding(length: int) -> tuple[int, bytes]:
        return 21, b"\x00" * length

    @staticmethod
    def empty(ext_type: int) -> tuple[int, bytes]:
        return ext_type, b""

    @staticmethod
    def message(
        ciphers: list[int],
        extensions: list[tuple[int, bytes]] | None,
        *,
        legacy_version: int = 0x0303,
        session_id: bytes = b"\x22" * 32,
        compression: bytes = b"\x00",
    ) -> bytes:
        """The handshake message (type 1 + length + body), without a record header."""
        body = (
            _u16(legacy_version)
            + b"\x11" * 32
            + _vec8(session_id)
            + _vec16(_u16s(ciphers))
            + _vec8(compression)
        )
        if extensions is not None:
            body += _vec16(b"".join(_u16(t) + _vec16(d) for t, d in extensions))
        return b"\x01" + len(body).to_bytes(3, "big") + body

    @staticmethod
    def records(message: bytes, *, record_version: int = 0x0301, split: int = 0) -> bytes:
        """Wrap a handshake message in records; `split` > 0 fragments it in two."""
        chunks = [message[:split], message[split:]] if split else [message]
        return b"".join(b"\x16" + _u16(record_version) + _vec16(chunk) for chunk in chunks)

    @classmethod
    def hello(
        cls, ciphers: list[int], extensions: list[tuple[int, bytes]] | None, **kw: Any
    ) -> bytes:
        return cls.records(cls.message(ciphers, extensions, **kw))


@pytest.fixture
def hb() -> type[HelloBuilder]:
    return HelloBuilder


# The FoxIO JA4.md example: 15 ciphers, 16 extensions in this wire order, 8 sigalgs.
SPEC_CIPHERS = [
    0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9,
    0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
]  # fmt: skip
SPEC_EXTENSION_ORDER = [
    0x001B, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002D, 0x000D,
    0x0005, 0x0023, 0x0012, 0x002B, 0xFF01, 0x000B, 0x000A, 0x0015,
]  # fmt: skip
SPEC_SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]


def spec_extensions(
    sigalgs: list[int] | None = None, *, grease: bool = False
) -> list[tuple[int, bytes]]:
    """The JA4.md example's extensions with plausible bodies, optionally GREASEd."""
    b = HelloBuilder
    bodies: dict[int, tuple[int, bytes]] = {
        0x0000: b.sni("example.com"),
        0x0010: b.alpn(b"h2", b"http/1.1"),
        0x002B: b.supported_versions(*([0x7A7A] if grease else []), 0x0304, 0x0303),
        0x000D: b.signature_algorithms(
            *([0x1A1A] if grease else []), *(SPEC_SIGALGS if sigalgs is None else sigalgs)
        ),
        0x000A: b.supported_groups(*([0x2A2A] if grease else []), 0x001D, 0x0017, 0x0018),
        0x000B: b.ec_point_formats(0),
        0x0033: b.key_share(*([0x2A2A] if grease else []), 0x001D),
        0x002D: b.psk_modes(1),
        0x001B: b.compress_certificate(2),
        0x4469: b.alps(0x4469, b"h2"),
        0x0015: b.padding(17),
        0xFF01: (0xFF01, b"\x00"),
        0x0005: (0x0005, b"\x01\x00\x00\x00\x00"),
    }
    extensions = [bodies.get(code, (code, b"")) for code in SPEC_EXTENSION_ORDER]
    if grease:
        extensions = [(0x0A0A, b""), *extensions, (0xFAFA, b"\x00")]
    return extensions


@pytest.fixture
def spec() -> SimpleNamespace:
    return SimpleNamespace(
        ciphers=SPEC_CIPHERS,
        extension_order=SPEC_EXTENSION_ORDER,
        sigalgs=SPEC_SIGALGS,
        extensions=spec_extensions,
    )


# ---------------------------------------------------------------------------------
# Servers and clients
# ---------------------------------------------------------------------------------


@pytest.fixture
def fp_server() -> Iterator[FingerprintServer]:
    with FingerprintServer(timeout=5.0) as server:
        yield server


def _tls_client(
    server: FingerprintServer,
    *,
    alpn: list[str] | None,
    host: str | None = None,
    server_hostname: str | None = "localhost",
) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=server.ca_path)
    if server_hostname is None:
        context.check_hostname = False
    if alpn:
        context.set_alpn_protocols(alpn)
    sock = socket.create_connection((host or server.hostname, server.port), timeout=5)
    return context.wrap_socket(sock, server_hostname=server_hostname)


def _read_http1_response(
    tls: ssl.SSLSocket, *, head_only: bool = False
) -> tuple[str, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response head")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = 0 if head_only else int(headers["content-length"])
    while len(rest) < length:
        chunk = tls.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the response body")
        rest += chunk
    return lines[0], headers, rest[:length]


class Http1Client:
    """A raw HTTP/1.1 client: sends header lines exactly as given (case and order)."""

    def __init__(self, server: FingerprintServer, **kw: Any) -> None:
        kw.setdefault("alpn", ["http/1.1"])
        self.tls = _tls_client(server, **kw)
        self.authority = f"{server.hostname}:{server.port}"

    def request(
        self,
        method: str = "GET",
        path: str = "/",
        headers: list[tuple[str, str]] | None = None,
        body: bytes = b"",
        raw_body: bytes | None = None,
    ) -> tuple[str, dict[str, str], Any]:
        lines = [f"{method} {path} HTTP/1.1"]
        if headers is None:
            headers = [("Host", self.authority)]
        lines += [f"{k}: {v}" for k, v in headers]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        payload += body if raw_body is None else raw_body
        self.tls.sendall(payload)
        status, response_headers, response_body = _read_http1_response(
            self.tls, head_only=method == "HEAD"
        )
        document = json.loads(response_body) if response_body else None
        return status, response_headers, document

    def close(self) -> None:
        self.tls.close()


@pytest.fixture
def http1_client() -> Iterator[Any]:
    clients: list[Http1Client] = []

    def connect(server: FingerprintServer, **kw: Any) -> Http1Client:
        client = Http1Client(server, **kw)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def tls_client() -> Iterator[Any]:
    sockets: list[ssl.SSLSocket] = []

    def connect(server: FingerprintServer, **kw: Any) -> ssl.SSLSocket:
        kw.setdefault("alpn", ["h2"])
        sock = _tls_client(server, **kw)
        sockets.append(sock)
        return sock

    yield connect
    for sock in sockets:
        sock.close()


@pytest.fixture(scope="session")
def ja4plus() -> SimpleNamespace:
    """The independent JA4 implementation from PyPI (`ja4plus`), as a raw-bytes API."""
    pytest.importorskip("ja4plus")
    # Releases before 1.4 (the newest on Python 3.9 is 1.0.1) keep GREASE inside
    # signature_algorithms, which FoxIO's reference has since dropped.
    installed = tuple(int(p) for p in metadata.version("ja4plus").split(".")[:2])
    if installed < (1, 4):
        pytest.skip(f"ja4plus {metadata.version('ja4plus')} predates FoxIO's sigalg GREASE rule")
    from ja4plus.fingerprinters.ja4 import generate_ja4, get_raw_fingerprint
    from ja4plus.utils.tls_utils import parse_tls_handshake

    def fingerprints(records: bytes) -> dict[str, str | None]:
        info = parse_tls_handshake(records)
        assert info is not None and info["type"] == "client_hello"
        return {
            "ja4": generate_ja4(info),
            "ja4_o": generate_ja4(info, original_order=True),
            "ja4_r": get_raw_fingerprint(info),
            "ja4_ro": get_raw_fingerprint(info, original_order=True),
        }

    return SimpleNamespace(fingerprints=fingerprints)
