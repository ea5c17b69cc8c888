"""The client's cookie jar against real Set-Cookie headers, with Client and AsyncClient:
domain, path, expiry and Secure rules, per-request cookies, and a jar shared between clients."""

from __future__ import annotations

import asyncio
from http.cookiejar import CookieJar

import tls_requests
from tests.integration._modes import ClientMode


async def _sent(client, url: str, **kwargs) -> dict[str, str]:
    """The cookies the server received for `url`."""
    cookies: dict[str, str] = (await client.get(url, **kwargs)).json()["cookies"]
    return cookies


async def test_jar_is_updated_by_responses_and_sent_later(mode: ClientMode, https_server) -> None:
    async with mode.client() as client:
        response = await client.get(https_server.url_for("/cookies/set?a=1&b=2"))
        assert dict(response.cookies) == {"a": "1", "b": "2"}
        assert dict(client.cookies) == {"a": "1", "b": "2"}
        assert await _sent(client, https_server.url_for("/cookies")) == {"a": "1", "b": "2"}
        # A later response replaces a value, another deletes one.
        await client.get(https_server.url_for("/cookies/set?a=3"))
        await client.get(https_server.url_for("/cookies/delete?b"))
        assert dict(client.cookies) == {"a": "3"}
        assert await _sent(client, https_server.url_for("/cookies")) == {"a": "3"}


async def test_host_only_cookie_stays_on_its_host(mode: ClientMode, https_server) -> None:
    async with mode.client() as client:
        await client.get(https_server.url_for("/cookies/set?h=1"))
        assert await _sent(client, https_server.url_for("/cookies")) == {"h": "1"}
        # 127.0.0.1 is the same server, but another host.
        assert await _sent(client, https_server.url_for("/cookies", host="127.0.0.1")) == {}
        cookie = next(iter(client.cookies.jar))
        assert (cookie.domain, cookie.domain_specified) == ("localhost", False)


async def test_domain_attribute(mode: ClientMode, https_server) -> None:
    async with mode.client() as client:
        # A Domain the host does not match is refused; its own name is accepted.
        await client.get(
            https_server.url_for("/cookies/set_attrs"),
            params={"name": "other", "value": "x", "domain": "example.org"},
        )
        await client.get(
            https_server.url_for("/cookies/set_attrs"),
            params={"name": "mine", "value": "y", "domain": "localhost"},
        )
        assert dict(client.cookies) == {"mine": "y"}
        assert client.cookies.get("mine", domain="localhost") == "y"


async def test_path_attribute(mode: ClientMode, https_server) -> None:
    async with mode.client() as client:
        await client.get(
            https_server.url_for("/cookies/set_attrs"),
            params={"name": "p", "value": "1", "path": "/cookies"},
        )
        assert await _sent(client, https_server.url_for("/cookies")) == {"p": "1"}
        echo = (await client.get(https_server.url_for("/echo"))).json()
        assert "cookie" not in dict(echo["headers"])


async def test_expiry(mode: ClientMode, https_server) -> None:
    async with mode.client() as client:
        await client.get(
            https_server.url_for("/cookies/set_attrs"),
            params={"name": "short", "value": "1", "max_age": "1"},
        )
        await client.get(
            https_server.url_for("/cookies/set_attrs"),
            params={"name": "long", "value": "2", "expires_in": "3600"},
        )
        # An Expires in the past deletes at once.
        await client.get(
            https_server.url_for("/cookies/set_attrs"),
            params={"name": "gone", "value": "3", "expires_in": "-60"},
        )
        assert await _sent(client, https_server.url_for("/cookies")) == {"short": "1", "long": "2"}
        await asyncio.sleep(2.1)
        assert await _sent(client, https_server.url_for("/cookies")) == {"long": "2"}


async def test_secure_cookies_only_over_https(mode: ClientMode, https_server, http_server) -> None:
    # Cookies ignore ports (RFC 6265 section 8.5): both servers are host `localhost`.
    async with mode.client() as client:
        await client.get(
            https_server.url_for("/cookies/set_attrs"),
            params={"name": "sec", "value": "1", "secure": "1"},
        )
        await client.get(https_server.url_for("/cookies/set?plain=2"))
        assert await _sent(client, https_server.url_for("/cookies")) == {"sec": "1", "plain": "2"}
        assert await _sent(client, http_server.url_for("/cookies")) == {"plain": "2"}
        # A plain-http response cannot set a Secure cookie.
        await client.get(
            http_server.url_for("/cookies/set_attrs"),
            params={"name": "fake", "value": "1", "secure": "1"},
        )
        assert "fake" not in client.cookies


async def test_per_request_cookies_are_merged_not_stored(mode: ClientMode, https_server) -> None:
    async with mode.client(cookies={"client": "c"}) as client:
        await client.get(https_server.url_for("/cookies/set?jar=j"))
        sent = await _sent(client, https_server.url_for("/cookies"), cookies={"req": "r"})
        assert sent == {"client": "c", "jar": "j", "req": "r"}
        # A per-request value wins over the jar's for that request only.
        sent = await _sent(client, https_server.url_for("/cookies"), cookies={"jar": "override"})
        assert sent["jar"] == "override"
        assert dict(client.cookies) == {"client": "c", "jar": "j"}
        assert await _sent(client, https_server.url_for("/cookies")) == {"client": "c", "jar": "j"}


async def test_read_set_delete(mode: ClientMode, https_server) -> None:
    async with mode.client() as client:
        client.cookies.set("manual", "1", domain="localhost")
        client.cookies["anywhere"] = "2"
        assert await _sent(client, https_server.url_for("/cookies")) == {
            "manual": "1",
            "anywhere": "2",
        }
        # A domain cookie for localhost is not sent to 127.0.0.1; one without a domain is.
        other = await _sent(client, https_server.url_for("/cookies", host="127.0.0.1"))
        assert other == {"anywhere": "2"}
        del client.cookies["anywhere"]
        client.cookies.delete("manual", domain="localhost")
        assert dict(client.cookies) == {}
        assert await _sent(client, https_server.url_for("/cookies")) == {}
        client.cookies = {"replaced": "3"}  # the setter replaces the jar
        assert await _sent(client, https_server.url_for("/cookies")) == {"replaced": "3"}
        client.cookies.clear()
        assert await _sent(client, https_server.url_for("/cookies")) == {}


async def test_jar_shared_between_clients(mode: ClientMode, https_server) -> None:
    jar = CookieJar()
    # A Client and an AsyncClient (whatever this mode is) on one jar.
    other_mode = ClientMode("sync" if mode.is_async else "async", mode.ca_bundle)
    async with mode.client(cookies=jar) as first, other_mode.client(cookies=jar) as second:
        await first.get(https_server.url_for("/cookies/set?shared=1"))
        assert await _sent(second, https_server.url_for("/cookies")) == {"shared": "1"}
        await second.get(https_server.url_for("/cookies/delete?shared"))
        assert dict(first.cookies) == {}
    assert len(jar) == 0


async def test_response_cookies(mode: ClientMode, https_server) -> None:
    async with mode.client() as client:
        response = await client.get(
            https_server.url_for("/cookies/set_attrs"),
            params={"name": "r", "value": "v", "path": "/x", "httponly": "1"},
        )
    assert isinstance(response.cookies, tls_requests.Cookies)
    assert response.cookies.get("r", path="/x") == "v"
