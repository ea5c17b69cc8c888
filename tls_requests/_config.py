"""
Configuration value objects: `Timeout`, `Limits`, `Proxy`, and the client defaults.
"""

from __future__ import annotations

import enum
import typing
from urllib.parse import unquote

from ._urls import URL

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_TIMEOUT_CONFIG",
    "USE_CLIENT_DEFAULT",
    "Limits",
    "Proxy",
    "Timeout",
    "UseClientDefault",
]

_Unset = typing.Any


class UseClientDefault(enum.Enum):
    """
    The type of `USE_CLIENT_DEFAULT`: "this argument was not passed, use the client's setting".

    It differs from `None`, which for `timeout` means "no limit".
    """

    token = 0

    def __repr__(self) -> str:
        return "USE_CLIENT_DEFAULT"


USE_CLIENT_DEFAULT: typing.Final = UseClientDefault.token

_UNSET: typing.Any = object()

TimeoutTypes = typing.Union[
    float,
    None,
    tuple[
        typing.Optional[float],
        typing.Optional[float],
        typing.Optional[float],
        typing.Optional[float],
    ],
    "Timeout",
]


class Timeout:
    """
    Timeout configuration, with httpx semantics.

    * **connect** - time to establish a connection: TCP, proxy tunnel and TLS handshake.
    * **read** - time to wait for the response head, and for each chunk of the body.
    * **write** - time to send each chunk of the request body.
    * **pool** - `AsyncClient` only: time to wait for one of its `Limits.max_connections`
      places (`PoolTimeout`). `Client` never waits for one.

    `None` means no limit. Examples:

    ```python
    Timeout(10.0)                       # 10 s for everything
    Timeout(timeout=30.0, connect=5.0)  # 5 s to connect, 30 s for the rest
    Timeout(None)                       # no limits at all
    ```
    """

    def __init__(
        self,
        timeout: TimeoutTypes = _UNSET,
        *,
        connect: float | None = _UNSET,
        read: float | None = _UNSET,
        write: float | None = _UNSET,
        pool: float | None = _UNSET,
    ) -> None:
        if isinstance(timeout, Timeout):
            if not all(v is _UNSET for v in (connect, read, write, pool)):
                raise ValueError("Cannot combine a Timeout instance with other timeout values.")
            self.connect: float | None = timeout.connect
            self.read: float | None = timeout.read
            self.write: float | None = timeout.write
            self.pool: float | None = timeout.pool
            return
        if isinstance(timeout, tuple):
            self.connect, self.read, self.write, self.pool = timeout
            return
        if timeout is _UNSET and any(v is _UNSET for v in (connect, read, write, pool)):
            raise ValueError(
                "Timeout needs a default, e.g. Timeout(10.0), or all four values set explicitly."
            )
        default = None if timeout is _UNSET else timeout
        self.connect = default if connect is _UNSET else connect
        self.read = default if read is _UNSET else read
        self.write = default if write is _UNSET else write
        self.pool = default if pool is _UNSET else pool
        for name in ("connect", "read", "write", "pool"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                raise ValueError(f"Timeout {name!r} must be a non-negative number or None.")

    def as_dict(self) -> dict[str, float | None]:
        return {"connect": self.connect, "read": self.read, "write": self.write, "pool": self.pool}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timeout) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.as_dict().values()))

    def __repr__(self) -> str:
        values = {self.connect, self.read, self.write, self.pool}
        if len(values) == 1:
            return f"Timeout(timeout={self.connect})"
        return (
            f"Timeout(connect={self.connect}, read={self.read}, "
            f"write={self.write}, pool={self.pool})"
        )


class Limits:
    """
    Concurrency limits.

    * **max_connections** - *(optional)* how many requests an `AsyncClient` has in flight at
      once, each from its start until its response is closed; also the size of the thread pool
      that runs its blocking native calls. Default 100 (`None`: 1000). Requests beyond it wait
      their turn.
    * **max_keepalive_connections**, **keepalive_expiry** - accepted for httpx compatibility.
    """

    def __init__(
        self,
        *,
        max_connections: int | None = 100,
        max_keepalive_connections: int | None = None,
        keepalive_expiry: float | None = 5.0,
    ) -> None:
        if max_connections is not None and max_connections < 1:
            raise ValueError("max_connections must be at least 1.")
        self.max_connections = max_connections
        self.max_keepalive_connections = max_keepalive_connections
        self.keepalive_expiry = keepalive_expiry

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Limits) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return (
            f"Limits(max_connections={self.max_connections}, "
            f"max_keepalive_connections={self.max_keepalive_connections}, "
            f"keepalive_expiry={self.keepalive_expiry})"
        )


_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


class Proxy:
    """
    A proxy: `http://`, `https://`, `socks5://` or `socks5h://`, with optional credentials.

    Credentials are kept out of `repr()` and of every error message.

    ```python
    Proxy("http://user:secret@127.0.0.1:8080")
    Proxy("socks5://127.0.0.1:1080", auth=("user", "secret"))
    ```
    """

    def __init__(self, url: URL | str, *, auth: tuple[str, str] | None = None) -> None:
        url = URL(url)
        if url.scheme not in _PROXY_SCHEMES:
            raise ValueError(f"Unknown proxy scheme {url.scheme!r}; use one of {_PROXY_SCHEMES}.")
        if url.username or url.password:
            auth = (unquote(url.username), unquote(url.password))
            url = url.copy_with(username=None, password=None)
        self.url = url
        self.auth = auth

    @property
    def raw_auth(self) -> tuple[bytes, bytes] | None:
        if self.auth is None:
            return None
        return (self.auth[0].encode("utf-8"), self.auth[1].encode("utf-8"))

    def to_native(self) -> str:
        """The URL with credentials, as the Go core expects it. Never log this value."""
        if self.auth is None:
            return str(self.url)
        return str(self.url.copy_with(username=self.auth[0], password=self.auth[1]))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Proxy) and (self.url, self.auth) == (other.url, other.auth)

    def __hash__(self) -> int:
        return hash((str(self.url), self.auth))

    def __repr__(self) -> str:
        auth = ", auth=('***', '***')" if self.auth else ""
        return f"Proxy({str(self.url)!r}{auth})"


DEFAULT_TIMEOUT_CONFIG = Timeout(timeout=30.0)
DEFAULT_LIMITS = Limits(max_connections=100)
DEFAULT_MAX_REDIRECTS = 20
