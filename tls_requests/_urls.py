"""
`URL` and `QueryParams`: parsing, normalisation and joining of URLs.

URLs are kept in their encoded ("on the wire") form; `str(url)` is what the Go core receives.
Invalid input raises `InvalidURL` here, before anything reaches the network.
"""

from __future__ import annotations

import ipaddress
import typing
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from ._exceptions import InvalidURL

__all__ = ["URL", "QueryParams"]

PrimitiveData = typing.Optional[typing.Union[str, int, float, bool]]
QueryParamTypes = typing.Union[
    "QueryParams",
    typing.Mapping[str, typing.Union[PrimitiveData, typing.Sequence[PrimitiveData]]],
    typing.Sequence[tuple[str, PrimitiveData]],
    str,
    bytes,
]

# Characters that may appear unescaped in each component (RFC 3986 plus '%' so existing escapes
# are kept as they are). Anything else, e.g. spaces or non-ASCII, is percent-encoded.
_SUB_DELIMS = "!$&'()*+,;="
_PATH_SAFE = _SUB_DELIMS + ":@/%"
_QUERY_SAFE = _SUB_DELIMS + ":@/?%"
_USERINFO_SAFE = "!$&'()*+,;=%"
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "socks5": 1080, "socks5h": 1080}
_MAX_URL_LENGTH = 65536


def _primitive_to_str(value: PrimitiveData) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def _check_chars(url: str) -> None:
    if len(url) > _MAX_URL_LENGTH:
        raise InvalidURL("URL too long")
    for char in url:
        if ord(char) < 0x20 or ord(char) == 0x7F:
            raise InvalidURL(f"Invalid non-printable ASCII character in URL, {char!r}")


def _encode_host(host: str) -> str:
    if not host:
        return ""
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1].split("%")[0])
        except ValueError as exc:
            raise InvalidURL(f"Invalid IPv6 address: {host!r}") from exc
        return host
    host = host.lower()
    if host.isascii():
        if any(c in host for c in ' <>"{}|\\^`#/?@'):
            raise InvalidURL(f"Invalid character in host: {host!r}")
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidURL(f"Invalid IDNA hostname: {host!r}") from exc


class QueryParams(typing.Mapping[str, str]):
    """
    Immutable, ordered, multi-valued query parameters.

    ```python
    QueryParams({"a": "1", "b": ["2", "3"]})  # a=1&b=2&b=3
    ```
    """

    def __init__(self, params: QueryParamTypes | None = None, **kwargs: typing.Any) -> None:
        items: list[tuple[str, str]] = []
        if params is None:
            params = kwargs
        if isinstance(params, QueryParams):
            items = list(params._items)
        elif isinstance(params, (str, bytes)):
            text = params.decode("ascii") if isinstance(params, bytes) else params
            items = parse_qsl(text.lstrip("?"), keep_blank_values=True)
        elif isinstance(params, typing.Mapping):
            for key, value in params.items():
                if isinstance(value, (list, tuple)):
                    items.extend((str(key), _primitive_to_str(v)) for v in value)
                else:
                    items.append((str(key), _primitive_to_str(value)))  # type: ignore[arg-type]
        else:
            items = [(str(k), _primitive_to_str(v)) for k, v in params]
        self._items: tuple[tuple[str, str], ...] = tuple(items)

    def keys(self) -> typing.KeysView[str]:
        return {k: None for k, _ in self._items}.keys()

    def multi_items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def get_list(self, key: str) -> list[str]:
        return [v for k, v in self._items if k == key]

    def merge(self, params: QueryParamTypes | None = None) -> QueryParams:
        """Return a copy where keys in `params` replace the existing values of those keys."""
        other = QueryParams(params)
        replaced = set(other.keys())
        return QueryParams([*[i for i in self._items if i[0] not in replaced], *other._items])

    def __getitem__(self, key: str) -> str:
        for k, v in self._items:
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self) -> typing.Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def __bool__(self) -> bool:
        return bool(self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueryParams):
            try:
                other = QueryParams(other)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return False
        return sorted(self._items) == sorted(other._items)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items)))

    def __str__(self) -> str:
        return urlencode(self._items)

    def __repr__(self) -> str:
        return f"QueryParams({str(self)!r})"


