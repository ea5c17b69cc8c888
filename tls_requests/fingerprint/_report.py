"""
The JSON document the echo server returns, as TypedDicts and pure builders.

The schema is documented in `docs/fingerprint.md`; these types are its single source.
Integers stay decimal (as in JA3); byte strings are lower-case hex.
"""

from __future__ import annotations

from typing import TypedDict

from .akamai import HeaderBlock, Http2Recorder, Priority
from .clienthello import ClientHello
from .ja3 import ja3, ja3_hash, ja3n, ja3n_hash
from .ja4 import ja4, ja4_o, ja4_r, ja4_ro

__all__ = [
    "ClientHelloReport",
    "ConnectionReport",
    "ExtensionReport",
    "FingerprintDocument",
    "HTTP2Report",
    "NegotiatedReport",
    "PriorityReport",
    "TLSReport",
    "http2_report",
    "tls_report",
]


class ExtensionReport(TypedDict):
    type: int
    name: str
    length: int
    data: str


class ClientHelloReport(TypedDict):
    record_version: int | None
    legacy_version: int
    random: str
    session_id: str
    cipher_suites: list[int]
    compression_methods: list[int]
    extensions: list[ExtensionReport]
    server_name: str | None
    alpn: list[str]
    supported_versions: list[int]
    supported_groups: list[int]
    ec_point_formats: list[int]
    signature_algorithms: list[int]
    signature_algorithms_cert: list[int]
    delegated_credentials: list[int]
    key_share_groups: list[int]
    psk_key_exchange_modes: list[int]
    compress_certificate_algorithms: list[int]
    application_settings: list[str]
    record_size_limit: int | None
    padding_length: int | None
    raw: str


class NegotiatedReport(TypedDict):
    version: str | None
    cipher: str | None
    alpn: str | None


class TLSReport(TypedDict):
    ja3: str
    ja3_hash: str
    ja3n: str
    ja3n_hash: str
    ja4: str
    ja4_r: str
    ja4_o: str
    ja4_ro: str
    client_hello: ClientHelloReport
    negotiated: NegotiatedReport


class PriorityReport(TypedDict):
    stream_id: int
    exclusive: bool
    depends_on: int
    weight: int


class HTTP2Report(TypedDict):
    akamai: str
    akamai_hash: str
    settings: list[list[int]]
    window_update: int | None
    priority_frames: list[PriorityReport]
    pseudo_header_order: list[str]
    headers_frame_priority: PriorityReport | None
    frames: list[dict[str, int | str]]


class ConnectionReport(TypedDict):
    id: int
    request: int


class FingerprintDocument(TypedDict):
    http_version: str
    method: str
    path: str
    headers: list[list[str]]
    pseudo_headers: list[list[str]]
    tls: TLSReport
    http2: HTTP2Report | None
    connection: ConnectionReport


def _names(values: tuple[bytes, ...]) -> list[str]:
    return [value.decode("ascii", "backslashreplace") for value in values]


def client_hello_report(hello: ClientHello) -> ClientHelloReport:
    return {
        "record_version": hello.record_version,
        "legacy_version": hello.legacy_version,
        "random": hello.random.hex(),
        "session_id": hello.session_id.hex(),
        "cipher_suites": list(hello.cipher_suites),
        "compression_methods": list(hello.compression_methods),
        "extensions": [
            {"type": ext.type, "name": ext.name, "length": len(ext.data), "data": ext.data.hex()}
            for ext in hello.extensions
        ],
        "server_name": hello.server_name,
        "alpn": _names(hello.alpn_protocols),
        "supported_versions": list(hello.supported_versions),
        "supported_groups": list(hello.supported_groups),
        "ec_point_formats": list(hello.ec_point_formats),
        "signature_algorithms": list(hello.signature_algorithms),
        "signature_algorithms_cert": list(hello.signature_algorithms_cert),
        "delegated_credentials": list(hello.delegated_credentials),
        "key_share_groups": list(hello.key_share_groups),
        "psk_key_exchange_modes": list(hello.psk_key_exchange_modes),
        "compress_certificate_algorithms": list(hello.compress_certificate_algorithms),
        "application_settings": _names(hello.application_settings),
        "record_size_limit": hello.record_size_limit,
        "padding_length": hello.padding_length,
        "raw": hello.raw.hex(),
    }


def tls_report(hello: ClientHello, negotiated: NegotiatedReport | None = None) -> TLSReport:
    """
    Return every TLS fingerprint of `hello` plus its decoded fields.

    `negotiated` is what the handshake settled on; it is only known to a live server.
    """
    return {
        "ja3": ja3(hello),
        "ja3_hash": ja3_hash(hello),
        "ja3n": ja3n(hello),
        "ja3n_hash": ja3n_hash(hello),
        "ja4": ja4(hello),
        "ja4_r": ja4_r(hello),
        "ja4_o": ja4_o(hello),
        "ja4_ro": ja4_ro(hello),
        "client_hello": client_hello_report(hello),
        "negotiated": negotiated or {"version": None, "cipher": None, "alpn": None},
    }


def _priority(priority: Priority) -> PriorityReport:
    return {
        "stream_id": priority.stream_id,
        "exclusive": priority.exclusive,
        "depends_on": priority.depends_on,
        "weight": priority.weight,
    }


def http2_report(recorder: Http2Recorder) -> HTTP2Report:
    """Return the connection-level HTTP/2 fingerprint recorded so far."""
    first: HeaderBlock | None = recorder.first_headers
    return {
        "akamai": recorder.akamai,
        "akamai_hash": recorder.akamai_hash,
        "settings": [[ident, value] for ident, value in recorder.settings or []],
        "window_update": recorder.window_update,
        "priority_frames": [_priority(p) for p in recorder.priority_frames],
        "pseudo_header_order": list(first.pseudo_header_order) if first else [],
        "headers_frame_priority": _priority(first.priority) if first and first.priority else None,
        "frames": list(recorder.frames),
    }
