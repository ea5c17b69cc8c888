"""
`Cookies`: an httpx-compatible cookie jar that follows the cookie rules of RFC 6265.

Storage is a standard `http.cookiejar.CookieJar`, so a jar can be shared with other code, but the
rules are ours rather than the jar policy's. The standard library stores cookies of dot-less hosts
under `"<host>.local"`, never sends a `Domain=localhost` cookie back, sends host-only cookies to
every subdomain, and lets a `Max-Age=0` from any site delete another site's cookie. Every test
server of this project runs on `localhost` or `127.0.0.1`, so those quirks matter here.

* Parsing of `Set-Cookie` follows RFC 6265 section 5.2 (and the cookie-date algorithm of 5.1.1).
* Storage follows section 5.3: Domain must domain-match the host (IP hosts only match exactly), a
  cookie without Domain is host-only, the default path is the request's directory, and an expiry
  in the past deletes the stored cookie.
* Sending follows section 5.4: domain, path, expiry and the Secure flag (https and wss only).
"""

from __future__ import annotations

import calendar
import contextlib
import ipaddress
import itertools
import re
import threading
import time
import typing
import weakref
from http.cookiejar import Cookie, CookieJar

if typing.TYPE_CHECKING:
    from ._models import Request, Response
    from ._types import CookieTypes
    from ._urls import URL

__all__ = ["CookieConflict", "Cookies"]


class CookieConflict(Exception):
    """More than one cookie matched a lookup by name; pass `domain` and/or `path` to choose."""


_SECURE_SCHEMES = frozenset({"https", "wss"})
# RFC 6265bis sections 4.1.3.1 and 4.1.3.2: names with these prefixes promise attributes.
_SECURE_PREFIX = "__secure-"
_HOST_PREFIX = "__host-"
# A cookie with Max-Age <= 0 expires at "the earliest representable time" (RFC 6265 5.2.2).
_EARLIEST = 0

# Cookie-date tokens are runs of non-delimiters (RFC 6265 section 5.1.1).
_DATE_TOKEN_RE = re.compile(r"[^\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[^0-9].*)?\Z", re.DOTALL)
_DAY_RE = re.compile(r"([0-9]{1,2})(?:[^0-9].*)?\Z", re.DOTALL)
_YEAR_RE = re.compile(r"([0-9]{2,4})(?:[^0-9].*)?\Z", re.DOTALL)
# Creation order of the cookies we make, for the Cookie header order among equal paths
# (RFC 6265 section 5.4 step 2; browsers do the same). Kept outside the Cookie objects so they
# stay plain http.cookiejar cookies; the jar's own iteration order differs between Pythons.
_creation_order: weakref.WeakKeyDictionary[Cookie, int] = weakref.WeakKeyDictionary()
_creation_counter = itertools.count()


def _created(cookie: Cookie) -> Cookie:
    _creation_order[cookie] = next(_creation_counter)
    return cookie


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _parse_cookie_date(text: str) -> int | None:
    """The Unix time of an `Expires` value, or None if it is not a valid cookie-date."""
    clock: tuple[int, int, int] | None = None
    day = month = year = None
    for token in _DATE_TOKEN_RE.findall(text):
        if clock is None and (match := _TIME_RE.match(token)):
            clock = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
        elif day is None and (match := _DAY_RE.match(token)):
            day = int(match.group(1))
        elif month is None and token[:3].lower() in _MONTHS:
            month = _MONTHS.index(token[:3].lower()) + 1
        elif year is None and (match := _YEAR_RE.match(token)):
            year = int(match.group(1))
    if clock is None or day is None or month is None or year is None:
        return None
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = clock
    if not 1 <= day <= 31 or year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    if day > calendar.monthrange(year, month)[1]:
        return None
    return calendar.timegm((year, month, day, hour, minute, second))


class _SetCookie(typing.NamedTuple):
    name: str
    value: str
    attributes: dict[str, str]  # lower-cased attribute name -> last value given


