"""HTTP/3 (opt-in `http3=True`) with Client and AsyncClient, against a local hypercorn server
that also speaks QUIC (aioquic), and what the opt-in does where HTTP/3 is not available.

tls-client v1.15.1 races QUIC against TCP (racer.go): QUIC starts at once, TCP 300 ms later,
the first response wins and the winner is remembered per host:port. docs/http3.md explains
the caveats these tests pin down."""

from __future__ import annotations

import hashlib
import time

import pytest

from tests.integration._modes import ClientMode


async def test_http3_is_used_when_the_server_offers_it(mode: ClientMode, http3_server) -> None:
    async with mode.client(http3=True) as client:
        for _ in range(3):
            response = await client.get(http3_server.url_for("/echo"))
            assert response.http_version == "HTTP/3"
            assert response.json()["http_version"] == "3"


async def test_http3_is_off_by_default(mode: ClientMode, http3_server) -> None:
    async with mode.client() as client:
        response = await client.get(http3_server.url_for("/echo"))
    assert response.http_version == "HTTP/2"


async def test_bodies_over_http3(mode: ClientMode, http3_server) -> None:
    body = bytes(range(256)) * 8192  # 2 MiB, every byte value
    async with mode.client(http3=True) as client:
        await client.head(http3_server.url_for("/echo"))  # settle the race with a safe request
        echo = (await client.post(http3_server.url_for("/echo"), content=body)).json()
        raw = await client.post(http3_server.url_for("/echo_body"), content=body)
    assert echo["http_version"] == "3"
    assert echo["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert raw.content == body


async def test_falls_back_to_tcp_without_quic(mode: ClientMode, https_server) -> None:
    async with mode.client(http3=True) as client:
        started = time.monotonic()
        first = await client.get(https_server.url_for("/echo"))
        first_took = time.monotonic() - started
        started = time.monotonic()
        second = await client.get(https_server.url_for("/echo"))
        second_took = time.monotonic() - started
    assert first.http_version == second.http_version == "HTTP/2"
    # The first request to a host waits for TCP's 300 ms head start to pass; later ones go
    # straight to the remembered protocol.
    assert first_took >= 0.3
    assert second_took < first_took


async def test_proxy_disables_racing(mode: ClientMode, http3_server, http_proxy) -> None:
    # QUIC cannot go through an HTTP or SOCKS proxy; the proxy wins, over TCP.
    http_proxy.reset_counts()
    async with mode.client(http3=True, proxy=http_proxy.url) as client:
        response = await client.get(http3_server.url_for("/echo"))
    assert response.http_version == "HTTP/2"
    assert http_proxy.seen_targets == [("localhost", http3_server.port)]


async def test_first_request_to_a_host_is_raced_on_both_protocols(
    mode: ClientMode, http3_server
) -> None:
    # A slow first answer: QUIC's request is still in flight when TCP starts 300 ms later, so
    # the server sees the request over TCP as well. Hence: warm a host up with a safe request.
    http3_server.reset_counts()
    async with mode.client(http3=True) as client:
        response = await client.get(http3_server.url_for("/delay/1"))
    assert response.http_version == "HTTP/3"
    assert http3_server.connection_count() == 1  # the TCP side of the race


def test_http3_needs_http2(mode: ClientMode) -> None:
    with pytest.raises(ValueError, match="http2"):
        mode.new_client(http3=True, http2=False)
