from __future__ import annotations

import calendar
import threading
import time
from http.cookiejar import Cookie, CookieJar

import pytest

from tls_requests._cookies import CookieConflict, Cookies, _parse_cookie_date
from tls_requests._models import Request, Response


def set_cookies(cookies: Cookies, url: str, *values: str) -> None:
    response = Response(
        200, headers=[("Set-Cookie", v) for v in values], request=Request("GET", url)
    )
    cookies.extract_cookies(response)


def cookie_header(cookies: Cookies, url: str) -> str | None:
    request = Request("GET", url)
    cookies.set_cookie_header(request)
    return request.headers.get("Cookie")


def stored(cookies: Cookies) -> list[tuple[str, str, str]]:
    return sorted((c.name, c.domain, c.path) for c in cookies.jar)


# Mapping interface --------------------------------------------------------------------------


def test_construct_from_dict_list_and_cookies() -> None:
    assert dict(Cookies({"a": "1", "b": "2"})) == {"a": "1", "b": "2"}
    assert dict(Cookies([("a", "1"), ("b", "2")])) == {"a": "1", "b": "2"}
    original = Cookies({"a": "1"})
    copy = Cookies(original)
    copy["b"] = "2"
    assert dict(original) == {"a": "1"}  # a copy, not a view
    assert dict(copy) == {"a": "1", "b": "2"}
    assert not Cookies()
    assert len(Cookies({"a": "1"})) == 1


def test_construct_from_wrong_type() -> None:
    with pytest.raises(TypeError):
        Cookies(42)


def test_set_get_delete() -> None:
    cookies = Cookies()
    cookies.set("a", "1", domain="example.org")
    cookies.set("a", "2", domain="example.com")
    cookies["b"] = "3"
    assert cookies["b"] == "3"
    assert cookies.get("a", domain="example.org") == "1"
    assert cookies.get("a", domain=".example.com") == "2"  # leading dot ignored in lookups
    assert cookies.get("missing", "default") == "default"
    with pytest.raises(CookieConflict):
        cookies.get("a")
    with pytest.raises(CookieConflict):
        cookies["a"]
    cookies.delete("a", domain="example.org")
    assert cookies["a"] == "2"
    del cookies["a"]
    assert "a" not in cookies
    with pytest.raises(KeyError):
        del cookies["a"]
    with pytest.raises(KeyError):
        cookies["a"]
    cookies.delete("not-there")  # no error


def test_clear_by_domain_and_path() -> None:
    cookies = Cookies()
    cookies.set("a", "1", domain="example.org", path="/")
    cookies.set("b", "2", domain="example.org", path="/sub")
    cookies.set("c", "3", domain="example.com")
    cookies.clear(domain="example.org", path="/sub")
    assert sorted(cookies) == ["a", "c"]
    cookies.clear(domain="example.org")
    assert list(cookies) == ["c"]
    cookies.clear(domain="nothing.here")  # no error
    cookies.clear()
    assert len(cookies) == 0


def test_update_and_repr() -> None:
    cookies = Cookies({"a": "1"})
    cookies.update({"b": "2"})
    cookies.update(Cookies({"a": "3"}))
    assert dict(cookies) == {"a": "3", "b": "2"}
    assert repr(Cookies({"a": "1"})) == "<Cookies[<Cookie a=1 for  />]>"


def test_cookies_without_domain_go_everywhere() -> None:
    cookies = Cookies({"a": "1"})
    assert cookie_header(cookies, "http://127.0.0.1:8000/") == "a=1"
    assert cookie_header(cookies, "https://example.org/deep/path") == "a=1"


# Domains ------------------------------------------------------------------------------------


def test_host_only_cookie_on_localhost() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://localhost:8000/", "a=1")
    # Stored under the real host name, not http.cookiejar's "localhost.local".
    assert stored(cookies) == [("a", "localhost", "/")]
    assert cookies.get("a", domain="localhost") == "1"
    assert cookie_header(cookies, "http://localhost:9000/other") == "a=1"  # any port
    assert cookie_header(cookies, "http://sub.localhost:8000/") is None
    assert cookie_header(cookies, "http://127.0.0.1:8000/") is None


