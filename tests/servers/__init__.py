"""
Local test servers for `tls_requests` (loopback only; nothing here touches the network).

* `server.HypercornServer` + `app.TestApp` - HTTP/1.1 + HTTP/2 over TLS (ALPN) or cleartext.
* `proxies.ProxyServer` - HTTP CONNECT/forwarding and SOCKS5 proxies, optional auth.
* `raw.RawServer` / `raw.RawEchoServer` - misbehaving servers and exact request capture.
* `certs` - trustme CA, server and client certificates; `payloads` - expected bodies.

Import it as `tests.servers` (the repository root is on sys.path under `python -m pytest`,
and tests/conftest.py adds it for plain `pytest`).
"""

from __future__ import annotations

from .app import TestApp
from .certs import TLSMaterial, make_tls_material
from .proxies import ProxyRecord, ProxyServer
from .raw import RawEchoServer, RawServer, RecordedRequest
from .server import HypercornServer

__all__ = [
    "HypercornServer",
    "ProxyRecord",
    "ProxyServer",
    "RawEchoServer",
    "RawServer",
    "RecordedRequest",
    "TLSMaterial",
    "TestApp",
    "make_tls_material",
]
