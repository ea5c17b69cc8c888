"""The AsyncClient end to end, mirroring test_client_sync.py: the same API, awaited."""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import typing
from collections.abc import AsyncIterator

import pytest

import tls_requests
from tls_requests import _ffi
from tls_requests._profiles import default_headers


@pytest.fixture
async def client(ca_bundle: str) -> AsyncIterator[tls_requests.AsyncClient]:
    async with tls_requests.AsyncClient(verify=ca_bundle) as client:
        yield client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- requests and responses -------------------------------------------------------------------


async def test_get_over_http2(client: tls_requests.AsyncClient, https_server) -> None:
    response = await client.get(https_server.url_for("/json"))
    assert response.status_code == 200
    assert response.http_version == "HTTP/2"
    assert response.reason_phrase == "OK"
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == json.loads(response.content)
    assert response.url == https_server.url_for("/json")
    assert response.is_closed
    assert response.elapsed.total_seconds() > 0


async def test_http2_false_forces_http11(ca_bundle: str, https_server) -> None:
    async with tls_requests.AsyncClient(verify=ca_bundle, http2=False) as client:
        echo = (await client.get(https_server.url_for("/echo"))).json()
    assert echo["http_version"] == "1.1"


async def test_plain_http(client: tls_requests.AsyncClient, http_server) -> None:
    response = await client.get(http_server.url_for("/echo"))
    assert response.json()["scheme"] == "http"


