"""The synchronous Client end to end: the real Go core against local HTTPS servers."""

from __future__ import annotations

import hashlib
import json

import pytest

import tls_requests
from tls_requests import _ffi
from tls_requests._profiles import default_headers


def test_get_over_http2(client: tls_requests.Client, https_server) -> None:
    response = client.get(https_server.url_for("/json"))
    assert response.status_code == 200
    assert response.http_version == "HTTP/2"
    assert response.reason_phrase == "OK"
    assert response.is_success
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == json.loads(response.content)
    assert response.url == https_server.url_for("/json")
    assert response.elapsed.total_seconds() > 0


def test_http2_false_forces_http11(ca_bundle: str, https_server) -> None:
    with tls_requests.Client(verify=ca_bundle, http2=False) as client:
        echo = client.get(https_server.url_for("/echo")).json()
    assert echo["http_version"] == "1.1"


def test_http11_only_server(client: tls_requests.Client, https_h1_server) -> None:
    response = client.get(https_h1_server.url_for("/echo"))
    assert response.http_version == "HTTP/1.1"
    assert response.json()["http_version"] == "1.1"


def test_plain_http(client: tls_requests.Client, http_server) -> None:
    response = client.get(http_server.url_for("/echo"))
    assert response.status_code == 200
    assert response.json()["scheme"] == "http"


