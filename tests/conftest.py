"""
Session-wide test servers (loopback only) and environment hygiene.

Servers start on first use and stop at the end of the session. Counters are cumulative, so a
test asserting on connections or proxy traffic calls `reset_counts()` first.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
import trustme

# `tests.servers` must import under plain `pytest` too, not only `python -m pytest` (which puts
# the repository root on sys.path by itself).
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.servers import (  # noqa: E402
    HypercornServer,
    ProxyServer,
    RawEchoServer,
    RawServer,
    TLSMaterial,
    make_tls_material,
)

PROXY_USERNAME = "tlsr-user"
PROXY_PASSWORD = "tlsr-pass"

# Proxy/CA variables a client would pick up from the environment (httpx's list, plus the
# requests/curl CA bundle variables), upper- and lower-case.
ENVIRONMENT_VARIABLES = {
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "SSLKEYLOGFILE",
}


@pytest.fixture(autouse=True)
def clean_environ() -> Iterator[None]:
    """Run every test without proxy/CA environment variables; restore them afterwards."""
    original = os.environ.copy()
    for name in list(os.environ):
        if name.upper() in ENVIRONMENT_VARIABLES:
            del os.environ[name]
    yield
    os.environ.clear()
    os.environ.update(original)


# -- TLS material ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tls_material(tmp_path_factory: pytest.TempPathFactory) -> TLSMaterial:
    """CA, server and client certificates as PEM files (see `servers.certs.TLSMaterial`)."""
    return make_tls_material(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def ca(tls_material: TLSMaterial) -> trustme.CA:
    return tls_material.ca


@pytest.fixture(scope="session")
def ca_bundle(tls_material: TLSMaterial) -> str:
    """Path of the CA certificate PEM that signs every test server certificate."""
    return str(tls_material.ca_pem)


@pytest.fixture(scope="session")
def client_cert(tls_material: TLSMaterial) -> tuple[str, str]:
    """(certificate chain PEM path, private key PEM path) accepted by `mtls_server`."""
    return str(tls_material.client_cert_pem), str(tls_material.client_key_pem)


# -- HTTP servers ---------------------------------------------------------------------------


def _serve(server: HypercornServer) -> Iterator[HypercornServer]:
    with server:
        yield server


@pytest.fixture(scope="session")
def https_server(tls_material: TLSMaterial) -> Iterator[HypercornServer]:
    """TLS, ALPN h2 + http/1.1; `.url` is `https://localhost:PORT/` (127.0.0.1 and ::1)."""
    yield from _serve(HypercornServer(tls=tls_material, name="https"))


@pytest.fixture(scope="session")
def https_h1_server(tls_material: TLSMaterial) -> Iterator[HypercornServer]:
    """TLS offering only http/1.1 in ALPN."""
    yield from _serve(HypercornServer(tls=tls_material, alpn=("http/1.1",), name="https-h1"))


@pytest.fixture(scope="session")
def http3_server(tls_material: TLSMaterial) -> Iterator[HypercornServer]:
    """Like `https_server`, plus HTTP/3 over QUIC on the same (UDP) port (hypercorn + aioquic)."""
    yield from _serve(HypercornServer(tls=tls_material, http3=True, name="http3"))


@pytest.fixture(scope="session")
def http_server() -> Iterator[HypercornServer]:
    """Cleartext HTTP/1.1 (h2c by upgrade or prior knowledge also works)."""
    yield from _serve(HypercornServer(name="http"))


@pytest.fixture(scope="session")
def mtls_server(tls_material: TLSMaterial) -> Iterator[HypercornServer]:
    """TLS server that requires a client certificate signed by the test CA."""
    server = HypercornServer(tls=tls_material, require_client_cert=True, name="mtls")
    yield from _serve(server)


@pytest.fixture(scope="session")
def perf_server(tls_material: TLSMaterial) -> Iterator[HypercornServer]:
    """TLS h2 + http/1.1 tuned for load: 2048 concurrent h2 streams, backlog 2048."""
    server = HypercornServer(
        tls=tls_material, h2_max_concurrent_streams=2048, backlog=2048, name="perf"
    )
    yield from _serve(server)


# -- proxies --------------------------------------------------------------------------------


def _proxy(kind: Literal["http", "socks5"], auth: bool) -> Iterator[ProxyServer]:
    username, password = (PROXY_USERNAME, PROXY_PASSWORD) if auth else (None, None)
    with ProxyServer(kind, username=username, password=password) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def http_proxy() -> Iterator[ProxyServer]:
    """HTTP proxy (CONNECT + absolute-form), no auth. `.url`, `.seen_targets`, `.records`."""
    yield from _proxy("http", auth=False)


@pytest.fixture(scope="session")
def http_proxy_auth() -> Iterator[ProxyServer]:
    """HTTP proxy requiring Basic `tlsr-user:tlsr-pass` (in `.url`; 407 otherwise)."""
    yield from _proxy("http", auth=True)


@pytest.fixture(scope="session")
def socks5_proxy() -> Iterator[ProxyServer]:
    yield from _proxy("socks5", auth=False)


@pytest.fixture(scope="session")
def socks5_proxy_auth() -> Iterator[ProxyServer]:
    """SOCKS5 proxy requiring RFC 1929 `tlsr-user:tlsr-pass` (in `.url`)."""
    yield from _proxy("socks5", auth=True)


@pytest.fixture(scope="session")
def https_proxy(tls_material: TLSMaterial) -> Iterator[ProxyServer]:
    """HTTP proxy reached over TLS (`https://127.0.0.1:PORT`, cert from the test CA), with auth."""
    tls = tls_material.server_context(["http/1.1"])
    credentials = {"username": PROXY_USERNAME, "password": PROXY_PASSWORD}
    with ProxyServer("http", tls=tls, name="https-proxy", **credentials) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def dead_proxy_url() -> Iterator[str]:
    """`http://127.0.0.1:PORT` where PORT is bound but not listening: connections are refused.

    Holding the bound socket for the session stops anything else from taking the port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


