"""
`Client` and `AsyncClient`.

`BaseClient` holds every piece of logic that does no I/O: configuration, merging, request
building, redirect and cookie bookkeeping, profile/proxy/header rotation. `Client` and
`AsyncClient` hold only the I/O skeleton (send → auth → redirects → single request) and are
line-for-line mirrors of each other, differing only by async/await.
"""

from __future__ import annotations

import enum
import inspect
import time
import typing
import urllib.request
from pathlib import Path
from types import TracebackType

from ._auth import Auth, async_auth_flow, build_auth, sync_auth_flow
from ._config import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT_CONFIG,
    USE_CLIENT_DEFAULT,
    Limits,
    Proxy,
    Timeout,
    UseClientDefault,
)
from ._cookies import Cookies
from ._exceptions import ClientClosed, ProxyError, TooManyRedirects, UnsupportedProtocol
from ._fingerprints import CustomFingerprint
from ._models import Headers, Request, Response
from ._profiles import (
    DEFAULT_CLIENT_IDENTIFIER,
    default_headers,
    resolve_profile,
    shuffles_extensions,
)
from ._redirects import build_redirect_request
from ._rotators import HeaderRotator, ProxyRotator, TLSIdentifierRotator
from ._transports.base import AsyncBaseTransport, BaseTransport
from ._transports.native import AsyncNativeTransport, NativeTransport
from ._urls import URL, QueryParams
from ._wire import SessionConfig

if typing.TYPE_CHECKING:
    from ._types import (
        AuthTypes,
        CertTypes,
        CookieTypes,
        EventHook,
        HeaderTypes,
        QueryParamTypes,
        RequestContent,
        RequestData,
        RequestExtensions,
        RequestFiles,
        TimeoutTypes,
        URLTypes,
        VerifyTypes,
    )

__all__ = ["AsyncClient", "Client"]

ProxyArg = typing.Union[str, URL, Proxy, ProxyRotator, None]
ProfileArg = typing.Union[str, TLSIdentifierRotator]


class ClientState(enum.Enum):
    UNOPENED = 1  # not used in a `with` block yet
    OPENED = 2
    CLOSED = 3


def _read_pem(path: str | Path) -> str:
    return Path(path).read_text(encoding="ascii")


def _cert_config(cert: CertTypes | None) -> tuple[str, str]:
    if cert is None:
        return "", ""
    if isinstance(cert, (str, Path)):
        pem = _read_pem(cert)
        return pem, pem  # one file holding both the certificate and the key
    if len(cert) == 3 and cert[2]:
        raise ValueError("Encrypted client keys are not supported; decrypt the key first.")
    return _read_pem(cert[0]), _read_pem(cert[1])


def _bypasses_proxy(host: str, no_proxy: str) -> bool:
    # NO_PROXY: "*", or host names/domains (".example.com" or "example.com" match subdomains).
    for entry in no_proxy.split(","):
        entry = entry.strip().lower().lstrip(".")
        entry = entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry
        if entry == "*" or (entry and (host == entry or host.endswith("." + entry))):
            return True
    return False


def _env_proxy(url: URL, proxies: dict[str, str]) -> Proxy | None:
    # trust_env: the same variables as httpx and requests (HTTPS_PROXY, ALL_PROXY, NO_PROXY),
    # read once when the client is made (scanning os.environ per request is slow).
    if not proxies or _bypasses_proxy(url.host, proxies.get("no", "")):
        return None
    found = proxies.get(url.scheme) or proxies.get("all")
    if not found:
        return None
    # `HTTPS_PROXY=host:3128` means an http:// proxy, as in requests and httpx.
    return Proxy(found if "://" in found else f"http://{found}")


TransportT = typing.TypeVar("TransportT", BaseTransport, AsyncBaseTransport)


