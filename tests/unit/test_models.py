from __future__ import annotations

import gzip
import json

import pytest

import tls_requests
from tls_requests import Headers, Request, Response


def test_headers_case_insensitive_multi_valued_and_ordered() -> None:
    headers = Headers([("Set-Cookie", "a=1"), ("X-Foo", "1"), ("set-cookie", "b=2")])
    assert headers["set-cookie"] == "a=1, b=2"
    assert headers.get_list("SET-COOKIE") == ["a=1", "b=2"]
    assert list(headers) == ["set-cookie", "x-foo"]
    assert headers.raw == [("Set-Cookie", "a=1"), ("X-Foo", "1"), ("set-cookie", "b=2")]


def test_headers_update_keeps_position() -> None:
    headers = Headers([("A", "1"), ("User-Agent", "browser"), ("B", "2")])
    headers.update({"user-agent": "mine", "C": "3"})
    assert headers.raw == [("A", "1"), ("user-agent", "mine"), ("B", "2"), ("C", "3")]


def test_headers_repr_hides_authorization() -> None:
    assert "secret" not in repr(Headers({"Authorization": "Bearer secret"}))


def test_request_json_body() -> None:
    request = Request("post", "https://localhost/", json={"a": 1})
    assert request.method == "POST"
    assert json.loads(request.content) == {"a": 1}
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Content-Length"] == str(len(request.content))


def test_request_form_body() -> None:
    request = Request("POST", "https://localhost/", data={"a": "1", "b": ["x", "y"]})
    assert request.content == b"a=1&b=x&b=y"


def test_response_text_uses_charset_then_detection() -> None:
    latin = Response(
        200, headers={"Content-Type": "text/plain; charset=latin-1"}, content="é".encode("latin-1")
    )
    assert latin.text == "é"
    assert latin.encoding == "iso8859-1"
    detected = Response(
        200, headers={"Content-Type": "text/plain"}, content="Größe Übergröße".encode("cp1252")
    )
    assert detected.text == "Größe Übergröße"
    assert Response(200, content=b"plain").encoding == "utf-8"


def test_response_decodes_gzip_and_keeps_raw() -> None:
    body = gzip.compress(b"hello world")
    response = Response(200, headers={"Content-Encoding": "gzip"}, content=body)
    assert response.read() == b"hello world"
    raw = Response(200, headers={"Content-Encoding": "gzip"}, content=body)
    assert b"".join(raw.iter_raw()) == body


def test_iter_bytes_chunk_size_and_lines() -> None:
    response = Response(200, content=b"line1\nline2\r\nline3")
    assert list(response.iter_bytes(chunk_size=4)) == [b"line", b"1\nli", b"ne2\r", b"\nlin", b"e3"]
    assert list(Response(200, content=b"line1\nline2\r\nline3").iter_lines()) == [
        "line1",
        "line2",
        "line3",
    ]


def test_status_helpers_and_raise_for_status() -> None:
    request = Request("GET", "https://localhost/missing")
    response = Response(404, request=request)
    assert response.is_client_error and response.is_error and not response.is_success
    assert response.reason_phrase == "Not Found"
    with pytest.raises(tls_requests.HTTPStatusError) as info:
        response.raise_for_status()
    assert info.value.response is response
    assert Response(200, request=request).raise_for_status().status_code == 200


def test_links() -> None:
    response = Response(
        200, headers={"Link": '<https://a/2>; rel="next", <https://a/9>; rel="last"'}
    )
    assert response.links["next"]["url"] == "https://a/2"
    assert response.links["last"]["url"] == "https://a/9"


def test_content_before_read_raises() -> None:
    from tls_requests._streams import IteratorByteStream

    response = Response(200, stream=IteratorByteStream(iter([b"a", b"b"])))
    with pytest.raises(tls_requests.ResponseNotRead):
        _ = response.content
    assert response.read() == b"ab"
    assert response.num_bytes_downloaded == 2
