"""Proxies with Client and AsyncClient against maintained third-party proxy servers from PyPI
(tests/servers/third_party_proxies.py: proxy.py for HTTP CONNECT, tiny-proxy for SOCKS5 and
HTTP CONNECT), each in its own process and requiring credentials.

What each success proves the request went through the proxy by, independently of the client:
the socket the origin server accepted belongs to the proxy's process, the test process holds
no connection to the origin but one to the proxy, and the proxy's own log names the target.
Refusals are checked right after a successful login (pproxy 2.7.9 accepted anything then), and
the wrong password must appear in no text the client produces."""

from __future__ import annotations

import logging
import os
import traceback

import psutil
import pytest

import tls_requests
from tests.conftest import PROXY_PASSWORD, PROXY_USERNAME
from tests.integration._modes import ClientMode, EitherClient
from tests.servers import HypercornServer
from tests.servers.third_party_proxies import ThirdPartyProxy

SECRET = "s3cr3t-Pa55"  # a wrong password that must never show up anywhere

PROXIES = {
    # name: (fixture, proxy URL scheme)
    "proxy.py-http": ("proxypy_http_proxy", "http"),
    "tiny-proxy-http": ("tiny_http_proxy", "http"),
    "tiny-proxy-socks5": ("tiny_socks5_proxy", "socks5"),
    # socks5h: the proxy, not the client, resolves `localhost`.
    "tiny-proxy-socks5h": ("tiny_socks5_proxy", "socks5h"),
}

CREDENTIALS = {
    "wrong-password": (PROXY_USERNAME, SECRET),
    "wrong-username": ("not-" + PROXY_USERNAME, PROXY_PASSWORD),
    "missing": None,
}


def _proxy(request: pytest.FixtureRequest, name: str) -> tuple[ThirdPartyProxy, str]:
    """The proxy and its URL with the right credentials, in the scheme `name` uses."""
    fixture, scheme = PROXIES[name]
    proxy: ThirdPartyProxy = request.getfixturevalue(fixture)
    return proxy, proxy.url_with_auth(PROXY_USERNAME, PROXY_PASSWORD, scheme)


def _bare_url(proxy: ThirdPartyProxy, name: str) -> str:
    """The proxy's URL without credentials, in the scheme `name` uses."""
    return f"{PROXIES[name][1]}://{proxy.host}:{proxy.port}"


def _own_connections() -> dict[tuple[str, int], int]:
    """Local (ip, port) -> remote port of every connected TCP socket of the test process."""
    connections = psutil.Process(os.getpid()).net_connections(kind="tcp")
    return {(c.laddr.ip, c.laddr.port): c.raddr.port for c in connections if c.laddr and c.raddr}


async def _get_through(
    client: EitherClient, proxy: ThirdPartyProxy, server: HypercornServer
) -> tls_requests.Response:
    """GET /echo on `server` (a new connection) and check, while it is open, who connected."""
    server.reset_counts()
    before = _own_connections()
    response = await client.get(server.url_for("/echo"))
    assert response.status_code == 200
    peers = server.accepted_peers()
    assert len(peers) == 1, peers
    # The connection the server accepted is one of the proxy's sockets, not the test process's
    # (where the client runs)...
    assert peers[0] in proxy.local_addresses(), (peers, proxy)
    after = _own_connections()
    assert peers[0] not in after
    # ...and the client opened a new connection to the proxy for it.
    new = {local: port for local, port in after.items() if local not in before}
    assert proxy.port in new.values(), new
    return response


@pytest.mark.parametrize("name", list(PROXIES))
async def test_requests_go_through_the_proxy(
    mode: ClientMode,
    request: pytest.FixtureRequest,
    https_server: HypercornServer,
    http_server: HypercornServer,
    name: str,
) -> None:
    proxy, url = _proxy(request, name)
    mark = proxy.log_mark()
    async with mode.client(proxy=url) as client:
        secure = await _get_through(client, proxy, https_server)
        plain = await _get_through(client, proxy, http_server)
    assert secure.json()["scheme"] == "https"
    assert plain.json()["scheme"] == "http"
    # The proxy's own log names both targets (proxy.py logs a tunnel when it closes).
    for server in (https_server, http_server):
        assert proxy.wait_for_log(proxy.tunnel_pattern(server.port), since=mark), proxy.log_text()
    assert not proxy.wait_for_log(proxy.refusal_pattern, since=mark, timeout=0)


@pytest.mark.parametrize("name", list(PROXIES))
async def test_proxy_object_with_separate_auth(
    mode: ClientMode, request: pytest.FixtureRequest, https_server: HypercornServer, name: str
) -> None:
    proxy, _ = _proxy(request, name)
    proxy_object = tls_requests.Proxy(_bare_url(proxy, name), auth=(PROXY_USERNAME, PROXY_PASSWORD))
    async with mode.client(proxy=proxy_object) as client:
        await _get_through(client, proxy, https_server)


@pytest.mark.parametrize("name", list(PROXIES))
@pytest.mark.parametrize("credentials", list(CREDENTIALS))
async def test_bad_credentials_are_refused_after_a_good_login(
    mode: ClientMode,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    https_server: HypercornServer,
    name: str,
    credentials: str,
) -> None:
    caplog.set_level(logging.DEBUG, logger="tls_requests")
    proxy, good_url = _proxy(request, name)
    # A successful login from this address first: a proxy that remembers it (as pproxy does)
    # would then let the bad attempts below through.
    mark = proxy.log_mark()
    async with mode.client(proxy=good_url) as client:
        await _get_through(client, proxy, https_server)
    # proxy.py logs a tunnel once it closed: wait for that, so later lines are the bad attempt's.
    assert proxy.wait_for_log(proxy.tunnel_pattern(https_server.port), since=mark)

    pair = CREDENTIALS[credentials]
    bad_url = (
        _bare_url(proxy, name) if pair is None else proxy.url_with_auth(*pair, PROXIES[name][1])
    )
    mark = proxy.log_mark()
    https_server.reset_counts()
    async with mode.client(proxy=bad_url) as client:
        with pytest.raises(tls_requests.ProxyError) as info:
            await client.get(https_server.url_for("/echo"))
        texts = [repr(client.raw), str(info.value), repr(info.value)]
    exc = info.value
    texts.append("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    texts += [record.getMessage() for record in caplog.records]
    assert all(SECRET not in text for text in texts)
    # Refused by the proxy itself: it logged the refusal and opened no tunnel.
    assert https_server.connection_count() == 0
    assert proxy.wait_for_log(proxy.refusal_pattern, since=mark), proxy.log_text()[mark:]
    assert not proxy.wait_for_log(proxy.tunnel_pattern(https_server.port), since=mark, timeout=0)

    # And the right credentials still work afterwards.
    async with mode.client(proxy=good_url) as client:
        await _get_through(client, proxy, https_server)