class BaseClient(typing.Generic[TransportT]):
    """
    Everything both clients share that does no I/O, including the constructor: a subclass
    only says which native transport it runs on (`_native_transport`).
    """

    def __init__(
        self,
        *,
        auth: AuthTypes | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | HeaderRotator | None = None,
        cookies: CookieTypes | None = None,
        verify: VerifyTypes = True,
        cert: CertTypes | None = None,
        http2: bool = True,
        http3: bool = False,
        proxy: ProxyArg = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
        follow_redirects: bool = False,
        limits: Limits = DEFAULT_LIMITS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        event_hooks: typing.Mapping[str, list[EventHook]] | None = None,
        base_url: URLTypes = "",
        transport: TransportT | None = None,
        trust_env: bool = True,
        default_encoding: str | typing.Callable[[bytes], str | None] = "utf-8",
        client_identifier: ProfileArg = DEFAULT_CLIENT_IDENTIFIER,
        random_tls_extension_order: bool | None = None,
        fingerprint: CustomFingerprint | None = None,
        server_name: str | None = None,
    ) -> None:
        self._base_url = self._enforce_trailing_slash(URL(base_url))
        self._auth = build_auth(auth)
        self._params = QueryParams(params)
        self._header_rotator = headers if isinstance(headers, HeaderRotator) else None
        self._headers = Headers(None if self._header_rotator else headers)  # type: ignore[arg-type]
        self._cookies = Cookies(cookies)
        self._timeout = Timeout(timeout)
        self.follow_redirects = follow_redirects
        self.max_redirects = max_redirects
        self._event_hooks: dict[str, list[EventHook]] = {
            "request": list((event_hooks or {}).get("request", [])),
            "response": list((event_hooks or {}).get("response", [])),
        }
        self._trust_env = trust_env
        self._env_proxies = urllib.request.getproxies_environment() if trust_env else {}
        self._default_encoding = default_encoding
        self._profile_rotator: TLSIdentifierRotator | None = None
        if isinstance(client_identifier, TLSIdentifierRotator):
            self._profile_rotator = client_identifier
            for name in client_identifier.items:
                resolve_profile(name)
            self._client_identifier = resolve_profile(client_identifier.items[0])
        else:
            self._client_identifier = resolve_profile(client_identifier)
        self._proxy = self._build_proxy(proxy)
        self._fingerprint = fingerprint
        self._limits = limits
        self._state = ClientState.UNOPENED
        if transport is None:
            config = self._session_config(
                verify=verify,
                cert=cert,
                http2=http2,
                http3=http3,
                random_tls_extension_order=random_tls_extension_order,
                server_name=server_name,
            )
            transport = self._native_transport(config)
        self._transport: TransportT = transport

    def _native_transport(self, config: SessionConfig) -> TransportT:
        """The Go-backed transport for this kind of client (blocking or async)."""
        raise NotImplementedError  # pragma: no cover

    # Configuration ------------------------------------------------------------------------

    @staticmethod
    def _enforce_trailing_slash(url: URL) -> URL:
        if url.path and not url.path.endswith("/") and url.is_absolute_url:
            return url.copy_with(path=url.path + "/")
        return url

    @staticmethod
    def _build_proxy(proxy: ProxyArg) -> Proxy | ProxyRotator | None:
        if proxy is None or isinstance(proxy, (Proxy, ProxyRotator)):
            return proxy
        return Proxy(proxy)

    @property
    def is_closed(self) -> bool:
        return self._state == ClientState.CLOSED

    @property
    def client_identifier(self) -> str:
        """The browser profile this client impersonates (the first one, if rotating)."""
        return self._client_identifier

    @property
    def base_url(self) -> URL:
        return self._base_url

    @base_url.setter
    def base_url(self, url: URLTypes) -> None:
        self._base_url = self._enforce_trailing_slash(URL(url))

    @property
    def timeout(self) -> Timeout:
        return self._timeout

    @timeout.setter
    def timeout(self, timeout: TimeoutTypes) -> None:
        self._timeout = Timeout(timeout)

    @property
    def headers(self) -> Headers:
        """Headers sent with every request, on top of the profile's browser headers."""
        return self._headers

    @headers.setter
    def headers(self, headers: HeaderTypes) -> None:
        self._headers = Headers(headers)

    @property
    def cookies(self) -> Cookies:
        """The cookie jar: updated by every response (redirect hops included)."""
        return self._cookies

    @cookies.setter
    def cookies(self, cookies: CookieTypes) -> None:
        self._cookies = Cookies(cookies)

    @property
    def params(self) -> QueryParams:
        return self._params

    @params.setter
    def params(self, params: QueryParamTypes) -> None:
        self._params = QueryParams(params)

    @property
    def auth(self) -> Auth | None:
        return self._auth

    @auth.setter
    def auth(self, auth: AuthTypes) -> None:
        self._auth = build_auth(auth)

    @property
    def event_hooks(self) -> dict[str, list[EventHook]]:
        return self._event_hooks

    @event_hooks.setter
    def event_hooks(self, event_hooks: dict[str, list[EventHook]]) -> None:
        self._event_hooks = {
            "request": list(event_hooks.get("request", [])),
            "response": list(event_hooks.get("response", [])),
        }

    def _max_idle_connections(self) -> int:
        # Idle HTTP/1.1 connections kept per host: enough for every request in flight to put
        # its connection back, so concurrent HTTP/1.1 requests don't re-dial.
        limits = self._limits
        return limits.max_keepalive_connections or limits.max_connections or 100

    def _session_config(
        self,
        *,
        verify: VerifyTypes,
        cert: CertTypes | None,
        http2: bool,
        http3: bool,
        random_tls_extension_order: bool | None,
        server_name: str | None,
    ) -> SessionConfig:
        if not isinstance(verify, (bool, str, Path)):
            raise TypeError("verify must be True, False, or the path of a CA bundle (PEM).")
        if http3 and not http2:
            raise ValueError("http3=True needs http2=True: HTTP/3 is raced against HTTP/2.")
        cert_pem, key_pem = _cert_config(cert)
        return {
            "client_identifier": self._client_identifier,
            "custom_profile": self._fingerprint.to_native() if self._fingerprint else None,
            "random_tls_extension_order": (
                self._fingerprint is None and shuffles_extensions(self._client_identifier)
                if random_tls_extension_order is None
                else random_tls_extension_order
            ),
            "force_http1": not http2,
            "http3": http3,
            "insecure_skip_verify": verify is False,
            "root_ca_pem": "" if isinstance(verify, bool) else _read_pem(verify),
            "client_cert_pem": cert_pem,
            "client_key_pem": key_pem,
            "server_name": server_name or "",
            "max_idle_conns_per_host": self._max_idle_connections(),
        }

    # Building requests ----------------------------------------------------------------------

    def _merge_url(self, url: URLTypes) -> URL:
        merge_url = URL(url)
        if merge_url.is_relative_url and self.base_url.is_absolute_url:
            # `base_url="https://api/v1/"` + "users" or "/users" → "https://api/v1/users".
            path = self.base_url._path.rstrip("/") + "/" + merge_url._path.lstrip("/")
            query = merge_url.query
            return self.base_url.copy_with(path=path, query=query or None)
        return merge_url

    def _profile_for_request(self) -> str:
        if self._profile_rotator is not None:
            return resolve_profile(self._profile_rotator.next())
        return self._client_identifier

    def _merge_headers(self, profile: str, headers: HeaderTypes | None) -> Headers:
        # Browser headers first, in the browser's order; a user value replaces the browser's
        # in place, so overriding User-Agent does not move it. New names go at the end.
        custom = self._fingerprint.headers if self._fingerprint else ()
        merged = Headers(custom or default_headers(profile))
        client_headers = self._header_rotator.next() if self._header_rotator else self._headers
        merged.update(client_headers)
        merged.update(headers)
        return merged

    def _proxy_for(self, url: URL, proxy: ProxyArg) -> tuple[Proxy | None, ProxyRotator | None]:
        """The proxy for a new request (per-request, client, or environment) and its rotator."""
        chosen = self._build_proxy(proxy) if proxy is not None else self._proxy
        if isinstance(chosen, ProxyRotator):
            return chosen.next(), chosen
        if chosen is None and self._trust_env:
            return _env_proxy(url, self._env_proxies), None
        return chosen, None

    def _proxy_failed(self, request: Request) -> None:
        # A rotated proxy that failed is skipped by its rotator for the cooldown.
        rotator = request.extensions.get("proxy_rotator")
        proxy = request.extensions.get("proxy")
        if isinstance(rotator, ProxyRotator) and isinstance(proxy, Proxy):
            rotator.mark_failed(proxy)

    def build_request(
        self,
        method: str,
        url: URLTypes,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: typing.Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        proxy: ProxyArg = None,
        extensions: RequestExtensions | None = None,
    ) -> Request:
        """
        Build a `Request` with the client's settings merged in; send it with `send()`.

        The request's `extensions` record the timeout, proxy and profile so every redirect hop
        is sent the same way.
        """
        merged_url = self._merge_url(url)
        if merged_url.scheme not in ("http", "https"):
            raise UnsupportedProtocol(
                f"Request URL has an unsupported protocol '{merged_url.scheme}://'."
            )
        profile = self._profile_for_request()
        timeout = self._timeout if isinstance(timeout, UseClientDefault) else Timeout(timeout)
        # A `Proxy`, not its URL: its repr (in tracebacks, logs) hides the credentials.
        chosen_proxy, proxy_rotator = self._proxy_for(merged_url, proxy)
        request_extensions = {
            "timeout": timeout,
            "proxy": chosen_proxy,
            "proxy_rotator": proxy_rotator,
            "client_identifier": profile if profile != self._client_identifier else "",
            **(extensions or {}),
        }
        request = Request(
            method,
            merged_url.copy_merge_params(self._params.merge(params)),
            headers=self._merge_headers(profile, headers),
            content=content,
            data=data,
            files=files,
            json=json,
            extensions=request_extensions,
        )
        if cookies is not None:
            merged_cookies = Cookies(self._cookies)
            merged_cookies.update(cookies)
            merged_cookies.set_cookie_header(request)
        return request

    def _prepare_send(self, request: Request) -> None:
        if self._state == ClientState.CLOSED:
            raise ClientClosed("Cannot send a request, as the client has been closed.")
        self._state = ClientState.OPENED
        if "Cookie" not in request.headers:
            self._cookies.set_cookie_header(request)

    def _finish_hop(self, request: Request, response: Response, started_at: float) -> None:
        """Bookkeeping after each response head, redirect hops included."""
        response._started_at = started_at
        response.default_encoding = self._default_encoding
        self._cookies.extract_cookies(response)
        if response.is_redirect:
            response.next_request = build_redirect_request(request, response)

    def _next_hop(self, response: Response, history: list[Response]) -> Request:
        if len(history) >= self.max_redirects:
            raise TooManyRedirects("Exceeded maximum allowed redirects.", request=response.request)
        assert response.next_request is not None
        return response.next_request

    def _auth_for(self, request: Request, auth: AuthTypes | UseClientDefault | None) -> Auth:
        from ._auth import NoAuth

        chosen = self._auth if isinstance(auth, UseClientDefault) else build_auth(auth)
        if chosen is None:
            # URL credentials (https://user:pass@host) are used as basic auth, like httpx.
            if request.url.username or request.url.password:
                return build_auth((request.url.username, request.url.password)) or NoAuth()
            return NoAuth()
        return chosen