def _parse_set_cookie(header: str) -> _SetCookie | None:
    """Split one `Set-Cookie` value into name, value and attributes (RFC 6265 section 5.2)."""
    pair, _, unparsed = header.partition(";")
    if "=" in pair:
        name, _, value = pair.partition("=")
    else:
        # RFC 6265bis (as browsers do): a bare token is a value with an empty name.
        name, value = "", pair
    name, value = name.strip(" \t"), value.strip(" \t")
    if not name and not value:
        return None
    attributes: dict[str, str] = {}
    for item in unparsed.split(";"):
        key, _, attr_value = item.partition("=")
        key = key.strip(" \t").lower()
        if key:
            # The last occurrence of an attribute wins.
            attributes[key] = attr_value.strip(" \t")
    return _SetCookie(name, value, attributes)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _request_host(url: URL) -> str:
    # The IDNA (ASCII) form, without IPv6 brackets: cookie domains are compared in that form.
    return url.raw_host.decode("ascii").lower()


def _request_path(url: URL) -> str:
    path = url.raw_path.partition("?")[0]
    return path if path.startswith("/") else "/"


def _default_path(url: URL) -> str:
    """The directory of the request path (RFC 6265 section 5.1.4)."""
    path = _request_path(url)
    if path.count("/") <= 1:
        return "/"
    return path[: path.rfind("/")]


def _domain_match(host: str, domain: str) -> bool:
    """RFC 6265 section 5.1.3: identical, or a subdomain of a name (never of an IP address)."""
    return host == domain or (host.endswith("." + domain) and not _is_ip(host))