def test_host_only_cookie_on_ip() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://127.0.0.1:8000/", "a=1")
    assert stored(cookies) == [("a", "127.0.0.1", "/")]
    assert cookie_header(cookies, "http://127.0.0.1:1234/") == "a=1"
    assert cookie_header(cookies, "http://localhost:8000/") is None
    assert cookie_header(cookies, "http://127.0.0.2:8000/") is None


def test_ipv6_host() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://[::1]:8000/", "a=1")
    assert cookie_header(cookies, "http://[::1]:8001/") == "a=1"
    assert cookie_header(cookies, "http://127.0.0.1:8000/") is None


def test_domain_localhost_is_accepted_and_sent() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://localhost:8000/", "a=1; Domain=localhost")
    assert cookie_header(cookies, "http://localhost:8000/") == "a=1"
    assert cookie_header(cookies, "http://api.localhost:8000/") == "a=1"
    assert cookie_header(cookies, "http://127.0.0.1:8000/") is None
    set_cookies(cookies, "http://api.localhost:8000/", "b=2; Domain=localhost")
    assert cookie_header(cookies, "http://localhost:8000/") == "a=1; b=2"


def test_domain_attribute_on_ip_only_matches_that_ip() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://127.0.0.1:8000/", "a=1; Domain=127.0.0.1", "b=2; Domain=0.0.1")
    assert list(cookies) == ["a"]  # an IP has no parent domain
    assert cookie_header(cookies, "http://127.0.0.1:8000/") == "a=1"
    assert cookie_header(cookies, "http://10.0.0.1:8000/") is None


def test_domain_cookie_goes_to_subdomains() -> None:
    cookies = Cookies()
    set_cookies(cookies, "https://www.example.com/", "a=1; Domain=.Example.com")
    assert stored(cookies) == [("a", ".example.com", "/")]
    assert cookie_header(cookies, "https://example.com/") == "a=1"
    assert cookie_header(cookies, "https://api.example.com/") == "a=1"
    assert cookie_header(cookies, "https://notexample.com/") is None
    assert cookies.get("a", domain="example.com") == "1"


def test_host_only_cookie_does_not_go_to_subdomains() -> None:
    cookies = Cookies()
    set_cookies(cookies, "https://example.com/", "a=1")
    assert cookie_header(cookies, "https://example.com/") == "a=1"
    assert cookie_header(cookies, "https://www.example.com/") is None


@pytest.mark.parametrize(
    "header",
    [
        "a=1; Domain=other.com",  # not the request's domain
        "a=1; Domain=com",  # a top-level domain
        "a=1; Domain=sub.www.example.com",  # a subdomain of the host
    ],
)
def test_foreign_domains_are_rejected(header: str) -> None:
    cookies = Cookies()
    set_cookies(cookies, "https://www.example.com/", header)
    assert len(cookies) == 0


def test_legacy_local_suffix_in_shared_jar_still_matches() -> None:
    # urllib's HTTPCookieProcessor stores localhost cookies as "localhost.local".
    jar = CookieJar()
    jar.set_cookie(_cookie("a", "1", domain="localhost.local", domain_specified=False))
    assert cookie_header(Cookies(jar), "http://localhost:8000/") == "a=1"


# Paths --------------------------------------------------------------------------------------


def test_default_path_is_the_request_directory() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://localhost/app/login?next=/", "a=1")
    assert stored(cookies) == [("a", "localhost", "/app")]
    assert cookie_header(cookies, "http://localhost/app") == "a=1"
    assert cookie_header(cookies, "http://localhost/app/page") == "a=1"
    assert cookie_header(cookies, "http://localhost/application") is None
    assert cookie_header(cookies, "http://localhost/") is None


def test_explicit_and_invalid_paths() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://localhost/x/y", "a=1; Path=/docs/", "b=2; Path=relative")
    assert stored(cookies) == [("a", "localhost", "/docs/"), ("b", "localhost", "/x")]
    assert cookie_header(cookies, "http://localhost/docs/page") == "a=1"
    assert cookie_header(cookies, "http://localhost/docs") is None


