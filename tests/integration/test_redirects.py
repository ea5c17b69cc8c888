"""Redirects, with Client and AsyncClient: history, limits, method/body rules, and what every
hop keeps (proxy, timeout, profile, cookies) or drops (Authorization across origins)."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import quote

import pytest

import tls_requests
from tests.integration._modes import ClientMode

BODY = bytes(range(256)) * 4096 + b"tail"  # 1 MiB + 4 bytes: every byte value


def _chain(*urls: str) -> str:
    """A URL redirecting through `urls` in order (each via /redirect_to), ending at the last."""
    target = urls[-1]
    for url in reversed(urls[:-1]):
        target = f"{url.rstrip('/')}/redirect_to?url={quote(target, safe='')}"
    return target


async def test_history_holds_every_hop(mode: ClientMode, https_server) -> None:
    async with mode.client(follow_redirects=True) as client:
        response = await client.get(https_server.url_for("/redirect/3"))
    assert response.status_code == 200
    assert response.url == https_server.url_for("/echo")
    assert [r.status_code for r in response.history] == [302, 302, 302]
    assert [str(r.url) for r in response.history] == [
        https_server.url_for(f"/redirect/{n}") for n in (3, 2, 1)
    ]
    # Every hop's response was read, so nothing is left open.
    assert all(r.is_closed for r in response.history)
    assert response.history[0].next_request is not None


async def test_relative_location(mode: ClientMode, https_server) -> None:
    async with mode.client(follow_redirects=True) as client:
        response = await client.get(https_server.url_for("/relative_redirect/3"))
    assert response.url == https_server.url_for("/echo")
    assert [r.headers["location"] for r in response.history] == [
        "/relative_redirect/2",
        "/relative_redirect/1",
        "/echo",
    ]


async def test_max_redirects(mode: ClientMode, https_server) -> None:
    async with mode.client(follow_redirects=True, max_redirects=2) as client:
        assert (await client.get(https_server.url_for("/redirect/2"))).status_code == 200
        with pytest.raises(tls_requests.TooManyRedirects):
            await client.get(https_server.url_for("/redirect/3"))
        # The client is still usable afterwards.
        assert (await client.get(https_server.url_for("/echo"))).status_code == 200


async def test_redirect_loop_raises(mode: ClientMode, https_server) -> None:
    async with mode.client(follow_redirects=True) as client:
        with pytest.raises(tls_requests.TooManyRedirects) as info:
            await client.get(https_server.url_for("/redirect_loop"))
    assert info.value.request.url == https_server.url_for("/redirect_loop")


@pytest.mark.parametrize("status", [301, 302, 303])
async def test_post_becomes_get_and_drops_the_body(
    mode: ClientMode, https_server, status: int
) -> None:
    url = https_server.url_for(f"/redirect_to?url=/echo&status={status}")
    async with mode.client(follow_redirects=True) as client:
        response = await client.post(url, content=b"payload", headers={"Content-Type": "x/y"})
    echo = response.json()
    assert response.history[0].status_code == status
    assert echo["method"] == "GET"
    assert echo["body_len"] == 0
    names = {name.lower() for name, _ in echo["headers"]}
    assert not names & {"content-type", "content-length", "transfer-encoding"}


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_307_308_keep_method_and_body(
    mode: ClientMode, https_server, status: int, method: str
) -> None:
    url = https_server.url_for(f"/redirect_to?url=/echo&status={status}")
    async with mode.client(follow_redirects=True) as client:
        response = await client.request(
            method, url, content=BODY, headers={"Content-Type": "application/x-test"}
        )
    echo = response.json()
    assert response.history[0].status_code == status
    assert echo["method"] == method
    assert echo["body_len"] == len(BODY)
    assert echo["body_sha256"] == hashlib.sha256(BODY).hexdigest()
    assert dict(echo["headers"])["content-type"] == "application/x-test"


async def test_303_keeps_head(mode: ClientMode, https_server) -> None:
    url = https_server.url_for("/redirect_to?url=/echo&status=303")
    async with mode.client(follow_redirects=True) as client:
        response = await client.request("HEAD", url)
    assert response.request.method == "HEAD"
    assert response.status_code == 200


async def test_streamed_body_cannot_be_replayed_by_307(mode: ClientMode, https_server) -> None:
    # As in httpx: a body sent from an iterator is gone once sent; read it first to replay it.
    url = https_server.url_for("/redirect_to?url=/echo&status=307")
    async with mode.client(follow_redirects=True) as client:
        with pytest.raises(tls_requests.StreamConsumed):
            await client.post(url, content=mode.body([b"a", b"b"]))
        # 303 needs no replay: the body is dropped.
        url = https_server.url_for("/redirect_to?url=/echo&status=303")
        response = await client.post(url, content=mode.body([b"a", b"b"]))
        assert response.json()["method"] == "GET"


@pytest.mark.parametrize("kind", ["http", "socks5", "socks5h"])
async def test_every_hop_goes_through_the_proxy(
    mode: ClientMode, https_server, http_proxy, socks5_proxy, kind: str
) -> None:
    proxy = http_proxy if kind == "http" else socks5_proxy
    proxy_url = proxy.url.replace("socks5://", "socks5h://") if kind == "socks5h" else proxy.url
    proxy.reset_counts()
    https_server.reset_counts()
    # Three origins on one server: each hop needs its own connection, so its own tunnel.
    hosts = ["localhost", "127.0.0.1", "::1"]
    url = _chain(*(https_server.url_for("/", host=host) for host in hosts[:-1]),
                 https_server.url_for("/echo", host=hosts[-1]))  # fmt: skip
    async with mode.client(proxy=proxy_url, follow_redirects=True) as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert len(response.history) == 2
    port = https_server.port
    if kind == "socks5":  # the client resolves names itself
        expected = [("127.0.0.1", port), ("127.0.0.1", port), ("::1", port)]
    else:  # the proxy is given the name
        expected = [(host, port) for host in hosts]
    assert proxy.seen_targets == expected
    # No hop bypassed the proxy: the server accepted exactly the proxied connections.
    assert https_server.connection_count() == len(expected)


async def test_per_request_proxy_is_kept_across_hops(
    mode: ClientMode, https_server, http_proxy, socks5_proxy
) -> None:
    http_proxy.reset_counts()
    socks5_proxy.reset_counts()
    url = _chain(https_server.url_for("/"), https_server.url_for("/echo", host="127.0.0.1"))
    async with mode.client(proxy=http_proxy.url, follow_redirects=True) as client:
        await client.get(url, proxy=socks5_proxy.url)
    assert http_proxy.seen_targets == []
    assert [host for host, _ in socks5_proxy.seen_targets] == ["127.0.0.1", "127.0.0.1"]


async def test_timeout_applies_to_later_hops(mode: ClientMode, https_server) -> None:
    url = https_server.url_for("/redirect_to?url=/delay/3")
    async with mode.client(follow_redirects=True, timeout=30) as client:
        started = time.monotonic()
        with pytest.raises(tls_requests.ReadTimeout):
            await client.get(url, timeout=0.5)
        assert time.monotonic() - started < 2.5


async def test_profile_is_kept_on_every_hop(mode: ClientMode, https_server) -> None:
    rotator = tls_requests.TLSIdentifierRotator(["firefox", "chrome_146"])
    async with mode.client(client_identifier=rotator, follow_redirects=True) as client:
        first = await client.get(https_server.url_for("/redirect/3"))
        second = await client.get(https_server.url_for("/redirect/2"))
    for response, browser in ((first, "Firefox/"), (second, "Chrome/")):
        hops = [*response.history, response]
        agents = {r.request.headers["User-Agent"] for r in hops}
        profiles = {r.request.extensions["client_identifier"] for r in hops}
        assert len(agents) == 1 and browser in agents.pop()
        assert len(profiles) == 1
        assert browser in dict(response.json()["headers"])["user-agent"]


async def test_cookies_set_inside_the_chain(mode: ClientMode, https_server) -> None:
    async with mode.client(follow_redirects=True) as client:
        response = await client.get(https_server.url_for("/cookies/set_and_redirect?a=1&b=2"))
        assert response.json()["cookies"] == {"a": "1", "b": "2"}
        assert dict(response.history[0].cookies) == {"a": "1", "b": "2"}
        assert dict(client.cookies) == {"a": "1", "b": "2"}
        # ... and they are sent on later requests too.
        later = await client.get(https_server.url_for("/cookies"))
        assert later.json()["cookies"] == {"a": "1", "b": "2"}


async def test_jar_cookies_follow_every_hop(mode: ClientMode, https_server) -> None:
    async with mode.client(follow_redirects=True, cookies={"session": "s1"}) as client:
        response = await client.get(https_server.url_for("/redirect_to?url=/cookies"))
    assert response.json()["cookies"] == {"session": "s1"}


def _credentials(how: str) -> dict[str, object]:
    """An Authorization header set by hand, or one that `auth=` sets."""
    if how == "header":
        return {"headers": {"Authorization": "Bearer t0k3n"}}
    return {"auth": ("user", "pass")}


@pytest.mark.parametrize("how", ["header", "auth"])
async def test_authorization_dropped_across_origins(
    mode: ClientMode, https_server, how: str
) -> None:
    # localhost and 127.0.0.1 are two origins of the same server.
    url = _chain(https_server.url_for("/"), https_server.url_for("/echo", host="127.0.0.1"))
    kwargs = _credentials(how)
    async with mode.client(follow_redirects=True) as client:
        response = await client.get(url, **kwargs)
    assert response.url.host == "127.0.0.1"
    assert "authorization" not in dict(response.json()["headers"])
    assert "Authorization" in response.history[0].request.headers


@pytest.mark.parametrize("how", ["header", "auth"])
async def test_authorization_kept_on_same_origin(mode: ClientMode, https_server, how: str) -> None:
    url = https_server.url_for("/redirect_to?url=/echo")
    kwargs = _credentials(how)
    async with mode.client(follow_redirects=True) as client:
        response = await client.get(url, **kwargs)
    expected = "Bearer t0k3n" if how == "header" else "Basic dXNlcjpwYXNz"
    assert dict(response.json()["headers"])["authorization"] == expected


async def test_follow_redirects_false_returns_the_3xx(mode: ClientMode, https_server) -> None:
    async with mode.client() as client:
        response = await client.get(https_server.url_for("/redirect/2"))
        assert response.status_code == 302
        assert response.is_redirect
        assert response.history == []
        assert response.next_request is not None
        assert response.next_request.url == https_server.url_for("/redirect/1")
        # Following by hand, one hop at a time.
        nxt = await client.send(response.next_request)
        assert nxt.next_request is not None
        assert nxt.next_request.url == https_server.url_for("/echo")
        # Per-request override of the client's setting, both ways.
        followed = await client.get(https_server.url_for("/redirect/2"), follow_redirects=True)
        assert followed.status_code == 200
    async with mode.client(follow_redirects=True) as client:
        response = await client.get(https_server.url_for("/redirect/2"), follow_redirects=False)
        assert response.status_code == 302


async def test_cookie_from_a_3xx_not_followed_lands_in_the_jar(
    mode: ClientMode, https_server
) -> None:
    async with mode.client() as client:
        response = await client.get(https_server.url_for("/cookies/set_and_redirect?k=v"))
        assert response.status_code == 302
        assert dict(client.cookies) == {"k": "v"}