@pytest.mark.parametrize("server_name", ["https_server", "https_h1_server"])
def test_sequential_requests_reuse_one_connection(
    client: tls_requests.Client, server_name: str, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue(server_name)
    server.reset_counts()
    for _ in range(20):
        assert client.get(server.url_for("/echo")).status_code == 200
    assert server.connection_count() == 1


def test_profile_headers_are_sent_in_browser_order(
    client: tls_requests.Client, https_server
) -> None:
    echo = client.get(https_server.url_for("/echo")).json()
    received = [name for name, _ in echo["headers"] if name not in ("host",)]
    expected = [name.lower() for name, _ in default_headers("chrome_146", http2=True)]
    assert received == expected


def test_user_headers_override_in_place_and_extra_go_last(
    client: tls_requests.Client, https_server
) -> None:
    echo = client.get(
        https_server.url_for("/echo"), headers={"User-Agent": "mine/1.0", "X-Extra": "1"}
    ).json()
    names = [name for name, _ in echo["headers"] if name != "host"]
    expected = [name.lower() for name, _ in default_headers("chrome_146", http2=True)]
    assert names == [*expected, "x-extra"]
    assert dict(echo["headers"])["user-agent"] == "mine/1.0"


def test_header_order_on_http11_keeps_case(ca_bundle: str, https_h1_server) -> None:
    headers = [("X-First", "1"), ("x-second", "2"), ("X-Third", "3")]
    with tls_requests.Client(verify=ca_bundle, headers=headers) as client:
        echo = client.get(https_h1_server.url_for("/echo")).json()
    names = [name for name, _ in echo["headers"]]
    assert names[-3:] == ["X-First", "x-second", "X-Third"]


def test_repeated_header_values_are_all_sent(client: tls_requests.Client, https_server) -> None:
    echo = client.get(
        https_server.url_for("/echo"), headers=[("X-Multi", "a"), ("X-Multi", "b")]
    ).json()
    assert [v for k, v in echo["headers"] if k == "x-multi"] == ["a", "b"]


def test_repeated_response_headers(client: tls_requests.Client, https_server) -> None:
    response = client.get(
        https_server.url_for("/response_headers"), params=[("X-Rep", "1"), ("X-Rep", "2")]
    )
    assert response.headers.get_list("x-rep") == ["1", "2"]


def test_params_are_merged(ca_bundle: str, https_server) -> None:
    with tls_requests.Client(verify=ca_bundle, params={"a": "1"}) as client:
        echo = client.get(https_server.url_for("/echo?z=0"), params={"b": "x y"}).json()
    assert echo["query"] == "z=0&a=1&b=x+y"


@pytest.mark.parametrize("size", [0, 1, 65536, 3 * 1024 * 1024 + 7])
def test_binary_body_arrives_byte_exact(
    client: tls_requests.Client, https_server, size: int
) -> None:
    body = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    response = client.post(https_server.url_for("/echo_body"), content=body)
    assert response.content == body


def test_json_and_form_bodies(client: tls_requests.Client, https_server) -> None:
    echo = client.post(https_server.url_for("/echo"), json={"a": [1, 2]}).json()
    assert json.loads(echo["body"]) == {"a": [1, 2]}
    assert dict(echo["headers"])["content-type"] == "application/json"
    form = client.post(https_server.url_for("/form"), data={"k": "v", "l": ["1", "2"]}).json()
    assert form


def test_streamed_upload_from_iterator(client: tls_requests.Client, https_server) -> None:
    chunks = [b"a" * 1000, b"b" * 5000, b"c"]
    echo = client.post(https_server.url_for("/echo"), content=iter(chunks)).json()
    assert echo["body_sha256"] == hashlib.sha256(b"".join(chunks)).hexdigest()


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_methods(client: tls_requests.Client, https_server, method: str) -> None:
    response = getattr(client, method.lower())(https_server.url_for("/echo"))
    assert response.json()["method"] == method


@pytest.mark.parametrize("server_name", ["https_server", "https_h1_server"])
def test_head_204_304_have_empty_bodies(
    client: tls_requests.Client, server_name: str, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue(server_name)
    assert client.head(server.url_for("/bytes/1000")).content == b""
    assert client.get(server.url_for("/status/204")).content == b""
    assert client.get(server.url_for("/status/304")).status_code == 304


def test_build_request_and_send(client: tls_requests.Client, https_server) -> None:
    request = client.build_request("GET", https_server.url_for("/echo"), headers={"X-A": "1"})
    response = client.send(request)
    assert response.request is request
    assert dict(response.json()["headers"])["x-a"] == "1"


def test_stream_reads_incrementally(client: tls_requests.Client, https_server) -> None:
    n = 5 * 1024 * 1024
    digest = hashlib.sha256()
    with client.stream("GET", https_server.url_for(f"/bytes/{n}")) as response:
        assert response.status_code == 200
        expected = response.headers["x-content-sha256"]
        for chunk in response.iter_bytes(chunk_size=65536):
            assert len(chunk) <= 65536
            digest.update(chunk)
        assert response.num_bytes_downloaded == n
    assert digest.hexdigest() == expected


def test_stream_closed_early_releases_the_request(
    client: tls_requests.Client, https_server
) -> None:
    with client.stream("GET", https_server.url_for("/bytes/10000000")) as response:
        first = next(response.iter_bytes())
        assert first
    assert _ffi.debug_stats()["requests"] == 0
    # The client still works afterwards.
    assert client.get(https_server.url_for("/echo")).status_code == 200


def test_iter_lines_and_text(client: tls_requests.Client, https_server) -> None:
    with client.stream("GET", https_server.url_for("/stream_lines/5")) as response:
        lines = list(response.iter_lines())
    assert len(lines) == 5
    assert all(json.loads(line) for line in lines)


def test_text_charset_and_detection(client: tls_requests.Client, https_server) -> None:
    latin = client.get(
        https_server.url_for("/text"), params={"content": "café", "charset": "latin-1"}
    )
    assert latin.text == "café"
    detected = client.get(
        https_server.url_for("/text"),
        params={"content": "Größe Übergröße Äpfel", "encoding": "cp1252"},
    )
    assert detected.text == "Größe Übergröße Äpfel"


@pytest.mark.parametrize("route", ["/gzip", "/deflate", "/brotli", "/zstd"])
def test_content_encodings_are_decoded(
    client: tls_requests.Client, https_server, route: str
) -> None:
    from tests.servers import payloads

    response = client.get(https_server.url_for(route))
    assert response.content == payloads.COMPRESSED_JSON_BYTES


def test_raw_bytes_stay_encoded(client: tls_requests.Client, https_server) -> None:
    from tests.servers import payloads

    with client.stream("GET", https_server.url_for("/gzip")) as response:
        raw = b"".join(response.iter_raw())
    assert raw == payloads.compress(payloads.COMPRESSED_JSON_BYTES, "gzip")


def test_raise_for_status(client: tls_requests.Client, https_server) -> None:
    response = client.get(https_server.url_for("/status/503"))
    with pytest.raises(tls_requests.HTTPStatusError) as info:
        response.raise_for_status()
    assert info.value.response.status_code == 503


def test_redirects_not_followed_by_default(client: tls_requests.Client, https_server) -> None:
    response = client.get(https_server.url_for("/redirect/2"))
    assert response.status_code == 302
    assert response.next_request is not None
    assert response.next_request.url == https_server.url_for("/redirect/1")


def test_follow_redirects(ca_bundle: str, https_server) -> None:
    with tls_requests.Client(verify=ca_bundle, follow_redirects=True) as client:
        response = client.get(https_server.url_for("/redirect/3"))
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [302, 302, 302]
    assert response.url == https_server.url_for("/echo")


def test_module_level_helpers(ca_bundle: str, https_server) -> None:
    response = tls_requests.get(https_server.url_for("/echo"), verify=ca_bundle)
    assert response.json()["method"] == "GET"
    posted = tls_requests.post(https_server.url_for("/echo"), verify=ca_bundle, json={"x": 1})
    assert json.loads(posted.json()["body"]) == {"x": 1}


def test_client_identifier_changes_default_headers(ca_bundle: str, https_server) -> None:
    with tls_requests.Client(verify=ca_bundle, client_identifier="firefox") as client:
        echo = client.get(https_server.url_for("/echo")).json()
    assert "Firefox/148.0" in dict(echo["headers"])["user-agent"]


def test_client_can_be_shared_between_threads(client: tls_requests.Client, https_server) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def fetch(i: int) -> str:
        return str(client.get(https_server.url_for("/echo"), params={"i": i}).json()["query"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        queries = list(pool.map(fetch, range(64)))
    assert queries == [f"i={i}" for i in range(64)]


def test_garbage_collection_closes_a_forgotten_session(ca_bundle: str, https_server) -> None:
    import gc

    client = tls_requests.Client(verify=ca_bundle)
    client.get(https_server.url_for("/echo"))
    assert _ffi.debug_stats()["sessions"] == 1
    del client
    gc.collect()
    assert _ffi.debug_stats()["sessions"] == 0


def test_close_releases_the_session_exactly_once(ca_bundle: str) -> None:
    client = tls_requests.Client(verify=ca_bundle)
    assert _ffi.debug_stats()["sessions"] == 1
    client.close()
    assert _ffi.debug_stats()["sessions"] == 0
    client.close()
    with pytest.raises(RuntimeError):
        client.__enter__()