class URL:
    """
    An absolute or relative URL, normalised and percent-encoded.

    ```python
    url = URL("https://example.org/path", params={"q": "a b"})
    str(url)        # 'https://example.org/path?q=a+b'
    url.host, url.port, url.path, url.query
    url.join("../other")
    ```
    """

    __slots__ = ("_fragment", "_host", "_password", "_path", "_port", "_query", "_scheme", "_user")

    def __init__(self, url: URL | str = "", *, params: QueryParamTypes | None = None) -> None:
        if isinstance(url, URL):
            self._scheme: str = url._scheme
            self._user: str = url._user
            self._password: str = url._password
            self._host: str = url._host
            self._port: int | None = url._port
            self._path: str = url._path
            self._query: str = url._query
            self._fragment: str = url._fragment
        elif isinstance(url, str):
            self._parse(url)
        else:
            raise TypeError(f"Invalid type for url. Expected str or URL, got {type(url)}.")
        if params is not None:
            self._query = str(self.params.merge(params))

    def _parse(self, url: str) -> None:
        _check_chars(url)
        url = url.strip()
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise InvalidURL(f"Invalid URL {url!r}: {exc}") from exc
        self._scheme = parts.scheme.lower()
        self._user = quote(parts.username or "", safe=_USERINFO_SAFE)
        self._password = quote(parts.password or "", safe=_USERINFO_SAFE)
        netloc_host = parts.netloc.rpartition("@")[2]
        if netloc_host.startswith("["):
            host = netloc_host[: netloc_host.find("]") + 1]
        else:
            host = parts.hostname or ""
        self._host = _encode_host(host)
        if self._scheme in ("http", "https") and not self._host:
            raise InvalidURL(f"Invalid URL {url!r}: no host")
        self._port = None if port == _DEFAULT_PORTS.get(self._scheme) else port
        self._path = quote(parts.path, safe=_PATH_SAFE)
        self._query = quote(parts.query, safe=_QUERY_SAFE)
        self._fragment = quote(parts.fragment, safe=_QUERY_SAFE)

    # Components ---------------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return self._scheme

    @property
    def username(self) -> str:
        return unquote(self._user)

    @property
    def password(self) -> str:
        return unquote(self._password)

    @property
    def userinfo(self) -> bytes:
        if not self._user and not self._password:
            return b""
        return f"{self._user}:{self._password}".encode("ascii")

    @property
    def host(self) -> str:
        """The host, IDNA-decoded, without IPv6 brackets."""
        host = self._host
        if host.startswith("["):
            return host[1:-1]
        if "xn--" in host:
            try:
                return host.encode("ascii").decode("idna")
            except UnicodeError:
                return host
        return host

    @property
    def raw_host(self) -> bytes:
        return self._host.strip("[]").encode("ascii")

    @property
    def port(self) -> int | None:
        """The port, or None when it is the scheme's default."""
        return self._port

    @property
    def netloc(self) -> str:
        """`host[:port]`, encoded, as it goes in the Host header."""
        return self._host if self._port is None else f"{self._host}:{self._port}"

    @property
    def path(self) -> str:
        return unquote(self._path) or ("/" if self._host else "")

    @property
    def raw_path(self) -> str:
        """The encoded path plus query: what goes on the request line."""
        path = self._path or "/"
        return f"{path}?{self._query}" if self._query else path

    @property
    def query(self) -> str:
        return self._query

    @property
    def params(self) -> QueryParams:
        return QueryParams(self._query)

    @property
    def fragment(self) -> str:
        return unquote(self._fragment)

    @property
    def origin(self) -> tuple[str, str, int | None]:
        """(scheme, host, effective port), to compare origins across redirects."""
        return (self._scheme, self._host, self._port or _DEFAULT_PORTS.get(self._scheme))

    @property
    def is_absolute_url(self) -> bool:
        return bool(self._scheme and self._host)

    @property
    def is_relative_url(self) -> bool:
        return not self.is_absolute_url

    # Derived URLs ---------------------------------------------------------------------------

    def copy_with(self, **kwargs: typing.Any) -> URL:
        """Return a copy with some components replaced (scheme, username, password, host, port,
        path, query, fragment, params)."""
        new = URL(self)
        for key, value in kwargs.items():
            if key == "scheme":
                new._scheme = (value or "").lower()
            elif key == "username":
                new._user = quote(value or "", safe=_USERINFO_SAFE)
            elif key == "password":
                new._password = quote(value or "", safe=_USERINFO_SAFE)
            elif key == "host":
                new._host = _encode_host(value or "")
            elif key == "port":
                new._port = None if value == _DEFAULT_PORTS.get(new._scheme) else value
            elif key == "path":
                new._path = quote(value or "", safe=_PATH_SAFE)
            elif key == "query":
                value = value.decode("ascii") if isinstance(value, bytes) else value or ""
                new._query = quote(value, safe=_QUERY_SAFE)
            elif key == "fragment":
                new._fragment = quote(value or "", safe=_QUERY_SAFE)
            elif key == "params":
                new._query = str(QueryParams(value))
            else:
                raise TypeError(f"{key!r} is an invalid keyword argument for copy_with()")
        return new

    def copy_merge_params(self, params: QueryParamTypes) -> URL:
        return self.copy_with(params=self.params.merge(params))

    def join(self, url: URL | str) -> URL:
        """Resolve a (possibly relative) URL against this one, as a browser would."""
        return URL(urljoin(str(self), str(URL(url))))

    # Dunder ---------------------------------------------------------------------------------

    def __str__(self) -> str:
        userinfo = self.userinfo.decode("ascii")
        netloc = f"{userinfo}@{self.netloc}" if userinfo else self.netloc
        path = self._path or ("/" if self._host and self._scheme else "")
        return urlunsplit((self._scheme, netloc, path, self._query, self._fragment))

    def __repr__(self) -> str:
        text = str(self.copy_with(password="[secure]")) if self._password else str(self)
        return f"URL({text!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (URL, str)):
            return str(self) == str(URL(other))
        return False

    def __hash__(self) -> int:
        return hash(str(self))
