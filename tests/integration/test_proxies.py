"""Proxies with Client and AsyncClient, against real proxy servers on loopback (tests/servers/
proxies.py): http, https (TLS to the proxy), socks5 and socks5h, with and without credentials;
per client and per request; rotation; failures; and credentials kept out of every text."""

from __future__ import annotations

import logging
import random
import traceback

import pytest

import tls_requests
from tests.conftest import PROXY_PASSWORD, PROXY_USERNAME
from tests.integration._modes import ClientMode

SECRET = "s3cr3t-Pa55"  # a wrong password that must never show up anywhere

PROXIES = {
    # name: (fixture, scheme replacement, SOCKS5 address type the proxy sees)
    "http": ("http_proxy", None, None),
    "http-auth": ("http_proxy_auth", None, None),
    "https-auth": ("https_proxy", None, None),
    "socks5": ("socks5_proxy", None, "ipv4"),
    "socks5-auth": ("socks5_proxy_auth", None, "ipv4"),
    "socks5h-auth": ("socks5_proxy_auth", "socks5h", "domain"),
}


def _proxy(request: pytest.FixtureRequest, name: str):
    fixture, scheme, _ = PROXIES[name]
    proxy = request.getfixturevalue(fixture)
    proxy.reset_counts()
    url = proxy.url if scheme is None else proxy.url.replace("socks5://", f"{scheme}://")
    return proxy, url


@pytest.mark.parametrize("name", list(PROXIES))
async def test_client_proxy_carries_https_and_http(
    mode: ClientMode, request: pytest.FixtureRequest, https_server, http_server, name: str
) -> None:
    proxy, url = _proxy(request, name)
    async with mode.client(proxy=url) as client:
        secure = await client.get(https_server.url_for("/echo"))
        plain = await client.get(http_server.url_for("/echo"))
    assert secure.status_code == plain.status_code == 200
    assert plain.json()["scheme"] == "http"
    records = [r for r in proxy.records if r.outcome == "ok"]
    assert [r.target[1] for r in records] == [https_server.port, http_server.port]
    assert proxy.auth_failures == 0
    address_type = PROXIES[name][2]
    if address_type is None:
        assert {r.protocol for r in records} == {"CONNECT"}
    else:
        assert [r.detail["address_type"] for r in records] == [address_type] * 2
        if "auth" in name:
            assert {r.detail["username"] for r in records} == {PROXY_USERNAME}


async def test_proxy_object_with_separate_auth(
    mode: ClientMode, https_server, http_proxy_auth
) -> None:
    http_proxy_auth.reset_counts()
    proxy = tls_requests.Proxy(
        http_proxy_auth.url_without_auth, auth=(PROXY_USERNAME, PROXY_PASSWORD)
    )
    async with mode.client(proxy=proxy) as client:
        assert (await client.get(https_server.url_for("/echo"))).status_code == 200
    assert len(http_proxy_auth.seen_targets) == 1


async def test_per_request_proxy(mode: ClientMode, https_server, http_proxy, socks5_proxy) -> None:
    http_proxy.reset_counts()
    socks5_proxy.reset_counts()
    https_server.reset_counts()
    async with mode.client() as client:
        await client.get(https_server.url_for("/echo"))  # direct
        await client.get(https_server.url_for("/echo"), proxy=http_proxy.url)
    assert len(http_proxy.seen_targets) == 1
    async with mode.client(proxy=http_proxy.url) as client:
        # A per-request proxy overrides the client's, for that request only.
        await client.get(https_server.url_for("/echo"), proxy=socks5_proxy.url)
        await client.get(https_server.url_for("/echo"))
    assert len(socks5_proxy.seen_targets) == 1
    assert len(http_proxy.seen_targets) == 2
    assert https_server.connection_count() == 4


def _carrier(proxies, before: list[int]) -> int:
    """Index of the one proxy whose record count grew since `before`."""
    grown = [i for i, proxy in enumerate(proxies) if len(proxy.seen_targets) > before[i]]
    assert len(grown) == 1, grown
    return grown[0]


async def _carriers(client, proxies, url: str, count: int, **kwargs) -> list[int]:
    carriers = []
    for _ in range(count):
        before = [len(proxy.seen_targets) for proxy in proxies]
        response = await client.get(url, **kwargs)
        assert response.status_code == 200
        carriers.append(_carrier(proxies, before))
    return carriers


@pytest.fixture
def three_proxies(http_proxy, http_proxy_auth, socks5_proxy):
    proxies = [http_proxy, http_proxy_auth, socks5_proxy]
    for proxy in proxies:
        proxy.reset_counts()
    return proxies


@pytest.mark.parametrize(
    ("strategy", "weights"), [("round_robin", None), ("random", None), ("weighted", [2, 0, 1])]
)
@pytest.mark.parametrize("where", ["client", "request"])
async def test_proxy_rotator(
    mode: ClientMode, https_h1_server, three_proxies, strategy, weights, where: str
) -> None:
    # /close ends every connection, so each request opens a new tunnel: the proxies' records
    # then say which proxy carried which request.
    urls = [proxy.url for proxy in three_proxies]
    rotator = tls_requests.ProxyRotator(
        urls, strategy=strategy, weights=weights, rng=random.Random(3)
    )
    twin = tls_requests.ProxyRotator(urls, strategy=strategy, weights=weights, rng=random.Random(3))
    proxies = [tls_requests.Proxy(url) for url in urls]
    expected = [proxies.index(twin.next()) for _ in range(12)]
    client_kwargs, request_kwargs = (
        ({"proxy": rotator}, {}) if where == "client" else ({}, {"proxy": rotator})
    )
    async with mode.client(**client_kwargs) as client:
        carriers = await _carriers(
            client, three_proxies, https_h1_server.url_for("/close"), 12, **request_kwargs
        )
    assert carriers == expected
    if strategy == "round_robin":
        assert carriers == [0, 1, 2] * 4
    elif strategy == "weighted":
        assert 1 not in carriers  # weight 0
    assert len(set(carriers)) > 1


