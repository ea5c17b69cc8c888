"""Self-tests of the socket-level servers (misbehaving ones and the exact-bytes recorder)."""

from __future__ import annotations

import json
import socket
import ssl
import time

import httpx
import pytest

from tests.servers import RawEchoServer, RawServer, TLSMaterial


def test_blackhole_times_out(blackhole_server: RawServer, client_ssl: ssl.SSLContext) -> None:
    timeout = httpx.Timeout(5.0, connect=0.3, read=0.3)
    with httpx.Client(verify=client_ssl, timeout=timeout) as client:
        started = time.monotonic()
        with pytest.raises(httpx.ConnectTimeout):  # TLS handshake never answered
            client.get(blackhole_server.https_url)
        with pytest.raises(httpx.ReadTimeout):  # TCP fine, response never comes
            client.get(blackhole_server.url)
        assert time.monotonic() - started < 4


def test_closing_garbage_truncated(
    closing_server: RawServer, garbage_server: RawServer, truncated_server: RawServer
) -> None:
    with httpx.Client(timeout=5) as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError)):
            client.get(closing_server.url)
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(garbage_server.url)
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(truncated_server.url)


def test_closing_server_counts(closing_server: RawServer) -> None:
    closing_server.reset_counts()
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", closing_server.port), timeout=5) as sock:
            assert sock.recv(10) == b""
    assert closing_server.connection_count() == 3


def _tls_exchange(port: int, tls: TLSMaterial, requests: list[bytes]) -> list[dict[str, object]]:
    context = tls.client_context(alpn=["http/1.1"])
    replies = []
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    with raw, context.wrap_socket(raw, server_hostname="localhost") as sock:
        stream = sock.makefile("rb")
        for request in requests:
            sock.sendall(request)
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                head += stream.readline()
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            replies.append(json.loads(stream.read(length)))
        stream.close()
    return replies


def test_raw_echo_records_exact_head(
    raw_echo_server: RawEchoServer, tls_material: TLSMaterial
) -> None:
    raw_echo_server.reset_counts()
    first = (
        b"GET /x?y=1 HTTP/1.1\r\nHost: localhost\r\n"
        b"X-MiXeD:  two  spaces\r\nuser-agent: raw\r\n\r\n"
    )
    second = (
        b"POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    replies = _tls_exchange(raw_echo_server.port, tls_material, [first, second])
    assert replies[0]["head"] == first.decode()
    assert raw_echo_server.requests[0].head == first
    assert raw_echo_server.requests[0].headers[1] == ("X-MiXeD", "two  spaces")
    assert raw_echo_server.requests[1].body == b"hello world"
    assert raw_echo_server.connection_count() == 1  # keep-alive honoured


def test_raw_echo_with_httpx(raw_echo_server: RawEchoServer, client_ssl: ssl.SSLContext) -> None:
    raw_echo_server.reset_counts()
    with httpx.Client(verify=client_ssl, http2=True) as client:  # ALPN offers only http/1.1
        response = client.post(raw_echo_server.url + "p", content=b"abc", headers={"X-Test": "1"})
    assert response.http_version == "HTTP/1.1"
    recorded = raw_echo_server.requests[0]
    assert recorded.head.startswith(b"POST /p HTTP/1.1\r\nHost: localhost:")
    assert [name for name, _ in recorded.headers][:2] == ["Host", "Accept"]
    assert recorded.body == b"abc"


def test_raw_echo_h2_capture(raw_echo_h2_server: RawEchoServer, client_ssl: ssl.SSLContext) -> None:
    raw_echo_h2_server.reset_counts()
    with httpx.Client(verify=client_ssl, http2=True) as client:
        for _ in range(2):
            response = client.post(
                raw_echo_h2_server.url + "h2?q=1", content=b"body", headers={"X-A": "b"}
            )
    assert response.http_version == "HTTP/2"
    recorded = raw_echo_h2_server.requests[-1]
    assert recorded.http_version == "2"
    assert [name for name, _ in recorded.headers][:4] == [
        ":method",
        ":authority",
        ":scheme",
        ":path",
    ]
    assert ("x-a", "b") in recorded.headers
    assert recorded.body == b"body"
    assert recorded.h2_settings  # the client's first SETTINGS frame, in frame order
    assert response.json()["h2_settings"] == [list(item) for item in recorded.h2_settings]
    assert raw_echo_h2_server.connection_count() == 1