class _ResponseContext:
    """`with client.stream(...) as response:` — sends on enter, closes on exit."""

    def __init__(self, client: Client, request: Request, kwargs: dict[str, typing.Any]) -> None:
        self._client = client
        self._request = request
        self._kwargs = kwargs
        self._response: Response | None = None

    def __enter__(self) -> Response:
        self._response = self._client.send(self._request, stream=True, **self._kwargs)
        return self._response

    def __exit__(self, *args: object) -> None:
        if self._response is not None:
            self._response.close()


class _AsyncResponseContext:
    """`async with client.stream(...) as response:` — also awaitable, for the
    `async with await client.stream(...) as response:` form."""

    def __init__(
        self, client: AsyncClient, request: Request, kwargs: dict[str, typing.Any]
    ) -> None:
        self._client = client
        self._request = request
        self._kwargs = kwargs
        self._response: Response | None = None

    async def __aenter__(self) -> Response:
        self._response = await self._client.send(self._request, stream=True, **self._kwargs)
        return self._response

    async def __aexit__(self, *args: object) -> None:
        if self._response is not None:
            await self._response.aclose()

    def __await__(self) -> typing.Generator[typing.Any, None, Response]:
        return self.__aenter__().__await__()


_CLIENT_DOC = """
    **Parameters:**

    * **client_identifier** - *(optional)* the browser profile to impersonate, e.g.
      `"chrome_146"`, `"firefox"` (newest Firefox), or a `TLSIdentifierRotator`. Default: a
      current Chrome. Unknown names raise `UnsupportedProfile`.
    * **auth** - *(optional)* `(user, password)`, a callable, or an `Auth` such as `DigestAuth`.
    * **params** - *(optional)* query parameters added to every request URL.
    * **headers** - *(optional)* headers for every request (they override the profile's browser
      headers in place), or a `HeaderRotator`.
    * **cookies** - *(optional)* initial cookies; the jar is `client.cookies`.
    * **verify** - *(optional)* `True` (system roots), `False`, or a CA bundle path (PEM).
    * **cert** - *(optional)* client certificate for mTLS: a PEM path holding both certificate
      and key, or `(cert_path, key_path)`.
    * **http2** - *(optional)* offer HTTP/2 as the browser does (default `True`); `False` forces
      HTTP/1.1.
    * **http3** - *(optional)* opt in to HTTP/3 racing where the Go library supports it.
    * **proxy** - *(optional)* `http://`, `https://`, `socks5://` or `socks5h://` URL, a `Proxy`,
      or a `ProxyRotator`.
    * **timeout** - *(optional)* seconds, or a `Timeout`. Default `Timeout(5.0)`.
    * **follow_redirects** - *(optional)* follow 3xx responses (default `False`, as in httpx).
    * **max_redirects** - *(optional)* default 20; more raise `TooManyRedirects`.
    * **limits** - *(optional)* `Limits(max_connections=...)`: for `AsyncClient`, the number of
      requests in flight at once (default 100).
    * **event_hooks** - *(optional)* `{"request": [...], "response": [...]}`.
    * **base_url** - *(optional)* prefix for relative request URLs.
    * **trust_env** - *(optional)* read proxies from `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY`.
    * **random_tls_extension_order** - *(optional)* shuffle TLS extensions per connection.
      Default: as the browser does, i.e. on for Chrome 110+ and Brave, off for the others and
      for a `fingerprint`.
    * **fingerprint** - *(optional)* a `CustomFingerprint` instead of a built-in profile.
    * **server_name** - *(optional)* override the TLS SNI.
    * **transport** - *(optional)* a custom transport (e.g. `MockTransport` for tests).
"""


