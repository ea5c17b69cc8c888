"""Client configuration with Client and AsyncClient: base_url, params/headers merging, timeouts,
verify= and cert= (mTLS), event hooks, and header/profile rotation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import tls_requests
from tests.integration._modes import ClientMode
from tls_requests._profiles import default_headers

# Connection-level WINDOW_UPDATE increments of the two profiles (FIELD_NOTES D).
CHROME_WINDOW_UPDATE = 15663105
FIREFOX_WINDOW_UPDATE = 12517377


async def test_base_url(mode: ClientMode, https_server) -> None:
    async with mode.client(base_url=https_server.url_for("/cookies")) as client:
        assert client.base_url == https_server.url_for("/cookies/")
        response = await client.get("set", params={"a": "1"})
        assert response.url == https_server.url_for("/cookies/set?a=1")
        assert (await client.get("/set?b=2")).url == https_server.url_for("/cookies/set?b=2")
        # An absolute URL ignores base_url.
        absolute = await client.get(https_server.url_for("/echo"))
        assert absolute.url == https_server.url_for("/echo")


async def test_params_are_merged(mode: ClientMode, https_server) -> None:
    async with mode.client(params={"client": "1", "shared": "c"}) as client:
        echo = (
            await client.get(
                https_server.url_for("/echo?inline=0"), params={"shared": "r", "x": "y z"}
            )
        ).json()
    assert echo["query"] == "inline=0&client=1&shared=r&x=y+z"


async def test_headers_are_merged(mode: ClientMode, https_server) -> None:
    headers = {"X-Client": "c", "X-Shared": "client", "Accept-Language": "de-DE"}
    async with mode.client(headers=headers) as client:
        echo = (
            await client.get(
                https_server.url_for("/echo"), headers={"X-Shared": "request", "X-Req": "r"}
            )
        ).json()
    received = dict(echo["headers"])
    assert received["x-client"] == "c"
    assert received["x-shared"] == "request"
    assert received["x-req"] == "r"
    # A user value replaces the browser's in its browser position.
    browser_order = [name.lower() for name, _ in default_headers("chrome_146", http2=True)]
    names = [name for name, _ in echo["headers"] if name != "host"]
    assert names[: len(browser_order)] == browser_order
    assert received["accept-language"] == "de-DE"
    assert names[len(browser_order) :] == ["x-client", "x-shared", "x-req"]


async def test_timeouts(mode: ClientMode, https_server) -> None:
    async with mode.client(timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(tls_requests.ReadTimeout):
            await client.get(https_server.url_for("/delay/2"))
        # Sub-second values are honoured, not truncated to 0 ("no limit").
        assert time.monotonic() - started < 1.5
        # A per-request timeout overrides the client's, for that request only.
        response = await client.get(https_server.url_for("/delay/0.5"), timeout=5)
        assert response.status_code == 200
        with pytest.raises(tls_requests.ReadTimeout):
            await client.get(https_server.url_for("/delay/2"))
        assert client.timeout == tls_requests.Timeout(0.3)
    async with mode.client(timeout=10) as client:
        with pytest.raises(tls_requests.ReadTimeout):
            await client.get(
                https_server.url_for("/delay/2"), timeout=tls_requests.Timeout(10, read=0.2)
            )
        response = await client.get(https_server.url_for("/delay/0.3"), timeout=None)
        assert response.status_code == 200


@pytest.mark.parametrize("kind", ["str", "path"])
async def test_verify_ca_bundle_path(
    mode: ClientMode, https_server, ca_bundle: str, kind: str
) -> None:
    verify = ca_bundle if kind == "str" else Path(ca_bundle)
    async with mode.client(verify=verify) as client:
        assert (await client.get(https_server.url_for("/echo"))).status_code == 200
    async with mode.client(verify=True) as client:
        with pytest.raises(tls_requests.TLSError):
            await client.get(https_server.url_for("/echo"))


@pytest.mark.parametrize("form", ["pair", "combined"])
async def test_client_certificate(mode: ClientMode, mtls_server, tls_material, form: str) -> None:
    if form == "pair":
        cert: object = (str(tls_material.client_cert_pem), str(tls_material.client_key_pem))
    else:
        cert = str(tls_material.client_pem)  # key and chain in one file
    async with mode.client(cert=cert) as client:
        response = await client.get(mtls_server.url_for("/echo"))
    assert response.status_code == 200


async def test_client_certificate_required(mode: ClientMode, mtls_server) -> None:
    # Over TLS 1.3 the server checks the certificate after the client finished its handshake,
    # so the refusal arrives as an alert (TLSError) or a closed connection (ReadError).
    async with mode.client() as client:
        with pytest.raises((tls_requests.TLSError, tls_requests.ReadError)):
            await client.get(mtls_server.url_for("/echo"))


async def test_every_event_hook_runs_on_every_hop(mode: ClientMode, https_server) -> None:
    calls: list[str] = []

    def record(tag: str):
        def hook(value) -> None:
            calls.append(f"{tag}:{value.url.path}")

        return hook

    hooks = {
        "request": [mode.hook(record("req1")), mode.hook(record("req2")), record("req3-sync")],
        "response": [mode.hook(record("resp1")), mode.hook(record("resp2"))],
    }
    async with mode.client(event_hooks=hooks, follow_redirects=True) as client:
        await client.get(https_server.url_for("/redirect/1"))
    assert calls == [
        "req1:/redirect/1",
        "req2:/redirect/1",
        "req3-sync:/redirect/1",
        "resp1:/redirect/1",
        "resp2:/redirect/1",
        "req1:/echo",
        "req2:/echo",
        "req3-sync:/echo",
        "resp1:/echo",
        "resp2:/echo",
    ]


async def test_hooks_can_change_requests_and_raise(mode: ClientMode, https_server) -> None:
    def stamp(request: tls_requests.Request) -> None:
        request.headers["X-Stamp"] = "hooked"

    def raise_on_4xx(response: tls_requests.Response) -> None:
        if response.is_error:
            response.raise_for_status()

    hooks = {"request": [mode.hook(stamp)], "response": [mode.hook(raise_on_4xx)]}
    async with mode.client(event_hooks=hooks) as client:
        echo = (await client.get(https_server.url_for("/echo"))).json()
        assert dict(echo["headers"])["x-stamp"] == "hooked"
        with pytest.raises(tls_requests.HTTPStatusError):
            await client.get(https_server.url_for("/status/404"))
        # Hooks can be replaced on a live client.
        seen: list[int] = []
        client.event_hooks = {"response": [mode.hook(lambda r: seen.append(r.status_code))]}
        await client.get(https_server.url_for("/status/404"))
        assert seen == [404]


async def test_header_rotator(mode: ClientMode, https_server) -> None:
    rotator = tls_requests.HeaderRotator(
        [{"User-Agent": "agent-A", "X-Set": "1"}, {"User-Agent": "agent-B", "X-Set": "2"}]
    )
    async with mode.client(headers=rotator) as client:
        echoes = [(await client.get(https_server.url_for("/echo"))).json() for _ in range(4)]
    seen = [(dict(e["headers"])["user-agent"], dict(e["headers"])["x-set"]) for e in echoes]
    assert seen == [("agent-A", "1"), ("agent-B", "2")] * 2


async def test_tls_identifier_rotator(mode: ClientMode, raw_echo_h2_server) -> None:
    raw_echo_h2_server.reset_counts()
    rotator = tls_requests.TLSIdentifierRotator(["chrome_146", "firefox"])
    async with mode.client(client_identifier=rotator) as client:
        echoes = [(await client.get(raw_echo_h2_server.url + "echo")).json() for _ in range(4)]
    agents = [dict(e["headers"])["user-agent"] for e in echoes]
    assert ["Chrome/" in a for a in agents] == [True, False, True, False]
    assert ["Firefox/" in a for a in agents] == [False, True, False, True]
    # Not just a header: each request went through its profile's own TLS + HTTP/2 stack.
    assert [e["h2_window_update"] for e in echoes] == [
        CHROME_WINDOW_UPDATE,
        FIREFOX_WINDOW_UPDATE,
    ] * 2
