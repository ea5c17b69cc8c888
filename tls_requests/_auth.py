"""
Authentication: httpx's generator-based `Auth` protocol and the schemes built on it.

An auth flow is a generator that yields requests and receives responses. It does no I/O itself,
so one implementation serves `Client` (through `sync_auth_flow`) and `AsyncClient` (through
`async_auth_flow`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import typing
from base64 import b64encode
from urllib.parse import quote
from urllib.request import parse_http_list

from ._cookies import Cookies
from ._exceptions import ProtocolError
from ._models import Request, Response

if typing.TYPE_CHECKING:
    from ._types import AuthTypes

__all__ = ["Auth", "BasicAuth", "DigestAuth", "FunctionAuth", "NetRCAuth"]


def _to_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


class Auth:
    """
    Base class for authentication schemes.

    Subclasses override `auth_flow()`, a generator that yields each request to send and
    receives its response:

    ```python
    class TokenAuth(Auth):
        def __init__(self, token: str) -> None:
            self.token = token

        def auth_flow(self, request):
            request.headers["Authorization"] = f"Bearer {self.token}"
            response = yield request
            if response.status_code == 401:
                ...  # refresh the token, then `yield request` again
    ```

    Returning (or reaching the end) makes the client return the last response. Set
    `requires_request_body` / `requires_response_body` when the flow reads the request body or
    a response body; the drivers then load them before the flow sees them.
    """

    requires_request_body = False
    requires_response_body = False

    def auth_flow(self, request: Request) -> typing.Generator[Request, Response, None]:
        """Send `request` as it is. Subclasses add credentials (see the class docstring)."""
        yield request

    def sync_auth_flow(self, request: Request) -> typing.Generator[Request, Response, None]:
        """Drive `auth_flow()` for `Client`, reading bodies the flow declared it needs."""
        if self.requires_request_body:
            request.read()
        flow = self.auth_flow(request)
        request = next(flow)
        while True:
            response = yield request
            if self.requires_response_body:
                response.read()
            try:
                request = flow.send(response)
            except StopIteration:
                break

    async def async_auth_flow(self, request: Request) -> typing.AsyncGenerator[Request, Response]:
        """Drive `auth_flow()` for `AsyncClient`, reading bodies the flow declared it needs."""
        if self.requires_request_body:
            await request.aread()
        flow = self.auth_flow(request)
        request = next(flow)
        while True:
            response = yield request
            if self.requires_response_body:
                await response.aread()
            try:
                request = flow.send(response)
            except StopIteration:
                break


def sync_auth_flow(auth: Auth, request: Request) -> typing.Generator[Request, Response, None]:
    """The flow `Client` drives: `next()` for the first request, `.send(response)` after."""
    return auth.sync_auth_flow(request)


def async_auth_flow(auth: Auth, request: Request) -> typing.AsyncGenerator[Request, Response]:
    """The flow `AsyncClient` drives: `__anext__()` first, `.asend(response)` after."""
    return auth.async_auth_flow(request)


class NoAuth(Auth):
    """Sends requests unchanged; what the client uses when no auth is configured."""


class FunctionAuth(Auth):
    """
    Auth from a plain callable that takes the request and returns it (or a new one).

    ```python
    def add_token(request: Request) -> Request:
        request.headers["X-Token"] = "secret"
        return request

    client = Client(auth=add_token)
    ```
    """

    def __init__(self, func: typing.Callable[[Request], Request]) -> None:
        self._func = func

    def auth_flow(self, request: Request) -> typing.Generator[Request, Response, None]:
        yield self._func(request)


def _basic_auth_header(username: str | bytes, password: str | bytes) -> str:
    token = b64encode(b":".join((_to_bytes(username), _to_bytes(password)))).decode("ascii")
    return f"Basic {token}"


class BasicAuth(Auth):
    """
    HTTP Basic authentication (RFC 7617); text credentials are encoded as UTF-8.

    **Parameters:**

    * **username** - the user name.
    * **password** - the password.

    `Client(auth=("user", "pass"))` is a shortcut for `Client(auth=BasicAuth("user", "pass"))`.
    """

    def __init__(self, username: str | bytes, password: str | bytes) -> None:
        self._auth_header = _basic_auth_header(username, password)

    def auth_flow(self, request: Request) -> typing.Generator[Request, Response, None]:
        request.headers["Authorization"] = self._auth_header
        yield request


class NetRCAuth(Auth):
    """
    Basic authentication with the credentials a `.netrc` file holds for the request's host.

    **Parameters:**

    * **file** - *(optional)* path of the netrc file. Default: `~/.netrc`.

    Hosts without an entry (or without a password) are sent unauthenticated.
    """

    def __init__(self, file: str | None = None) -> None:
        # Imported here: most programs never need the netrc parser.
        import netrc

        self._netrc_info = netrc.netrc(file)

    def auth_flow(self, request: Request) -> typing.Generator[Request, Response, None]:
        auth_info = self._netrc_info.authenticators(request.url.host)
        if auth_info is not None and auth_info[2]:
            request.headers["Authorization"] = _basic_auth_header(auth_info[0], auth_info[2])
        yield request


def build_auth(auth: AuthTypes | None) -> Auth | None:
    """
    Turn the `auth=` argument of the client into an `Auth`.

    `(username, password)` becomes `BasicAuth`, a callable becomes `FunctionAuth`, an `Auth`
    is returned as it is and `None` stays `None`. Anything else raises `TypeError`.
    """
    if auth is None or isinstance(auth, Auth):
        return auth
    if isinstance(auth, tuple) and len(auth) == 2:
        return BasicAuth(auth[0], auth[1])
    if callable(auth):
        return FunctionAuth(auth)
    # Only the type in the message: the value may hold a password.
    raise TypeError(
        'Invalid "auth" argument: expected a (username, password) tuple, a callable or an Auth'
        f" instance, got {type(auth).__name__}."
    )


# Digest -------------------------------------------------------------------------------------

# RFC 7616 section 3.3 hash algorithms, plus SHA(-1) which RFC 2617-era servers still send.
_DIGEST_HASHES: dict[str, str] = {
    "MD5": "md5",
    "SHA": "sha1",
    "SHA-256": "sha256",
    "SHA-512": "sha512",
    "SHA-512-256": "sha512_256",
}


def _hash_name(algorithm: str) -> str | None:
    name = _DIGEST_HASHES.get(algorithm.upper().removesuffix("-SESS"))
    if name is None or name not in hashlib.algorithms_available:
        return None  # e.g. SHA-512-256 on an OpenSSL without it.
    return name


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _parse_challenges(headers: typing.Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    """
    Split `WWW-Authenticate` values into `(scheme, params)` challenges.

    One header may hold several challenges (`Basic realm="a", Digest realm="b", nonce="c"`):
    an item that starts with a bare token opens a new challenge, `key=value` items extend it.
    """
    challenges: list[tuple[str, dict[str, str]]] = []
    for header in headers:
        for item in parse_http_list(header):
            item = item.strip()
            head, _, rest = item.partition(" ")
            if head and "=" not in head:
                challenges.append((head.lower(), {}))
                item = rest.strip()
            if item and challenges and "=" in item:
                key, _, value = item.partition("=")
                challenges[-1][1][key.strip().lower()] = _unquote(value.strip())
    return challenges


class _DigestChallenge(typing.NamedTuple):
    realm: str
    nonce: str
    algorithm: str
    opaque: str | None
    qop: str | None  # the qop we answer with: "auth", "auth-int", or None (RFC 2069)
    userhash: bool


def _digest_challenge(params: dict[str, str], request: Request) -> _DigestChallenge | None:
    """The challenge we can answer, or None if its algorithm or qop is not supported."""
    algorithm = params.get("algorithm", "MD5")
    if _hash_name(algorithm) is None:
        return None
    qop: str | None = None
    if "qop" in params:
        offered = [value.strip().lower() for value in params["qop"].split(",")]
        if "auth" in offered:
            qop = "auth"
        elif "auth-int" in offered:
            qop = "auth-int"
        else:
            return None
    try:
        return _DigestChallenge(
            realm=params["realm"],
            nonce=params["nonce"],
            algorithm=algorithm,
            opaque=params.get("opaque"),
            qop=qop,
            userhash=params.get("userhash", "").lower() == "true",
        )
    except KeyError as exc:
        raise ProtocolError("Malformed Digest WWW-Authenticate header", request=request) from exc


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class DigestAuth(Auth):
    """
    HTTP Digest authentication (RFC 7616, and RFC 2069/2617 servers).

    **Parameters:**

    * **username** - the user name.
    * **password** - the password.

    Supports the MD5, SHA-256, SHA-512, SHA-512-256 and SHA algorithms with their `-sess`
    variants, qop `auth` and `auth-int`, `userhash`, and non-ASCII user names (`username*`).
    The first request goes without credentials; after a 401 challenge it is sent again with an
    `Authorization` header. The challenge is then reused for later requests to the same origin
    (counting `nc` up), which saves the extra round trip until the server sends a new nonce.

    The request body is loaded into memory before sending, because it is sent twice and
    `auth-int` hashes it. It can be shared between threads.

    ```python
    client = Client(auth=DigestAuth("user", "pass"))
    ```
    """

    requires_request_body = True

    def __init__(self, username: str | bytes, password: str | bytes) -> None:
        self._username = _to_bytes(username)
        self._password = _to_bytes(password)
        self._lock = threading.Lock()
        self._challenge: _DigestChallenge | None = None
        self._origin: tuple[str, str, int | None] | None = None
        self._nonce_count = 0

    def auth_flow(self, request: Request) -> typing.Generator[Request, Response, None]:
        with self._lock:
            challenge = self._challenge if self._origin == request.url.origin else None
        if challenge is not None:
            request.headers["Authorization"] = self._build_auth_header(request, challenge)

        response = yield request

        if response.status_code != 401:
            return
        # After redirects the challenge is the last hop's: answer it there, but never on
        # another origin (the client dropped Authorization on that hop for the same reason).
        challenged = response._request if response._request is not None else request
        if challenged.url.origin != request.url.origin:
            return
        request = challenged
        digest_challenges = [
            params
            for scheme, params in _parse_challenges(response.headers.get_list("WWW-Authenticate"))
            if scheme == "digest"
        ]
        # RFC 7616 section 3.7: servers list their preferred algorithm first.
        for params in digest_challenges:
            challenge = _digest_challenge(params, request)
            if challenge is not None:
                break
        else:
            return
        with self._lock:
            self._challenge = challenge
            self._origin = request.url.origin
            self._nonce_count = 0
        request.headers["Authorization"] = self._build_auth_header(request, challenge)
        _add_response_cookies(request, response)
        yield request

    def _get_client_nonce(self, nonce_count: int, nonce: bytes) -> bytes:
        """A fresh client nonce; tests override this to get fixed values."""
        return secrets.token_hex(16).encode("ascii")

    def _build_auth_header(self, request: Request, challenge: _DigestChallenge) -> str:
        hash_name = _hash_name(challenge.algorithm)
        assert hash_name is not None  # _digest_challenge only accepts known algorithms.

        def digest(*parts: bytes) -> bytes:
            return hashlib.new(hash_name, b":".join(parts)).hexdigest().encode("ascii")

        with self._lock:
            if challenge is self._challenge:
                self._nonce_count += 1
                nonce_count = self._nonce_count
            else:
                nonce_count = 1
        nonce = challenge.nonce.encode("utf-8")
        realm = challenge.realm.encode("utf-8")
        nc_value = b"%08x" % nonce_count
        cnonce = self._get_client_nonce(nonce_count, nonce)
        uri = request.url.raw_path.encode("ascii")

        ha1 = digest(self._username, realm, self._password)
        if challenge.algorithm.upper().endswith("-SESS"):
            ha1 = digest(ha1, nonce, cnonce)
        if challenge.qop == "auth-int":
            ha2 = digest(request.method.encode("ascii"), uri, digest(request.content))
        else:
            ha2 = digest(request.method.encode("ascii"), uri)
        if challenge.qop is None:
            response = digest(ha1, nonce, ha2)  # RFC 2069
        else:
            qop = challenge.qop.encode("ascii")
            response = digest(ha1, nonce, nc_value, cnonce, qop, ha2)

        fields = [self._username_field(challenge, digest)]
        fields += [
            f"realm={_quoted(challenge.realm)}",
            f"nonce={_quoted(challenge.nonce)}",
            f"uri={_quoted(uri.decode('ascii'))}",
            f"response={_quoted(response.decode('ascii'))}",
            f"algorithm={challenge.algorithm}",
        ]
        if challenge.opaque is not None:
            fields.append(f"opaque={_quoted(challenge.opaque)}")
        if challenge.qop is not None:
            fields += [
                f"qop={challenge.qop}",
                f"nc={nc_value.decode('ascii')}",
                f"cnonce={_quoted(cnonce.decode('ascii'))}",
            ]
        if challenge.userhash:
            fields.append("userhash=true")
        return "Digest " + ", ".join(fields)

    def _username_field(
        self, challenge: _DigestChallenge, digest: typing.Callable[..., bytes]
    ) -> str:
        if challenge.userhash:
            hashed = digest(self._username, challenge.realm.encode("utf-8"))
            return f"username={_quoted(hashed.decode('ascii'))}"
        try:
            return f"username={_quoted(self._username.decode('ascii'))}"
        except UnicodeDecodeError:
            # RFC 7616 section 3.4.4: names that are not ASCII use the RFC 5987 encoding.
            return f"username*=UTF-8''{quote(self._username, safe='')}"


def _add_response_cookies(request: Request, response: Response) -> None:
    """Put cookies the 401 response set into the retried request's Cookie header."""
    cookies = Cookies()
    cookies.extract_cookies(response)
    if not cookies:
        return
    probe = Request(request.method, request.url)
    cookies.set_cookie_header(probe)
    fresh = probe.headers.get("Cookie")
    if fresh is None:
        return
    existing = request.headers.get("Cookie")
    if existing is None:
        request.headers["Cookie"] = fresh
        return
    fresh_names = {pair.partition("=")[0].strip() for pair in fresh.split(";")}
    kept = [
        pair.strip()
        for pair in existing.split(";")
        if pair.strip() and pair.partition("=")[0].strip() not in fresh_names
    ]
    # Assigning keeps the header where it was: header order is part of the fingerprint.
    request.headers["Cookie"] = "; ".join([*kept, fresh])