async def test_failed_rotated_proxy_is_skipped(
    mode: ClientMode, https_server, http_proxy, dead_proxy_url
) -> None:
    http_proxy.reset_counts()
    rotator = tls_requests.ProxyRotator([dead_proxy_url, http_proxy.url], cooldown=60)
    async with mode.client(proxy=rotator) as client:
        with pytest.raises(tls_requests.ProxyError):
            await client.get(https_server.url_for("/echo"))
        # The dead proxy is cooling down: round robin now keeps to the live one.
        for _ in range(3):
            assert (await client.get(https_server.url_for("/echo"))).status_code == 200
    assert len(http_proxy.seen_targets) == 1  # one tunnel, reused
    rotator.mark_success(dead_proxy_url)
    assert rotator.next() == tls_requests.Proxy(dead_proxy_url)


@pytest.mark.parametrize("fixture", ["http_proxy_auth", "socks5_proxy_auth", "https_proxy"])
@pytest.mark.parametrize("credentials", ["wrong", "missing"])
async def test_wrong_credentials_are_refused(
    mode: ClientMode, request: pytest.FixtureRequest, https_server, fixture: str, credentials: str
) -> None:
    proxy = request.getfixturevalue(fixture)
    proxy.reset_counts()
    url = (
        proxy.url_with_auth(PROXY_USERNAME, SECRET)
        if credentials == "wrong"
        else proxy.url_without_auth
    )
    async with mode.client(proxy=url) as client:
        with pytest.raises(tls_requests.ProxyError) as info:
            await client.get(https_server.url_for("/echo"))
    assert SECRET not in str(info.value)
    assert proxy.seen_targets == []
    assert proxy.auth_failures == 1


@pytest.mark.parametrize("scheme", ["http", "https", "socks5", "socks5h"])
async def test_dead_proxy_raises_proxy_error(
    mode: ClientMode, https_server, dead_proxy_url, scheme: str
) -> None:
    url = dead_proxy_url.replace("http://", f"{scheme}://user:{SECRET}@")
    async with mode.client(proxy=url) as client:
        with pytest.raises(tls_requests.ProxyError) as info:
            await client.get(https_server.url_for("/echo"))
    assert SECRET not in str(info.value)


async def test_proxy_closing_the_connection_raises_proxy_error(
    mode: ClientMode, https_server, closing_proxy_url
) -> None:
    async with mode.client(proxy=closing_proxy_url) as client:
        with pytest.raises(tls_requests.ProxyError):
            await client.get(https_server.url_for("/echo"))


async def test_untrusted_https_proxy_raises_proxy_error(
    mode: ClientMode, https_server, https_proxy
) -> None:
    # Without the test CA the proxy's own certificate does not verify.
    async with mode.client(proxy=https_proxy.url, verify=True) as client:
        with pytest.raises(tls_requests.ProxyError):
            await client.get(https_server.url_for("/echo"))


@pytest.mark.parametrize("fixture", ["http_proxy_auth", "socks5_proxy_auth", "https_proxy"])
@pytest.mark.parametrize("how", ["client", "request", "rotator"])
async def test_credentials_never_leak(
    mode: ClientMode,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    https_server,
    dead_proxy_url,
    fixture: str,
    how: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    proxy = request.getfixturevalue(fixture)
    bad_url = proxy.url_with_auth(PROXY_USERNAME, SECRET)
    dead_url = dead_proxy_url.replace("http://", f"{proxy.scheme}://{PROXY_USERNAME}:{SECRET}@")
    texts: list[str] = []
    for url in (bad_url, dead_url):
        chosen = tls_requests.ProxyRotator([url]) if how == "rotator" else url
        client_kwargs, request_kwargs = (
            ({"proxy": chosen}, {}) if how != "request" else ({}, {"proxy": chosen})
        )
        async with mode.client(**client_kwargs) as client:
            texts += [repr(client), repr(client.raw._proxy)]
            with pytest.raises(tls_requests.ProxyError) as info:
                await client.get(https_server.url_for("/echo"), **request_kwargs)
        exc = info.value
        texts += [
            str(exc),
            repr(exc),
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        ]
        texts += [repr(exc.request), repr(exc.request.extensions), repr(exc.request.headers)]
        texts += [repr(tls_requests.Proxy(url)), str(tls_requests.Proxy(url).url)]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.__dict__) for record in caplog.records]
    assert all(SECRET not in text for text in texts)


async def test_trust_env(
    mode: ClientMode, monkeypatch: pytest.MonkeyPatch, https_server, http_proxy
) -> None:
    http_proxy.reset_counts()
    monkeypatch.setenv("HTTPS_PROXY", http_proxy.url)
    async with mode.client() as client:
        await client.get(https_server.url_for("/echo"))
    assert len(http_proxy.seen_targets) == 1
    async with mode.client(trust_env=False) as client:
        await client.get(https_server.url_for("/echo"))
    monkeypatch.setenv("NO_PROXY", "localhost")
    async with mode.client() as client:
        await client.get(https_server.url_for("/echo"))
    assert len(http_proxy.seen_targets) == 1
    # An explicit proxy wins over the environment; "host:port" means http://.
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.setenv("HTTPS_PROXY", http_proxy.url.removeprefix("http://"))
    async with mode.client() as client:
        await client.get(https_server.url_for("/echo"))
    assert len(http_proxy.seen_targets) == 2
