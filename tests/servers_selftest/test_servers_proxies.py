"""Self-tests of the proxy servers: they relay (provably), refuse bad auth, refuse non-loopback."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from tests.servers import HypercornServer, ProxyServer


def test_http_proxy_connect_tunnel(
    http_proxy: ProxyServer, https_server: HypercornServer, client_ssl: ssl.SSLContext
) -> None:
    http_proxy.reset_counts()
    with httpx.Client(proxy=http_proxy.url, verify=client_ssl, http2=True) as client:
        for _ in range(3):
            response = client.get(https_server.url_for("/echo"))
            assert response.status_code == 200
    assert response.http_version == "HTTP/2"  # ALPN works end to end through the tunnel
    assert http_proxy.seen_targets == [("localhost", https_server.port)]  # one tunnel, reused
    assert http_proxy.records[0].protocol == "CONNECT"
    assert http_proxy.connection_count() == 1


def test_http_proxy_forwards_plain_http(
    http_proxy: ProxyServer, http_server: HypercornServer
) -> None:
    http_proxy.reset_counts()
    with httpx.Client(proxy=http_proxy.url) as client:
        data = client.get(http_server.url_for("/echo?via=proxy")).json()
    assert data["path"] == "/echo"
    assert data["query"] == "via=proxy"
    names = [name.lower() for name, _ in data["headers"]]
    assert "proxy-authorization" not in names
    assert http_proxy.records[0].protocol == "FORWARD"
    assert http_proxy.seen_targets == [("localhost", http_server.port)]


def test_http_proxy_auth(
    http_proxy_auth: ProxyServer, https_server: HypercornServer, client_ssl: ssl.SSLContext
) -> None:
    http_proxy_auth.reset_counts()
    assert "tlsr-user:tlsr-pass@" in http_proxy_auth.url
    with httpx.Client(proxy=http_proxy_auth.url, verify=client_ssl) as client:
        assert client.get(https_server.url_for("/echo")).status_code == 200
    for url in (
        http_proxy_auth.url_without_auth,
        http_proxy_auth.url_with_auth("tlsr-user", "bad"),
    ):
        # A success just before must not make later attempts pass (pproxy's flaw).
        client = httpx.Client(proxy=url, verify=client_ssl)
        with client, pytest.raises(httpx.ProxyError, match="407"):
            client.get(https_server.url_for("/echo"))
    assert http_proxy_auth.auth_failures == 2
    assert http_proxy_auth.seen_targets == [("localhost", https_server.port)]


def test_http_proxy_auth_forward_gets_407(
    http_proxy_auth: ProxyServer, http_server: HypercornServer
) -> None:
    with httpx.Client(proxy=http_proxy_auth.url_without_auth) as client:
        response = client.get(http_server.url_for("/echo"))
    assert response.status_code == 407
    assert response.headers["proxy-authenticate"].startswith("Basic ")


@pytest.mark.parametrize("fixture", ["socks5_proxy", "socks5_proxy_auth"])
def test_socks5_proxy(
    request: pytest.FixtureRequest,
    fixture: str,
    https_server: HypercornServer,
    client_ssl: ssl.SSLContext,
) -> None:
    proxy: ProxyServer = request.getfixturevalue(fixture)
    proxy.reset_counts()
    with httpx.Client(proxy=proxy.url, verify=client_ssl, http2=True) as client:
        assert client.get(https_server.url_for("/echo")).json()["http_version"] == "2"
    assert proxy.seen_targets == [("localhost", https_server.port)]
    assert proxy.records[0].detail["address_type"] == "domain"  # name resolved by the proxy


def test_socks5_proxy_refuses_bad_auth(
    socks5_proxy_auth: ProxyServer, https_server: HypercornServer
) -> None:
    # Raw sockets, because httpcore leaks its socket when a SOCKS handshake fails (a
    # ResourceWarning that -W error would turn into a failure of an unrelated test).
    socks5_proxy_auth.reset_counts()
    target = b"\x01\x00\x01\x7f\x00\x00\x01" + https_server.port.to_bytes(2, "big")
    good = b"\x05\x01\x02" + b"\x01\x09tlsr-user\x09tlsr-pass" + b"\x05" + target
    with socket.create_connection(("127.0.0.1", socks5_proxy_auth.port), timeout=5) as sock:
        sock.sendall(good)
        reply = b""
        while len(reply) < 2 + 2 + 10 and (chunk := sock.recv(64)):
            reply += chunk
        assert reply[:4] == b"\x05\x02\x01\x00"  # method 0x02 chosen, login accepted
        assert reply[4:6] == b"\x05\x00"  # CONNECT succeeded
    # A good login just before must not let a bad one through (pproxy's flaw).
    bad = b"\x05\x01\x02" + b"\x01\x09tlsr-user\x03bad"
    assert _raw_exchange(socks5_proxy_auth.port, bad) == b"\x05\x02\x01\x01"
    assert _raw_exchange(socks5_proxy_auth.port, b"\x05\x01\x00") == b"\x05\xff"
    assert socks5_proxy_auth.auth_failures == 2
    assert socks5_proxy_auth.seen_targets == [("127.0.0.1", https_server.port)]
    assert socks5_proxy_auth.records[0].detail["address_type"] == "ipv4"


def _raw_exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(4096):
            chunks.append(chunk)
        return b"".join(chunks)


def test_http_proxy_wire_responses(
    http_proxy: ProxyServer, http_proxy_auth: ProxyServer, dead_proxy_url: str
) -> None:
    # Non-loopback targets are refused without even resolving the name.
    refused = _raw_exchange(http_proxy.port, b"CONNECT example.invalid:443 HTTP/1.1\r\n\r\n")
    assert refused.startswith(b"HTTP/1.1 403 ")
    # Nothing listening upstream -> 502.
    dead_port = dead_proxy_url.rsplit(":", 1)[1]
    bad_gateway = _raw_exchange(
        http_proxy.port, f"CONNECT 127.0.0.1:{dead_port} HTTP/1.1\r\n\r\n".encode()
    )
    assert bad_gateway.startswith(b"HTTP/1.1 502 ")
    # Header name matching is case-insensitive; the scheme too.
    token = "dGxzci11c2VyOnRsc3ItcGFzcw=="  # tlsr-user:tlsr-pass
    request = (
        f"CONNECT 127.0.0.1:{dead_port} HTTP/1.1\r\nproxy-authorization: basic {token}\r\n\r\n"
    )
    assert _raw_exchange(http_proxy_auth.port, request.encode()).startswith(b"HTTP/1.1 502 ")
    assert _raw_exchange(http_proxy.port, b"garbage\r\n\r\n").startswith(b"HTTP/1.1 400 ")


def test_socks5_wire_responses(socks5_proxy: ProxyServer, socks5_proxy_auth: ProxyServer) -> None:
    name = b"example.invalid"
    connect = b"\x05\x01\x00\x03" + bytes([len(name)]) + name + (443).to_bytes(2, "big")
    assert _raw_exchange(socks5_proxy.port, b"\x05\x01\x00" + connect) == b"\x05\x00" + bytes(
        [5, 2, 0, 1, 0, 0, 0, 0, 0, 0]
    )
    # Auth required but the client only offers "no auth": RFC 1928 says 0xFF.
    assert _raw_exchange(socks5_proxy_auth.port, b"\x05\x01\x00") == b"\x05\xff"
    # Wrong password: RFC 1929 failure status.
    login = b"\x01\x09tlsr-user\x03bad"
    assert _raw_exchange(socks5_proxy_auth.port, b"\x05\x01\x02" + login) == b"\x05\x02\x01\x01"


def test_dead_and_closing_proxies(
    dead_proxy_url: str,
    closing_proxy_url: str,
    https_server: HypercornServer,
    client_ssl: ssl.SSLContext,
) -> None:
    for url in (dead_proxy_url, closing_proxy_url):
        errors = (httpx.ProxyError, httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)
        client = httpx.Client(proxy=url, verify=client_ssl, timeout=5)
        with client, pytest.raises(errors):
            client.get(https_server.url_for("/echo"))


def test_https_proxy(
    https_proxy: ProxyServer, https_server: HypercornServer, client_ssl: ssl.SSLContext
) -> None:
    https_proxy.reset_counts()
    assert https_proxy.url.startswith("https://")
    proxy = httpx.Proxy(https_proxy.url, ssl_context=client_ssl)
    with httpx.Client(proxy=proxy, verify=client_ssl) as client:
        assert client.get(https_server.url_for("/echo")).status_code == 200
    assert https_proxy.seen_targets == [("localhost", https_server.port)]
