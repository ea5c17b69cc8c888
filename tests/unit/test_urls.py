from __future__ import annotations

import pytest

from tls_requests import URL, InvalidURL, QueryParams


def test_parse_components() -> None:
    url = URL("https://user:pa%20ss@Example.ORG:8443/a b/c?x=1&y=2#frag")
    assert url.scheme == "https"
    assert url.host == "example.org"
    assert url.port == 8443
    assert url.path == "/a b/c"
    assert url.raw_path == "/a%20b/c?x=1&y=2"
    assert url.username == "user"
    assert url.password == "pa ss"
    assert url.fragment == "frag"
    assert str(url) == "https://user:pa%20ss@example.org:8443/a%20b/c?x=1&y=2#frag"


def test_default_port_is_dropped() -> None:
    assert str(URL("https://example.org:443/")) == "https://example.org/"
    assert URL("http://example.org:80").port is None


def test_params_merge() -> None:
    url = URL("https://example.org/?a=1&b=2", params={"b": "3", "c": ["4", "5"]})
    assert url.params.multi_items() == [("a", "1"), ("b", "3"), ("c", "4"), ("c", "5")]


def test_join_relative() -> None:
    base = URL("https://example.org/a/b/c")
    assert str(base.join("../d")) == "https://example.org/a/d"
    assert str(base.join("/x?y=1")) == "https://example.org/x?y=1"
    assert str(base.join("https://other.org/")) == "https://other.org/"


def test_idna_host() -> None:
    url = URL("https://bücher.example/")
    assert url.raw_host == b"xn--bcher-kva.example"
    assert url.host == "bücher.example"


def test_ipv6_host() -> None:
    url = URL("https://[::1]:8443/")
    assert url.host == "::1"
    assert url.netloc == "[::1]:8443"


@pytest.mark.parametrize(
    "bad",
    [
        "https://",
        "https://exa mple.org/",
        "https://example.org:99999/",
        "http://a\r\nb/",
        "https://[zz]/",
    ],
)
def test_invalid_urls(bad: str) -> None:
    with pytest.raises(InvalidURL):
        URL(bad)


def test_query_params() -> None:
    params = QueryParams("a=1&a=2&b=")
    assert params["a"] == "1"
    assert params.get_list("a") == ["1", "2"]
    assert str(params) == "a=1&a=2&b="
    assert QueryParams({"flag": True, "none": None}).multi_items() == [
        ("flag", "true"),
        ("none", ""),
    ]


def test_repr_hides_password() -> None:
    assert "secret" not in repr(URL("https://u:secret@example.org/"))