def test_longer_paths_are_sent_first() -> None:
    cookies = Cookies()
    set_cookies(
        cookies, "http://localhost/", "short=1; Path=/", "long=2; Path=/a/b", "mid=3; Path=/a"
    )
    assert cookie_header(cookies, "http://localhost/a/b/c") == "long=2; mid=3; short=1"


def test_equal_paths_are_sent_in_creation_order() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://localhost/", "zeta=1; Path=/", "alpha=2; Path=/")
    cookies.set("mid", "3")
    assert cookie_header(cookies, "http://localhost/") == "zeta=1; alpha=2; mid=3"


# Expiry -------------------------------------------------------------------------------------


def test_max_age_zero_deletes() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://localhost/", "a=1", "b=2")
    set_cookies(cookies, "http://localhost/", "a=gone; Max-Age=0")
    assert dict(cookies) == {"b": "2"}
    assert cookie_header(cookies, "http://localhost/") == "b=2"


def test_expires_in_the_past_deletes() -> None:
    cookies = Cookies()
    set_cookies(cookies, "https://example.com/", "a=1; Domain=example.com")
    set_cookies(
        cookies,
        "https://example.com/",
        "a=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    )
    assert len(cookies) == 0


def test_deleting_needs_the_same_domain_and_path() -> None:
    cookies = Cookies()
    set_cookies(cookies, "https://example.com/", "a=1; Domain=example.com")
    # Another site cannot delete it, and a host-only "a" is a different cookie.
    set_cookies(cookies, "https://evil.com/", "a=; Domain=example.com; Max-Age=0")
    set_cookies(cookies, "https://example.com/", "a=; Max-Age=0")
    assert dict(cookies) == {"a": "1"}


def test_max_age_wins_over_expires() -> None:
    cookies = Cookies()
    before = int(time.time())
    set_cookies(
        cookies, "http://localhost/", "a=1; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    )
    set_cookies(
        cookies, "http://localhost/", "b=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Max-Age=0"
    )
    (cookie,) = list(cookies.jar)
    assert cookie.name == "a"
    assert cookie.expires is not None and before + 3600 <= cookie.expires <= int(time.time()) + 3600
    assert not cookie.discard


def test_session_cookie_has_no_expiry() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://localhost/", "a=1; Max-Age=bogus")
    (cookie,) = list(cookies.jar)
    assert cookie.expires is None and cookie.discard


def test_expired_cookies_are_not_sent() -> None:
    cookies = Cookies()
    cookies.jar.set_cookie(_cookie("old", "1", domain="localhost", expires=int(time.time()) - 10))
    cookies.jar.set_cookie(_cookie("new", "2", domain="localhost", expires=int(time.time()) + 100))
    assert cookie_header(cookies, "http://localhost/") == "new=2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 21 Oct 2015 07:28:00 GMT", (2015, 10, 21, 7, 28, 0)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", (1994, 11, 6, 8, 49, 37)),
        ("Sun Nov  6 08:49:37 1994", (1994, 11, 6, 8, 49, 37)),
        ("Thu, 01-Jan-2037 00:00:01 GMT", (2037, 1, 1, 0, 0, 1)),
        ("1 january 30 1:2:3", (2030, 1, 1, 1, 2, 3)),
    ],
)
def test_cookie_dates(text: str, expected: tuple[int, ...]) -> None:
    assert _parse_cookie_date(text) == calendar.timegm(expected)


@pytest.mark.parametrize(
    "text", ["", "tomorrow", "Feb 30 2020 00:00:00", "Jan 1 2020 25:00:00", "Jan 1 1500 00:00:00"]
)
def test_invalid_cookie_dates(text: str) -> None:
    assert _parse_cookie_date(text) is None


# Secure -------------------------------------------------------------------------------------


def test_secure_cookie_is_only_sent_over_https() -> None:
    cookies = Cookies()
    set_cookies(cookies, "https://localhost:8443/", "s=1; Secure", "p=2")
    assert cookie_header(cookies, "https://localhost:8443/") == "s=1; p=2"
    assert cookie_header(cookies, "http://localhost:8000/") == "p=2"


def test_secure_cookie_from_plain_http_is_ignored() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://127.0.0.1:8000/", "s=1; Secure", "p=2")
    assert list(cookies) == ["p"]


