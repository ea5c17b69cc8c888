"""
One adapter per library and HTTP version, used inside a worker process (see `worker.py`).

Every adapter is configured the same way: trust the benchmark CA, a 120 s timeout, and for
async clients at most 100 requests or connections at once. Peer libraries are imported only
when their adapter is built, so a missing one skips its rows instead of breaking the run.
"""

from __future__ import annotations

import concurrent.futures
import importlib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["ASYNC_CLIENTS", "SYNC_CLIENTS", "AsyncAdapter", "Reply", "SyncAdapter", "ClientInfo"]

TIMEOUT = 120.0
ASYNC_LIMIT = 100
# requests' `iter_content()` yields single bytes unless told otherwise; this matches the read
# buffer tls_requests uses.
STREAM_CHUNK = 256 * 1024
# tls-client's newest Chrome that tls_requests also has.
TLS_CLIENT_PROFILE = "chrome_146"


@dataclass
class Reply:
    status: int
    body: bytes
    proto: str  # the server's X-Proto header when it sends one, else what the client reports


def _proto(headers: Any, reported: str) -> str:
    value = headers.get("x-proto")
    return str(value) if value else reported


def _ssl_context(ca: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca)


class SyncAdapter:
    def get(self, url: str) -> Reply:
        raise NotImplementedError

    def stream(self, url: str, consume: Callable[[bytes], None]) -> Reply:
        """Read the body chunk by chunk into `consume`; the Reply has an empty body."""
        raise NotImplementedError

    def post(self, url: str, data: bytes) -> Reply:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class TlsRequestsSync(SyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        import tls_requests

        self.client = tls_requests.Client(verify=ca, http2=http2, timeout=TIMEOUT)

    def get(self, url: str) -> Reply:
        r = self.client.get(url)
        return Reply(r.status_code, r.content, _proto(r.headers, r.http_version))

    def stream(self, url: str, consume: Callable[[bytes], None]) -> Reply:
        with self.client.stream("GET", url) as r:
            for chunk in r.iter_bytes():
                consume(chunk)
        return Reply(r.status_code, b"", _proto(r.headers, r.http_version))

    def post(self, url: str, data: bytes) -> Reply:
        r = self.client.post(url, content=data)
        return Reply(r.status_code, r.content, _proto(r.headers, r.http_version))

    def close(self) -> None:
        self.client.close()


class TlsRequestsOneShot(SyncAdapter):
    """`tls_requests.get()`: a new client (Go session, TLS connection) for every call."""

    def __init__(self, ca: str, http2: bool) -> None:
        import tls_requests

        self.module = tls_requests
        self.ca, self.http2 = ca, http2

    def get(self, url: str) -> Reply:
        r = self.module.get(url, verify=self.ca, http2=self.http2, timeout=TIMEOUT)
        return Reply(r.status_code, r.content, _proto(r.headers, r.http_version))

    def close(self) -> None:
        pass


class HttpxSync(SyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        httpx = importlib.import_module("httpx")
        self.client = httpx.Client(verify=_ssl_context(ca), http2=http2, timeout=TIMEOUT)

    def get(self, url: str) -> Reply:
        r = self.client.get(url)
        return Reply(r.status_code, r.content, _proto(r.headers, r.http_version))

    def stream(self, url: str, consume: Callable[[bytes], None]) -> Reply:
        with self.client.stream("GET", url) as r:
            for chunk in r.iter_bytes():
                consume(chunk)
        return Reply(r.status_code, b"", _proto(r.headers, r.http_version))

    def post(self, url: str, data: bytes) -> Reply:
        r = self.client.post(url, content=data)
        return Reply(r.status_code, r.content, _proto(r.headers, r.http_version))

    def close(self) -> None:
        self.client.close()


class HttpxOneShot(SyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        self.module = importlib.import_module("httpx")
        self.context = _ssl_context(ca)

    def get(self, url: str) -> Reply:
        r = self.module.get(url, verify=self.context, timeout=TIMEOUT)
        return Reply(r.status_code, r.content, _proto(r.headers, r.http_version))

    def close(self) -> None:
        pass


def _requests_version(response: Any) -> str:
    return {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(response.raw.version, "?")


class RequestsSync(SyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        requests = importlib.import_module("requests")
        self.session = requests.Session()
        self.session.verify = ca

    def get(self, url: str) -> Reply:
        r = self.session.get(url, timeout=TIMEOUT)
        return Reply(r.status_code, r.content, _proto(r.headers, _requests_version(r)))

    def stream(self, url: str, consume: Callable[[bytes], None]) -> Reply:
        with self.session.get(url, stream=True, timeout=TIMEOUT) as r:
            for chunk in r.iter_content(chunk_size=STREAM_CHUNK):
                consume(chunk)
        return Reply(r.status_code, b"", _proto(r.headers, _requests_version(r)))

    def post(self, url: str, data: bytes) -> Reply:
        r = self.session.post(url, data=data, timeout=TIMEOUT)
        return Reply(r.status_code, r.content, _proto(r.headers, _requests_version(r)))

    def close(self) -> None:
        self.session.close()


class RequestsOneShot(SyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        self.module = importlib.import_module("requests")
        self.ca = ca

    def get(self, url: str) -> Reply:
        r = self.module.get(url, verify=self.ca, timeout=TIMEOUT)
        return Reply(r.status_code, r.content, _proto(r.headers, _requests_version(r)))

    def close(self) -> None:
        pass


def _curl_version(response: Any) -> str:
    # CURLINFO_HTTP_VERSION: 2 = CURL_HTTP_VERSION_1_1, 3 = CURL_HTTP_VERSION_2_0.
    return {2: "HTTP/1.1", 3: "HTTP/2"}.get(int(response.http_version), "?")


def _curl_options(ca: str, http2: bool) -> dict[str, Any]:
    options: dict[str, Any] = {"impersonate": "chrome", "verify": ca, "timeout": TIMEOUT}
    if not http2:
        options["http_version"] = importlib.import_module("curl_cffi").CurlHttpVersion.V1_1
    return options


class CurlCffiSync(SyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        curl_requests = importlib.import_module("curl_cffi.requests")
        self.session = curl_requests.Session(**_curl_options(ca, http2))

    def get(self, url: str) -> Reply:
        r = self.session.get(url)
        return Reply(r.status_code, r.content, _proto(r.headers, _curl_version(r)))

    def stream(self, url: str, consume: Callable[[bytes], None]) -> Reply:
        r = self.session.get(url, stream=True)
        try:
            for chunk in r.iter_content():
                consume(chunk)
        finally:
            r.close()
        return Reply(r.status_code, b"", _proto(r.headers, _curl_version(r)))

    def post(self, url: str, data: bytes) -> Reply:
        r = self.session.post(url, data=data)
        return Reply(r.status_code, r.content, _proto(r.headers, _curl_version(r)))

    def close(self) -> None:
        self.session.close()


class CurlCffiOneShot(SyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        self.module = importlib.import_module("curl_cffi.requests")
        self.options = _curl_options(ca, http2)

    def get(self, url: str) -> Reply:
        r = self.module.get(url, **self.options)
        return Reply(r.status_code, r.content, _proto(r.headers, _curl_version(r)))

    def close(self) -> None:
        pass


class TlsClientSync(SyncAdapter):
    """PyPI `tls-client`: JSON over ctypes, bodies as base64; it trusts SSL_CERT_FILE (Go)."""

    def __init__(self, ca: str, http2: bool) -> None:
        tls_client = importlib.import_module("tls_client")
        self.session = tls_client.Session(
            client_identifier=TLS_CLIENT_PROFILE, force_http1=not http2
        )

    def get(self, url: str) -> Reply:
        r = self.session.get(url, timeout_seconds=TIMEOUT)
        return Reply(r.status_code, r.content, _proto(r.headers, "?"))

    def post(self, url: str, data: bytes) -> Reply:
        r = self.session.post(url, data=data, timeout_seconds=TIMEOUT)
        return Reply(r.status_code, r.content, _proto(r.headers, "?"))

    def close(self) -> None:
        self.session.close()


class AsyncAdapter:
    async def open(self) -> None:
        pass

    async def get(self, url: str) -> Reply:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError


class TlsRequestsAsync(AsyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        import tls_requests

        self.client = tls_requests.AsyncClient(
            verify=ca,
            http2=http2,
            timeout=TIMEOUT,
            limits=tls_requests.Limits(max_connections=ASYNC_LIMIT),
        )

    async def get(self, url: str) -> Reply:
        r = await self.client.get(url)
        return Reply(r.status_code, r.content, _proto(r.headers, r.http_version))

    async def aclose(self) -> None:
        await self.client.aclose()


class HttpxAsync(AsyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        httpx = importlib.import_module("httpx")
        limits = httpx.Limits(max_connections=ASYNC_LIMIT)
        self.client = httpx.AsyncClient(
            verify=_ssl_context(ca), http2=http2, timeout=TIMEOUT, limits=limits
        )

    async def get(self, url: str) -> Reply:
        r = await self.client.get(url)
        return Reply(r.status_code, r.content, _proto(r.headers, r.http_version))

    async def aclose(self) -> None:
        await self.client.aclose()


class CurlCffiAsync(AsyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        curl_requests = importlib.import_module("curl_cffi.requests")
        self.session = curl_requests.AsyncSession(
            max_clients=ASYNC_LIMIT, **_curl_options(ca, http2)
        )

    async def get(self, url: str) -> Reply:
        r = await self.session.get(url)
        return Reply(r.status_code, r.content, _proto(r.headers, _curl_version(r)))

    async def aclose(self) -> None:
        await self.session.close()


class AiohttpAsync(AsyncAdapter):
    def __init__(self, ca: str, http2: bool) -> None:
        self.module = importlib.import_module("aiohttp")
        self.ca = ca
        self.session: Any = None

    async def open(self) -> None:
        connector = self.module.TCPConnector(ssl=_ssl_context(self.ca), limit=ASYNC_LIMIT)
        timeout = self.module.ClientTimeout(total=TIMEOUT)
        self.session = self.module.ClientSession(connector=connector, timeout=timeout)

    async def get(self, url: str) -> Reply:
        async with self.session.get(url) as r:
            body = await r.read()
            version = f"HTTP/{r.version.major}.{r.version.minor}"
            return Reply(r.status, body, _proto(r.headers, version))

    async def aclose(self) -> None:
        await self.session.close()


class TlsClientAsync(AsyncAdapter):
    """tls-client's AsyncSession runs each request in a thread of the executor it is given."""

    def __init__(self, ca: str, http2: bool) -> None:
        tls_client = importlib.import_module("tls_client")
        self.executor = concurrent.futures.ThreadPoolExecutor(ASYNC_LIMIT)
        self.session = tls_client.AsyncSession(
            client_identifier=TLS_CLIENT_PROFILE, force_http1=not http2, executor=self.executor
        )

    async def get(self, url: str) -> Reply:
        r = await self.session.get(url, timeout_seconds=TIMEOUT)
        return Reply(r.status_code, r.content, _proto(r.headers, "?"))

    async def aclose(self) -> None:
        await self.session.close()
        self.executor.shutdown()


@dataclass(frozen=True)
class ClientInfo:
    """A row label: library, modules it needs, adapter class and HTTP version offered."""

    library: str
    modules: tuple[str, ...]
    factory: Callable[[str, bool], Any]
    http2: bool

    @property
    def proto(self) -> str:
        return "h2" if self.http2 else "h1"


SYNC_CLIENTS: dict[str, ClientInfo] = {
    "tls_requests-h2": ClientInfo("tls_requests", ("tls_requests",), TlsRequestsSync, True),
    "tls_requests-h1": ClientInfo("tls_requests", ("tls_requests",), TlsRequestsSync, False),
    "httpx-h1": ClientInfo("httpx", ("httpx",), HttpxSync, False),
    "httpx-h2": ClientInfo("httpx", ("httpx", "h2"), HttpxSync, True),
    "requests-h1": ClientInfo("requests", ("requests",), RequestsSync, False),
    "curl_cffi-h2": ClientInfo("curl_cffi", ("curl_cffi",), CurlCffiSync, True),
    "curl_cffi-h1": ClientInfo("curl_cffi", ("curl_cffi",), CurlCffiSync, False),
    "tls_client-h2": ClientInfo("tls-client (PyPI)", ("tls_client",), TlsClientSync, True),
    "tls_client-h1": ClientInfo("tls-client (PyPI)", ("tls_client",), TlsClientSync, False),
    # Module-level one-shot calls: a new client for every request.
    "tls_requests.get-h2": ClientInfo(
        "tls_requests.get", ("tls_requests",), TlsRequestsOneShot, True
    ),
    "httpx.get-h1": ClientInfo("httpx.get", ("httpx",), HttpxOneShot, False),
    "requests.get-h1": ClientInfo("requests.get", ("requests",), RequestsOneShot, False),
    "curl_cffi.get-h2": ClientInfo("curl_cffi.get", ("curl_cffi",), CurlCffiOneShot, True),
}

ASYNC_CLIENTS: dict[str, ClientInfo] = {
    "tls_requests-h2": ClientInfo("tls_requests", ("tls_requests",), TlsRequestsAsync, True),
    "tls_requests-h1": ClientInfo("tls_requests", ("tls_requests",), TlsRequestsAsync, False),
    "httpx-h1": ClientInfo("httpx", ("httpx",), HttpxAsync, False),
    "httpx-h2": ClientInfo("httpx", ("httpx", "h2"), HttpxAsync, True),
    "curl_cffi-h2": ClientInfo("curl_cffi", ("curl_cffi",), CurlCffiAsync, True),
    "aiohttp-h1": ClientInfo("aiohttp", ("aiohttp",), AiohttpAsync, False),
    "tls_client-h2": ClientInfo("tls-client (PyPI)", ("tls_client",), TlsClientAsync, True),
}
