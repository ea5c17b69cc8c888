"""
The JSON metadata that crosses the FFI boundary (docs/internals/ffi.md), as pure functions.

The key names here and the Go struct tags in go/internal/bridge/wire.go are the two definitions
of the format; tests/integration round-trips them through the real library.
"""

from __future__ import annotations

import json
import typing

from ._exceptions import LocalProtocolError

if typing.TYPE_CHECKING:
    from ._config import Timeout
    from ._models import Request

__all__: list[str] = []


class CustomProfileConfig(typing.TypedDict, total=False):
    ja3: str
    h2_settings: list[tuple[str, int]]
    connection_flow: int
    priority_frames: list[dict[str, typing.Any]]
    header_priority: dict[str, typing.Any] | None
    pseudo_header_order: list[str]
    signature_algorithms: list[str]
    supported_versions: list[str]
    key_share_curves: list[str]
    cert_compression_algos: list[str]
    alpn_protocols: list[str]
    alps_protocols: list[str]


class SessionConfig(typing.TypedDict):
    client_identifier: str
    custom_profile: CustomProfileConfig | None
    random_tls_extension_order: bool
    force_http1: bool
    http3: bool
    insecure_skip_verify: bool
    root_ca_pem: str
    client_cert_pem: str
    client_key_pem: str
    server_name: str
    max_idle_conns_per_host: int


class ResponseMeta(typing.TypedDict):
    status_code: int
    reason_phrase: str
    http_version: str
    url: str
    headers: list[tuple[str, str]]
    content_length: int


def encode_session_config(config: SessionConfig) -> bytes:
    return json.dumps(config, separators=(",", ":")).encode("utf-8")


def _check_header(name: str, value: str, request: Request) -> None:
    # Go refuses these too, but catching them here gives the typed error before any I/O.
    if not name or any(c in name for c in "\r\n\0:") or name != name.strip():
        raise LocalProtocolError(f"Invalid header name {name!r}", request=request)
    if any(c in value for c in "\r\n\0"):
        raise LocalProtocolError(
            f"Invalid header value for {name!r}: CR, LF or NUL", request=request
        )


def encode_request_meta(
    request: Request,
    *,
    timeout: Timeout,
    proxy: str,
    client_identifier: str,
    stream_body: bool,
    content_length: int,
) -> bytes:
    headers: list[tuple[str, str]] = []
    for name, value in request.headers.raw:
        _check_header(name, value, request)
        if stream_body and (
            name.lower() == "transfer-encoding"
            or (name.lower() == "content-length" and content_length < 0)
        ):
            # Go frames a streamed body itself, from content_length. A known length keeps
            # its header, so the header keeps its place in the browser's order.
            continue
        headers.append((name, value))
    meta = {
        "method": request.method,
        "url": str(request.url),
        "headers": headers,
        "proxy": proxy,
        "client_identifier": client_identifier,
        "timeout": timeout.as_dict(),
        "stream_body": stream_body,
        "content_length": content_length,
    }
    return json.dumps(meta, separators=(",", ":")).encode("utf-8")


def decode_response_meta(payload: bytes) -> ResponseMeta:
    data = json.loads(payload)
    data["headers"] = [(str(k), str(v)) for k, v in data.get("headers") or []]
    return typing.cast(ResponseMeta, data)