def test_secure_flag_from_jar_not_sent_over_http() -> None:
    cookies = Cookies()
    cookies.jar.set_cookie(_cookie("s", "1", domain="127.0.0.1", secure=True))
    assert cookie_header(cookies, "http://127.0.0.1/") is None
    assert cookie_header(cookies, "https://127.0.0.1/") == "s=1"


def test_cookie_name_prefixes() -> None:
    cookies = Cookies()
    set_cookies(
        cookies,
        "https://www.example.com/a/b",
        "__Secure-ok=1; Secure",
        "__Secure-bad=1",
        "__Host-ok=1; Secure; Path=/",
        "__Host-domain=1; Secure; Path=/; Domain=example.com",
        "__Host-path=1; Secure",
    )
    assert sorted(cookies) == ["__Host-ok", "__Secure-ok"]


# Parsing and headers ------------------------------------------------------------------------


def test_multiple_set_cookie_headers_in_one_response() -> None:
    cookies = Cookies()
    set_cookies(
        cookies,
        "http://127.0.0.1:8000/",
        "a=1; Path=/; HttpOnly",
        "b=2; Path=/; SameSite=Lax",
        "c=x=y; Path=/",
    )
    assert dict(cookies) == {"a": "1", "b": "2", "c": "x=y"}
    attrs = {c.name: c for c in cookies.jar}
    assert attrs["a"].has_nonstandard_attr("HttpOnly")
    assert attrs["b"].get_nonstandard_attr("SameSite") == "Lax"
    assert cookie_header(cookies, "http://127.0.0.1:8000/") == "a=1; b=2; c=x=y"


def test_response_cookies_property() -> None:
    response = Response(
        200,
        headers=[("Set-Cookie", "a=1"), ("set-cookie", "b=2")],
        request=Request("GET", "http://localhost/"),
    )
    assert dict(response.cookies) == {"a": "1", "b": "2"}


def test_same_cookie_is_replaced() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://localhost/", "a=1; Path=/")
    set_cookies(cookies, "http://localhost/", "a=2; Path=/")
    assert dict(cookies) == {"a": "2"}


def test_nameless_and_empty_cookies() -> None:
    cookies = Cookies()
    set_cookies(cookies, "http://localhost/", "token", "=", "  ", "e=")
    assert dict(cookies) == {"": "token", "e": ""}
    assert cookie_header(cookies, "http://localhost/") in ("token; e=", "e=; token")


def test_existing_cookie_header_is_kept() -> None:
    cookies = Cookies({"a": "1"})
    request = Request("GET", "http://localhost/", headers={"Cookie": "mine=1"})
    cookies.set_cookie_header(request)
    assert request.headers["Cookie"] == "mine=1"


def test_no_header_when_nothing_matches() -> None:
    request = Request("GET", "http://localhost/")
    Cookies().set_cookie_header(request)
    assert "Cookie" not in request.headers


# Sharing ------------------------------------------------------------------------------------


def test_two_cookies_objects_share_one_jar() -> None:
    jar = CookieJar()
    first, second = Cookies(jar), Cookies(jar)
    set_cookies(first, "http://localhost/", "a=1")
    assert dict(second) == {"a": "1"}
    assert cookie_header(second, "http://localhost/") == "a=1"
    second.delete("a")
    assert len(first) == 0
    third = Cookies(first.jar)
    third["b"] = "2"
    assert dict(first) == {"b": "2"}


def _cookie(
    name: str,
    value: str,
    *,
    domain: str,
    domain_specified: bool = False,
    secure: bool = False,
    expires: int | None = None,
) -> Cookie:
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=domain,
        domain_specified=domain_specified,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=secure,
        expires=expires,
        discard=expires is None,
        comment=None,
        comment_url=None,
        rest={},
    )


def test_concurrent_use_of_one_jar() -> None:
    jar = CookieJar()
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        cookies = Cookies(jar)
        try:
            for round_ in range(200):
                set_cookies(cookies, "http://localhost/", f"c{index}_{round_ % 5}=v")
                cookie_header(cookies, "http://localhost/")
                if round_ % 7 == 0:
                    cookies.delete(f"c{index}_0")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(Cookies(jar)) <= 8 * 5