# -- misbehaving and recording servers ------------------------------------------------------


def _raw(server: RawServer) -> Iterator[RawServer]:
    with server:
        yield server


@pytest.fixture(scope="session")
def closing_server() -> Iterator[RawServer]:
    """Accepts TCP connections and closes them immediately."""
    yield from _raw(RawServer.closing())


@pytest.fixture(scope="session")
def closing_proxy_url(closing_server: RawServer) -> str:
    """A proxy URL whose server closes every connection immediately."""
    return f"http://127.0.0.1:{closing_server.port}"


@pytest.fixture(scope="session")
def blackhole_server() -> Iterator[RawServer]:
    """Accepts TCP and never answers: `.https_url` for TLS handshake timeouts, `.url` for reads."""
    yield from _raw(RawServer.blackhole())


@pytest.fixture(scope="session")
def garbage_server() -> Iterator[RawServer]:
    """Reads a request head, replies with bytes that are not HTTP, closes."""
    yield from _raw(RawServer.garbage())


@pytest.fixture(scope="session")
def truncated_server() -> Iterator[RawServer]:
    """Replies `Content-Length: 100` with only 10 body bytes, then closes."""
    yield from _raw(RawServer.truncated())


@pytest.fixture(scope="session")
def raw_echo_server(tls_material: TLSMaterial) -> Iterator[RawEchoServer]:
    """TLS + ALPN http/1.1 only; `.requests[i].head` is the exact request head bytes."""
    server = RawEchoServer(tls_material.server_context(["http/1.1"]), name="raw-echo")
    with server:
        yield server


@pytest.fixture(scope="session")
def raw_echo_h2_server(tls_material: TLSMaterial) -> Iterator[RawEchoServer]:
    """TLS + ALPN h2/http1.1; for HTTP/2 records pseudo-header order, SETTINGS, WINDOW_UPDATE."""
    server = RawEchoServer(tls_material.server_context(["h2", "http/1.1"]), name="raw-echo-h2")
    with server:
        yield server


# -- third-party proxies from PyPI (interop; see tests/servers/third_party_proxies.py) -------

from tests.servers.third_party_proxies import ThirdPartyProxy  # noqa: E402


def _third_party(
    implementation: Literal["proxy.py", "tiny-proxy"], kind: Literal["http", "socks5"]
) -> Iterator[ThirdPartyProxy]:
    credentials = {"username": PROXY_USERNAME, "password": PROXY_PASSWORD}
    with ThirdPartyProxy(implementation, kind, **credentials) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def proxypy_http_proxy() -> Iterator[ThirdPartyProxy]:
    """proxy.py (subprocess): HTTP CONNECT proxy requiring Basic `tlsr-user:tlsr-pass`."""
    yield from _third_party("proxy.py", "http")


@pytest.fixture(scope="session")
def tiny_http_proxy() -> Iterator[ThirdPartyProxy]:
    """tiny-proxy (subprocess): HTTP CONNECT proxy requiring Basic `tlsr-user:tlsr-pass`."""
    yield from _third_party("tiny-proxy", "http")


@pytest.fixture(scope="session")
def tiny_socks5_proxy() -> Iterator[ThirdPartyProxy]:
    """tiny-proxy (subprocess): SOCKS5 proxy requiring RFC 1929 `tlsr-user:tlsr-pass`."""
    yield from _third_party("tiny-proxy", "socks5")