class Client(BaseClient[BaseTransport]):
    """
    A synchronous HTTP client that looks like a real browser on the wire.

    It keeps one Go session, so connections and HTTP/2 streams are reused. Close it with
    `close()` or a `with` block. It can be shared between threads.

    ```python
    with tls_requests.Client(client_identifier="chrome_146") as client:
        response = client.get("https://example.org")
    ```
    """

    __doc__ = (__doc__ or "") + _CLIENT_DOC

    def _native_transport(self, config: SessionConfig) -> BaseTransport:
        return NativeTransport(config)

    def request(
        self,
        method: str,
        url: URLTypes,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: typing.Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        proxy: ProxyArg = None,
        extensions: RequestExtensions | None = None,
    ) -> Response:
        """Build and send a request; the response body is read before it is returned."""
        request = self.build_request(
            method, url, content=content, data=data, files=files, json=json, params=params,
            headers=headers, cookies=cookies, timeout=timeout, proxy=proxy, extensions=extensions,
        )  # fmt: skip
        return self.send(request, auth=auth, follow_redirects=follow_redirects)

    def stream(
        self,
        method: str,
        url: URLTypes,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: typing.Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        proxy: ProxyArg = None,
        extensions: RequestExtensions | None = None,
    ) -> _ResponseContext:
        """
        Send a request and stream the response body:

        ```python
        with client.stream("GET", url) as response:
            for chunk in response.iter_bytes():
                ...
        ```
        """
        request = self.build_request(
            method, url, content=content, data=data, files=files, json=json, params=params,
            headers=headers, cookies=cookies, timeout=timeout, proxy=proxy, extensions=extensions,
        )  # fmt: skip
        return _ResponseContext(self, request, {"auth": auth, "follow_redirects": follow_redirects})

    def send(
        self,
        request: Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
    ) -> Response:
        """Send a built request. With `stream=True` the body is left unread (close it!)."""
        if self._state == ClientState.CLOSED:
            raise ClientClosed("Cannot send a request, as the client has been closed.")
        follow = (
            self.follow_redirects
            if isinstance(follow_redirects, UseClientDefault)
            else follow_redirects
        )
        response = self._send_handling_auth(request, self._auth_for(request, auth), follow, [])
        try:
            if not stream:
                response.read()
            return response
        except BaseException:
            response.close()
            raise

    def _send_handling_auth(
        self, request: Request, auth: Auth, follow_redirects: bool, history: list[Response]
    ) -> Response:
        flow = sync_auth_flow(auth, request)
        try:
            request = next(flow)
            while True:
                response = self._send_handling_redirects(request, follow_redirects, history)
                try:
                    try:
                        next_request = flow.send(response)
                    except StopIteration:
                        return response
                    response.read()
                    history = [*history, response]
                    request = next_request
                except BaseException:
                    response.close()
                    raise
        finally:
            flow.close()

    def _send_handling_redirects(
        self, request: Request, follow_redirects: bool, history: list[Response]
    ) -> Response:
        while True:
            for hook in self._event_hooks["request"]:
                hook(request)
            response = self._send_single_request(request)
            try:
                for hook in self._event_hooks["response"]:
                    hook(response)
                response.history = list(history)
                if not response.is_redirect or not follow_redirects:
                    return response
                request = self._next_hop(response, history)
                history = [*history, response]
                response.read()
            except BaseException:
                response.close()
                raise

    def _send_single_request(self, request: Request) -> Response:
        self._prepare_send(request)
        started_at = time.perf_counter()
        try:
            response = self._transport.handle_request(request)
        except ProxyError:
            self._proxy_failed(request)
            raise
        self._finish_hop(request, response, started_at)
        return response

    def close(self) -> None:
        """Close the Go session: its connections are closed and the client can't be used again."""
        if self._state != ClientState.CLOSED:
            self._state = ClientState.CLOSED
            self._transport.close()

    def __enter__(self) -> Client:
        if self._state != ClientState.UNOPENED:
            raise RuntimeError("A Client can only be opened once and not after it was closed.")
        self._state = ClientState.OPENED
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.close()

    def get(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a GET request; keyword arguments are those of `request()`."""
        return self.request("GET", url, **kwargs)

    def options(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send an OPTIONS request."""
        return self.request("OPTIONS", url, **kwargs)

    def head(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a HEAD request."""
        return self.request("HEAD", url, **kwargs)

    def post(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a POST request."""
        return self.request("POST", url, **kwargs)

    def put(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a PUT request."""
        return self.request("PUT", url, **kwargs)

    def patch(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a PATCH request."""
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a DELETE request."""
        return self.request("DELETE", url, **kwargs)


class AsyncClient(BaseClient[AsyncBaseTransport]):
    """
    An asynchronous HTTP client that looks like a real browser on the wire.

    Blocking native calls run in a thread pool owned by the client, sized by
    `limits.max_connections` (default 100), so the event loop never blocks and requests
    gathered with `asyncio.gather` really run at once. Cancelling a task cancels its request
    in Go. Close it with `aclose()` or `async with`.

    ```python
    async with tls_requests.AsyncClient() as client:
        response = await client.get("https://example.org")
    ```
    """

    __doc__ = (__doc__ or "") + _CLIENT_DOC

    def _native_transport(self, config: SessionConfig) -> AsyncBaseTransport:
        return AsyncNativeTransport(config, max_workers=self._limits.max_connections or 1000)

    async def request(
        self,
        method: str,
        url: URLTypes,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: typing.Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        proxy: ProxyArg = None,
        extensions: RequestExtensions | None = None,
    ) -> Response:
        """Build and send a request; the response body is read before it is returned."""
        request = self.build_request(
            method, url, content=content, data=data, files=files, json=json, params=params,
            headers=headers, cookies=cookies, timeout=timeout, proxy=proxy, extensions=extensions,
        )  # fmt: skip
        return await self.send(request, auth=auth, follow_redirects=follow_redirects)

    def stream(
        self,
        method: str,
        url: URLTypes,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: typing.Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        proxy: ProxyArg = None,
        extensions: RequestExtensions | None = None,
    ) -> _AsyncResponseContext:
        """
        Send a request and stream the response body:

        ```python
        async with client.stream("GET", url) as response:
            async for chunk in response.aiter_bytes():
                ...
        ```
        """
        request = self.build_request(
            method, url, content=content, data=data, files=files, json=json, params=params,
            headers=headers, cookies=cookies, timeout=timeout, proxy=proxy, extensions=extensions,
        )  # fmt: skip
        return _AsyncResponseContext(
            self, request, {"auth": auth, "follow_redirects": follow_redirects}
        )

    async def send(
        self,
        request: Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
    ) -> Response:
        """Send a built request. With `stream=True` the body is left unread (close it!)."""
        if self._state == ClientState.CLOSED:
            raise ClientClosed("Cannot send a request, as the client has been closed.")
        follow = (
            self.follow_redirects
            if isinstance(follow_redirects, UseClientDefault)
            else follow_redirects
        )
        response = await self._send_handling_auth(
            request, self._auth_for(request, auth), follow, []
        )
        try:
            if not stream:
                await response.aread()
            return response
        except BaseException:
            await response.aclose()
            raise

    async def _send_handling_auth(
        self, request: Request, auth: Auth, follow_redirects: bool, history: list[Response]
    ) -> Response:
        flow = async_auth_flow(auth, request)
        try:
            request = await flow.__anext__()
            while True:
                response = await self._send_handling_redirects(request, follow_redirects, history)
                try:
                    try:
                        next_request = await flow.asend(response)
                    except StopAsyncIteration:
                        return response
                    await response.aread()
                    history = [*history, response]
                    request = next_request
                except BaseException:
                    await response.aclose()
                    raise
        finally:
            await flow.aclose()

    async def _send_handling_redirects(
        self, request: Request, follow_redirects: bool, history: list[Response]
    ) -> Response:
        while True:
            for hook in self._event_hooks["request"]:
                await _maybe_await(hook(request))
            response = await self._send_single_request(request)
            try:
                for hook in self._event_hooks["response"]:
                    await _maybe_await(hook(response))
                response.history = list(history)
                if not response.is_redirect or not follow_redirects:
                    return response
                request = self._next_hop(response, history)
                history = [*history, response]
                await response.aread()
            except BaseException:
                await response.aclose()
                raise

    async def _send_single_request(self, request: Request) -> Response:
        self._prepare_send(request)
        started_at = time.perf_counter()
        try:
            response = await self._transport.handle_async_request(request)
        except ProxyError:
            self._proxy_failed(request)
            raise
        self._finish_hop(request, response, started_at)
        return response

    async def aclose(self) -> None:
        """Close the Go session; requests still in flight fail with `ClientClosed`."""
        if self._state != ClientState.CLOSED:
            self._state = ClientState.CLOSED
            await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        if self._state != ClientState.UNOPENED:
            raise RuntimeError("A Client can only be opened once and not after it was closed.")
        self._state = ClientState.OPENED
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()

    async def get(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a GET request; keyword arguments are those of `request()`."""
        return await self.request("GET", url, **kwargs)

    async def options(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send an OPTIONS request."""
        return await self.request("OPTIONS", url, **kwargs)

    async def head(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a HEAD request."""
        return await self.request("HEAD", url, **kwargs)

    async def post(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a POST request."""
        return await self.request("POST", url, **kwargs)

    async def put(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a PUT request."""
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a PATCH request."""
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: URLTypes, **kwargs: typing.Any) -> Response:
        """Send a DELETE request."""
        return await self.request("DELETE", url, **kwargs)


async def _maybe_await(value: typing.Any) -> None:
    if inspect.isawaitable(value):
        await value