def _path_match(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 section 5.1.4."""
    if request_path == cookie_path:
        return True
    return request_path.startswith(cookie_path) and (
        cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"
    )


def _cookie_matches_host(cookie: Cookie, host: str) -> bool:
    domain = cookie.domain
    if not domain:
        # Set by hand without a domain (`cookies["a"] = "1"`): sent to every host, as in httpx.
        return True
    if not cookie.domain_specified:
        # Host-only. The second test accepts cookies that urllib stored in a shared jar under
        # its "<host>.local" name for dot-less hosts.
        return host == domain or ("." not in host and domain == host + ".local")
    return _domain_match(host, domain.lstrip("."))


def _same_domain(cookie: Cookie, domain: str) -> bool:
    # Lookups by domain ignore the leading dot that marks a domain cookie in the jar.
    return cookie.domain.lstrip(".") == domain.lstrip(".").lower()


class Cookies(typing.MutableMapping[str, str]):
    """
    HTTP cookies, as a mutable mapping of name to value.

    **Parameters:**

    * **cookies** - *(optional)* a dict or a list of `(name, value)` pairs (cookies for every
      host), another `Cookies` (copied), or an `http.cookiejar.CookieJar` (used as the storage,
      so both objects see the same cookies).

    `extract_cookies(response)` stores the `Set-Cookie` headers of a response, and
    `set_cookie_header(request)` adds the `Cookie` header a request should carry, following the
    domain, path, expiry and Secure rules of RFC 6265. The jar's own `CookiePolicy` is not
    consulted. It can be shared between threads.

    ```python
    cookies = Cookies({"session": "abc"})
    cookies.set("theme", "dark", domain="example.org")
    cookies.get("theme", domain="example.org")  # 'dark'
    ```
    """

    def __init__(self, cookies: CookieTypes | None = None) -> None:
        if isinstance(cookies, CookieJar):
            self.jar = cookies
            return
        self.jar = CookieJar()
        if cookies is None:
            return
        if isinstance(cookies, Cookies):
            for cookie in cookies._snapshot():
                self.jar.set_cookie(cookie)
        elif isinstance(cookies, typing.Mapping):
            for name, value in cookies.items():
                self.set(name, value)
        elif isinstance(cookies, (list, tuple)):
            for name, value in cookies:
                self.set(name, value)
        else:
            raise TypeError(
                "cookies must be a dict, a list of (name, value) pairs, Cookies or a CookieJar;"
                f" got {type(cookies).__name__}"
            )

    @property
    def _lock(self) -> typing.ContextManager[typing.Any]:
        # CookieJar guards its own methods with this RLock. Taking the same lock makes our
        # read-modify-write sequences atomic even when another Cookies shares the jar.
        lock = getattr(self.jar, "_cookies_lock", None)
        return lock if lock is not None else threading.RLock()

    def _snapshot(self) -> list[Cookie]:
        with self._lock:
            # Iterating the jar is not locked by CookieJar itself.
            return [cookie for cookie in self.jar if cookie is not None]

    # Responses and requests -----------------------------------------------------------------

    def extract_cookies(self, response: Response) -> None:
        """
        Store the cookies of every `Set-Cookie` header of `response`.

        The rules apply to the URL of `response.request`; cookies the rules reject are ignored.
        """
        request_url = response.request.url
        headers = response.headers.get_list("set-cookie")
        if not headers:
            return
        now = int(time.time())
        with self._lock:
            for header in headers:
                self._store(header, request_url, now)

    def _store(self, header: str, url: URL, now: int) -> None:
        parsed = _parse_set_cookie(header)
        if parsed is None:
            return
        cookie = self._make_cookie(parsed, url, now)
        if cookie is None:
            return
        if cookie.is_expired(now):
            # An expiry in the past is how a server deletes a cookie (RFC 6265 section 5.3).
            with contextlib.suppress(KeyError):
                self.jar.clear(cookie.domain, cookie.path, cookie.name)
        else:
            self.jar.set_cookie(_created(cookie))

    def _make_cookie(self, parsed: _SetCookie, url: URL, now: int) -> Cookie | None:
        host = _request_host(url)
        attributes = parsed.attributes
        secure = "secure" in attributes
        if secure and url.scheme not in _SECURE_SCHEMES:
            # RFC 6265bis 5.6 step 8: a plain-http response cannot set a Secure cookie.
            return None

        expires: int | None = None
        if "max-age" in attributes:
            # Max-Age wins over Expires whatever their order (RFC 6265 section 5.3 step 3).
            max_age = attributes["max-age"]
            if re.fullmatch(r"-?[0-9]+", max_age):
                delta = int(max_age)
                expires = now + delta if delta > 0 else _EARLIEST
        if expires is None and "expires" in attributes:
            expires = _parse_cookie_date(attributes["expires"])

        domain = attributes.get("domain", "").lstrip(".").lower()
        if domain and not domain.isascii():
            try:
                domain = domain.encode("idna").decode("ascii")
            except UnicodeError:
                return None
        if domain:
            if not _domain_match(host, domain):
                return None
            if "." not in domain and domain not in (host, "localhost"):
                # Without a public suffix list, a single label ("com") is taken for one.
                return None
            stored_domain, domain_specified = "." + domain, True
        else:
            stored_domain, domain_specified = host, False

        path = attributes.get("path", "")
        path_specified = path.startswith("/")
        if not path_specified:
            path = _default_path(url)

        lowered = parsed.name.lower()
        if lowered.startswith(_SECURE_PREFIX) and not secure:
            return None
        if lowered.startswith(_HOST_PREFIX) and not (secure and not domain and path == "/"):
            return None

        # Flag attributes map to None, as http.cookiejar itself stores them (typeshed says str).
        rest: dict[str, typing.Any] = {}
        if "httponly" in attributes:
            rest["HttpOnly"] = None
        if "samesite" in attributes:
            rest["SameSite"] = attributes["samesite"]
        return Cookie(
            version=0,
            name=parsed.name,
            value=parsed.value,
            port=None,
            port_specified=False,
            domain=stored_domain,
            domain_specified=domain_specified,
            domain_initial_dot=attributes.get("domain", "").startswith("."),
            path=path,
            path_specified=path_specified,
            secure=secure,
            expires=expires,
            discard=expires is None,
            comment=None,
            comment_url=None,
            rest=rest,
        )

    def set_cookie_header(self, request: Request) -> None:
        """
        Add the `Cookie` header for `request.url`, unless the request already has one.

        Only cookies whose domain and path match the URL and that have not expired are sent;
        Secure cookies go over https (and wss) only. Longer paths come first (RFC 6265 5.4).
        """
        if "Cookie" in request.headers:
            return
        url = request.url
        host, path = _request_host(url), _request_path(url)
        secure_ok = url.scheme in _SECURE_SCHEMES
        now = int(time.time())
        matching = [
            cookie
            for cookie in self._snapshot()
            if _cookie_matches_host(cookie, host)
            and _path_match(path, cookie.path)
            and (secure_ok or not cookie.secure)
            and not cookie.is_expired(now)
        ]
        if not matching:
            return
        # Cookies we did not create (put in a shared jar by other code) come first among equals.
        matching.sort(key=lambda cookie: (-len(cookie.path), _creation_order.get(cookie, -1)))
        request.headers["Cookie"] = "; ".join(_serialize(cookie) for cookie in matching)

    # Mapping interface ----------------------------------------------------------------------

    def set(self, name: str, value: str, domain: str = "", path: str = "/") -> None:
        """
        Set a cookie. Without a `domain` it is sent to every host; with one, to that domain
        and its subdomains.
        """
        cookie = Cookie(
            version=0,
            name=name,
            value=value,
            port=None,
            port_specified=False,
            domain=domain,
            domain_specified=bool(domain),
            domain_initial_dot=domain.startswith("."),
            path=path,
            path_specified=bool(path),
            secure=False,
            expires=None,
            discard=True,
            comment=None,
            comment_url=None,
            rest=typing.cast("dict[str, str]", {"HttpOnly": None}),
        )
        self.jar.set_cookie(_created(cookie))

    def get(  # type: ignore[override]
        self,
        name: str,
        default: str | None = None,
        domain: str | None = None,
        path: str | None = None,
    ) -> str | None:
        """
        The value of the cookie called `name`, or `default`.

        Raises `CookieConflict` when several cookies match; narrow with `domain` and `path`.
        """
        matches = self._matching(name, domain, path)
        if len(matches) > 1:
            raise CookieConflict(f"Multiple cookies exist with name={name}")
        if not matches or matches[0].value is None:
            return default
        return matches[0].value

    def delete(self, name: str, domain: str | None = None, path: str | None = None) -> None:
        """Delete every cookie called `name` (optionally only for `domain` and/or `path`)."""
        with self._lock:
            for cookie in self._matching(name, domain, path):
                self._remove(cookie)

    def clear(self, domain: str | None = None, path: str | None = None) -> None:
        """Delete all cookies, or only those of `domain` (and `path`)."""
        with self._lock:
            if domain is None and path is None:
                self.jar.clear()
                return
            for cookie in self._snapshot():
                if (domain is None or _same_domain(cookie, domain)) and (
                    path is None or cookie.path == path
                ):
                    self._remove(cookie)

    def update(self, cookies: CookieTypes | None = None) -> None:  # type: ignore[override]
        """Copy every cookie of `cookies` (any type `Cookies()` accepts) into this jar."""
        for cookie in Cookies(cookies)._snapshot():
            self.jar.set_cookie(cookie)

    def _matching(self, name: str, domain: str | None, path: str | None) -> list[Cookie]:
        return [
            cookie
            for cookie in self._snapshot()
            if cookie.name == name
            and (domain is None or _same_domain(cookie, domain))
            and (path is None or cookie.path == path)
        ]

    def _remove(self, cookie: Cookie) -> None:
        # KeyError: removed meanwhile through another Cookies sharing the jar.
        with contextlib.suppress(KeyError):
            self.jar.clear(cookie.domain, cookie.path, cookie.name)

    def __setitem__(self, name: str, value: str) -> None:
        self.set(name, value)

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __delitem__(self, name: str) -> None:
        with self._lock:
            matches = self._matching(name, None, None)
            if not matches:
                raise KeyError(name)
            for cookie in matches:
                self._remove(cookie)

    def __len__(self) -> int:
        return len(self._snapshot())

    def __iter__(self) -> typing.Iterator[str]:
        return iter([cookie.name for cookie in self._snapshot()])

    def __bool__(self) -> bool:
        return bool(self._snapshot())

    def __repr__(self) -> str:
        items = ", ".join(
            f"<Cookie {cookie.name}={cookie.value} for {cookie.domain} />"
            for cookie in self._snapshot()
        )
        return f"<Cookies[{items}]>"


def _serialize(cookie: Cookie) -> str:
    if cookie.value is None:
        return cookie.name
    if not cookie.name:
        return cookie.value  # RFC 6265bis 5.7.3: a nameless cookie is sent as its value alone.
    return f"{cookie.name}={cookie.value}"