@pytest.mark.parametrize("server_name", ["https_server", "https_h1_server"])
async def test_sequential_requests_reuse_one_connection(
    client: tls_requests.AsyncClient, server_name: str, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue(server_name)
    server.reset_counts()
    for _ in range(20):
        assert (await client.get(server.url_for("/echo"))).status_code == 200
    assert server.connection_count() == 1


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_verbs(client: tls_requests.AsyncClient, https_server, method: str) -> None:
    response = await getattr(client, method.lower())(https_server.url_for("/echo"))
    assert response.json()["method"] == method


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
async def test_request_method_url(client: tls_requests.AsyncClient, https_server, method) -> None:
    response = await client.request(method, https_server.url_for("/echo"))
    assert response.status_code == 200
    if method == "HEAD":
        assert response.content == b""
    else:
        assert response.json()["method"] == method


async def test_head_204_304_have_empty_bodies(
    client: tls_requests.AsyncClient, https_server
) -> None:
    assert (await client.head(https_server.url_for("/bytes/1000"))).content == b""
    assert (await client.get(https_server.url_for("/status/204"))).content == b""
    assert (await client.get(https_server.url_for("/status/304"))).status_code == 304


async def test_profile_headers_are_sent_in_browser_order(
    client: tls_requests.AsyncClient, https_server
) -> None:
    echo = (await client.get(https_server.url_for("/echo"))).json()
    received = [name for name, _ in echo["headers"] if name != "host"]
    assert received == [name.lower() for name, _ in default_headers("chrome_146", http2=True)]


async def test_json_form_and_binary_bodies(client: tls_requests.AsyncClient, https_server) -> None:
    echo = (await client.post(https_server.url_for("/echo"), json={"a": [1, 2]})).json()
    assert json.loads(echo["body"]) == {"a": [1, 2]}
    form = (await client.post(https_server.url_for("/form"), data={"k": "v"})).json()
    assert form["form"] == [["k", "v"]]
    body = bytes(range(256)) * 4096 + b"tail"
    echoed = await client.put(https_server.url_for("/echo_body"), content=body)
    assert echoed.content == body


async def test_streamed_upload_from_async_iterator(
    client: tls_requests.AsyncClient, https_server
) -> None:
    chunks = [b"a" * 1000, b"b" * 70_000, b"c"]

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    echo = (await client.post(https_server.url_for("/echo"), content=body())).json()
    assert echo["body_sha256"] == hashlib.sha256(b"".join(chunks)).hexdigest()


async def test_build_request_and_send(client: tls_requests.AsyncClient, https_server) -> None:
    request = client.build_request("GET", https_server.url_for("/echo"), headers={"X-A": "1"})
    response = await client.send(request)
    assert response.request is request
    assert dict(response.json()["headers"])["x-a"] == "1"


async def test_send_stream_true_leaves_the_body_unread(
    client: tls_requests.AsyncClient, https_server
) -> None:
    request = client.build_request("GET", https_server.url_for("/bytes/300000"))
    response = await client.send(request, stream=True)
    try:
        assert not response.is_closed
        assert _ffi.debug_stats()["requests"] == 1
        body = await response.aread()
    finally:
        await response.aclose()
    assert len(body) == 300000
    assert hashlib.sha256(body).hexdigest() == response.headers["x-content-sha256"]
    assert _ffi.debug_stats()["requests"] == 0


async def test_client_configuration(ca_bundle: str, https_server) -> None:
    # The seed guide's form: base_url + headers + Timeout(timeout=...) + http2=True.
    async with tls_requests.AsyncClient(
        base_url=https_server.url_for("/"),
        headers={"Authorization": "Bearer token"},
        timeout=tls_requests.Timeout(timeout=30.0, connect=5.0),
        http2=True,
        verify=ca_bundle,
    ) as client:
        assert client.timeout == tls_requests.Timeout(30.0, connect=5.0)
        assert client.timeout.connect == 5.0
        assert client.timeout.read == 30.0
        response = await client.get("/echo", params={"page": 2})
    echo = response.json()
    assert echo["path"] == "/echo"
    assert echo["query"] == "page=2"
    assert dict(echo["headers"])["authorization"] == "Bearer token"
    assert response.http_version == "HTTP/2"


async def test_follow_redirects_and_history(ca_bundle: str, https_server) -> None:
    async with tls_requests.AsyncClient(verify=ca_bundle, follow_redirects=True) as client:
        response = await client.get(https_server.url_for("/redirect/3"))
        assert response.status_code == 200
        assert [r.status_code for r in response.history] == [302, 302, 302]
        not_followed = await client.get(https_server.url_for("/redirect/1"), follow_redirects=False)
    assert not_followed.status_code == 302


async def test_async_and_sync_event_hooks(ca_bundle: str, https_server) -> None:
    seen: list[str] = []

    async def on_request(request: tls_requests.Request) -> None:
        seen.append(f"request {request.method}")

    def on_response(response: tls_requests.Response) -> None:
        seen.append(f"response {response.status_code}")

    hooks: dict[str, list[typing.Callable[..., typing.Any]]] = {
        "request": [on_request],
        "response": [on_response],
    }
    async with tls_requests.AsyncClient(verify=ca_bundle, event_hooks=hooks) as client:
        await client.get(https_server.url_for("/echo"))
    assert seen == ["request GET", "response 200"]


async def test_cookies_persist_across_requests(client: tls_requests.AsyncClient, https_server):
    await client.get(https_server.url_for("/cookies/set?flavour=oat"))
    echo = (await client.get(https_server.url_for("/cookies"))).json()
    assert echo["cookies"] == {"flavour": "oat"}


# -- streaming --------------------------------------------------------------------------------


async def test_stream_aiter_bytes_with_chunk_size(
    client: tls_requests.AsyncClient, https_server
) -> None:
    n = 3 * 1024 * 1024 + 5
    digest = hashlib.sha256()
    sizes = []
    async with client.stream("GET", https_server.url_for(f"/bytes/{n}")) as response:
        assert response.status_code == 200
        async for chunk in response.aiter_bytes(chunk_size=8192):
            sizes.append(len(chunk))
            digest.update(chunk)
        assert response.num_bytes_downloaded == n
    assert response.is_closed
    assert set(sizes[:-1]) == {8192}
    assert 0 < sizes[-1] <= 8192
    assert digest.hexdigest() == response.headers["x-content-sha256"]


async def test_async_with_await_stream(client: tls_requests.AsyncClient, https_server) -> None:
    # `async with await client.stream(...)`: the form of the seed guide's download example.
    async with await client.stream("GET", https_server.url_for("/bytes/100000")) as response:
        body = b"".join([chunk async for chunk in response.aiter_bytes(chunk_size=8192)])
    assert len(body) == 100000
    assert response.is_closed
    assert _ffi.debug_stats()["requests"] == 0


async def test_stream_aread(client: tls_requests.AsyncClient, https_server) -> None:
    async with client.stream("GET", https_server.url_for("/json")) as response:
        content = await response.aread()
        assert response.json() == json.loads(content)


async def test_stream_aiter_lines_and_text(client: tls_requests.AsyncClient, https_server) -> None:
    async with client.stream("GET", https_server.url_for("/stream_lines/5")) as response:
        lines = [line async for line in response.aiter_lines()]
    assert [json.loads(line) for line in lines] == [{"id": i} for i in range(5)]
    url = https_server.url_for("/text")
    params = {"content": "café crème", "charset": "utf-8"}
    async with client.stream("GET", url, params=params) as response:
        text = "".join([part async for part in response.aiter_text()])
    assert text == "café crème"


async def test_stream_aiter_raw_keeps_the_encoding(
    client: tls_requests.AsyncClient, https_server
) -> None:
    from tests.servers import payloads

    async with client.stream("GET", https_server.url_for("/gzip")) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert raw == payloads.compress(payloads.COMPRESSED_JSON_BYTES, "gzip")
    decoded = await client.get(https_server.url_for("/gzip"))
    assert decoded.content == payloads.COMPRESSED_JSON_BYTES


async def test_stream_left_early_releases_the_request(
    client: tls_requests.AsyncClient, https_server
) -> None:
    async with client.stream("GET", https_server.url_for("/bytes/20000000")) as response:
        async for chunk in response.aiter_bytes():
            assert chunk
            break
    assert _ffi.debug_stats()["requests"] == 0
    assert (await client.get(https_server.url_for("/echo"))).status_code == 200


async def test_stream_consumed_twice_raises(client: tls_requests.AsyncClient, https_server) -> None:
    async with client.stream("GET", https_server.url_for("/bytes/10")) as response:
        await response.aread()
        with pytest.raises(tls_requests.StreamConsumed):
            async for _ in response.aiter_raw():
                pass


# -- lifecycle --------------------------------------------------------------------------------


async def test_manual_aclose_and_use_after_close(ca_bundle: str, https_server) -> None:
    client = tls_requests.AsyncClient(verify=ca_bundle)
    try:
        assert (await client.get(https_server.url_for("/echo"))).status_code == 200
    finally:
        await client.aclose()
    await client.aclose()  # idempotent
    assert client.is_closed
    with pytest.raises(tls_requests.ClientClosed):
        await client.get(https_server.url_for("/echo"))
    with pytest.raises(tls_requests.ClientClosed):
        async with client.stream("GET", https_server.url_for("/echo")):
            pass
    assert _ffi.debug_stats()["sessions"] == 0


async def test_async_with_closes_and_cannot_reopen(ca_bundle: str, https_server) -> None:
    async with tls_requests.AsyncClient(verify=ca_bundle) as client:
        assert not client.is_closed
        await client.get(https_server.url_for("/echo"))
    assert client.is_closed
    with pytest.raises(RuntimeError):
        async with client:
            pass
    with pytest.raises(tls_requests.ClientClosed):
        await client.get(https_server.url_for("/echo"))


def test_one_client_in_successive_event_loops(ca_bundle: str, https_server) -> None:
    # A client made at import time and used by several `asyncio.run()` calls.
    limits = tls_requests.Limits(max_connections=3)
    client = tls_requests.AsyncClient(verify=ca_bundle, limits=limits)

    async def burst() -> list[int]:
        responses = await asyncio.gather(
            *(client.get(https_server.url_for("/echo")) for _ in range(10))
        )
        return [r.status_code for r in responses]

    try:
        assert asyncio.run(burst()) == [200] * 10
        assert asyncio.run(burst()) == [200] * 10
    finally:
        asyncio.run(client.aclose())


async def test_a_stream_still_open_when_the_client_closes(
    client: tls_requests.AsyncClient, https_server
) -> None:
    async with client.stream("GET", https_server.url_for("/bytes/20000000")) as response:
        await client.aclose()
        with pytest.raises(tls_requests.ClientClosed):
            async for _ in response.aiter_bytes():
                pass


# -- errors -----------------------------------------------------------------------------------


async def test_seed_exception_imports_and_hierarchy() -> None:
    from tls_requests import ConnectError, HTTPStatusError, RequestError, TimeoutException

    assert issubclass(ConnectError, RequestError)
    assert issubclass(TimeoutException, RequestError)
    assert issubclass(tls_requests.ReadTimeout, TimeoutException)
    assert issubclass(tls_requests.ConnectTimeout, TimeoutException)
    assert issubclass(tls_requests.ClientClosed, RequestError)
    assert not issubclass(HTTPStatusError, RequestError)


async def test_raise_for_status(client: tls_requests.AsyncClient, https_server) -> None:
    response = await client.get(https_server.url_for("/status/503"))
    with pytest.raises(tls_requests.HTTPStatusError) as info:
        response.raise_for_status()
    assert info.value.response.status_code == 503
    ok = await client.get(https_server.url_for("/status/200"))
    assert ok.raise_for_status() is ok


async def test_connection_refused_raises_connect_error(client: tls_requests.AsyncClient) -> None:
    with pytest.raises(tls_requests.ConnectError) as info:
        await client.get(f"https://localhost:{_free_port()}/")
    assert info.value.request.url.port is not None


async def test_untrusted_certificate_raises_tls_error(https_server) -> None:
    async with tls_requests.AsyncClient() as client:
        with pytest.raises(tls_requests.TLSError):
            await client.get(https_server.url_for("/echo"))


async def test_connect_timeout(ca_bundle: str, blackhole_server) -> None:
    timeout = tls_requests.Timeout(5, connect=0.3)
    async with tls_requests.AsyncClient(verify=ca_bundle, timeout=timeout) as client:
        with pytest.raises(tls_requests.ConnectTimeout):
            await client.get(f"https://localhost:{blackhole_server.port}/")


async def test_per_request_read_timeout(client: tls_requests.AsyncClient, https_server) -> None:
    with pytest.raises(tls_requests.ReadTimeout):
        await client.get(https_server.url_for("/delay/3"), timeout=0.3)
    with pytest.raises(tls_requests.TimeoutException):
        await client.get(https_server.url_for("/delay/3"), timeout=tls_requests.Timeout(0.3))


async def test_client_level_timeout_applies(ca_bundle: str, https_server) -> None:
    async with tls_requests.AsyncClient(verify=ca_bundle, timeout=0.3) as client:
        with pytest.raises(tls_requests.ReadTimeout):
            await client.get(https_server.url_for("/delay/3"))
        # A per-request value wins over the client's.
        response = await client.get(https_server.url_for("/delay/0.5"), timeout=5)
        assert response.status_code == 200


async def test_read_timeout_while_streaming_body(
    client: tls_requests.AsyncClient, https_server
) -> None:
    url = https_server.url_for("/stall_body?seconds=5")
    async with client.stream("GET", url, timeout=0.5) as response:
        with pytest.raises(tls_requests.ReadTimeout):
            async for _ in response.aiter_bytes():
                pass


async def test_unknown_profile_raises(ca_bundle: str) -> None:
    with pytest.raises(tls_requests.UnsupportedProfile):
        tls_requests.AsyncClient(client_identifier="chrome_1466", verify=ca_bundle)


async def test_invalid_and_unsupported_urls(client: tls_requests.AsyncClient) -> None:
    with pytest.raises(tls_requests.InvalidURL):
        await client.get("https://exa mple.org/")
    with pytest.raises(tls_requests.InvalidURL):
        await client.get("https://")
    with pytest.raises(tls_requests.UnsupportedProtocol):
        await client.get("ftp://localhost/file")
    with pytest.raises(tls_requests.UnsupportedProtocol):
        async with client.stream("GET", "ftp://localhost/file"):
            pass


async def test_crlf_in_header_is_refused(client: tls_requests.AsyncClient, https_server) -> None:
    with pytest.raises(tls_requests.LocalProtocolError):
        await client.get(https_server.url_for("/echo"), headers={"X-Bad": "a\r\nInjected: 1"})
