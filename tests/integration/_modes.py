"""
One test body for both clients: the `mode` fixture (tests/integration/conftest.py).

Tests are `async def` and go through `ClientMode`/`EitherClient`, which call `Client` directly
(blocking the test's own event loop, which nothing else uses) or await `AsyncClient`. The
differences a user would see are explicit helpers: `mode.hook()` (sync or async hook),
`mode.body()` (iterator or async iterator), `client.stream()` and `mode.read_raw()`.
"""

from __future__ import annotations

import contextlib
import inspect
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

import tls_requests

__all__ = ["ClientMode", "EitherClient"]

AnyClient = typing.Union[tls_requests.Client, tls_requests.AsyncClient]


async def _resolve(value: typing.Any) -> typing.Any:
    return await value if inspect.isawaitable(value) else value


class EitherClient:
    """A `Client` or an `AsyncClient` behind one awaitable API; other attributes pass through."""

    def __init__(self, client: AnyClient) -> None:
        self.raw = client

    async def request(self, method: str, url: str, **kwargs: typing.Any) -> tls_requests.Response:
        response: tls_requests.Response = await _resolve(self.raw.request(method, url, **kwargs))
        return response

    async def get(self, url: str, **kwargs: typing.Any) -> tls_requests.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: typing.Any) -> tls_requests.Response:
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: typing.Any) -> tls_requests.Response:
        return await self.request("PUT", url, **kwargs)

    async def head(self, url: str, **kwargs: typing.Any) -> tls_requests.Response:
        return await self.request("HEAD", url, **kwargs)

    async def send(
        self, request: tls_requests.Request, **kwargs: typing.Any
    ) -> tls_requests.Response:
        response: tls_requests.Response = await _resolve(self.raw.send(request, **kwargs))
        return response

    @contextlib.asynccontextmanager
    async def stream(
        self, method: str, url: str, **kwargs: typing.Any
    ) -> AsyncIterator[tls_requests.Response]:
        if isinstance(self.raw, tls_requests.AsyncClient):
            async with self.raw.stream(method, url, **kwargs) as response:
                yield response
        else:
            with self.raw.stream(method, url, **kwargs) as response:
                yield response

    def __getattr__(self, name: str) -> typing.Any:
        return getattr(self.raw, name)

    def __setattr__(self, name: str, value: typing.Any) -> None:
        # `client.cookies = ...` must reach the real client's property.
        if name == "raw":
            object.__setattr__(self, name, value)
        else:
            setattr(self.raw, name, value)


class ClientMode:
    """`"sync"` (Client) or `"async"` (AsyncClient); `verify=` defaults to the test CA."""

    def __init__(self, name: str, ca_bundle: str) -> None:
        self.name = name
        self.ca_bundle = ca_bundle

    @property
    def is_async(self) -> bool:
        return self.name == "async"

    def __repr__(self) -> str:
        return f"ClientMode({self.name!r})"

    def new_client(self, **kwargs: typing.Any) -> AnyClient:
        kwargs.setdefault("verify", self.ca_bundle)
        if self.is_async:
            return tls_requests.AsyncClient(**kwargs)
        return tls_requests.Client(**kwargs)

    @contextlib.asynccontextmanager
    async def client(self, **kwargs: typing.Any) -> AsyncIterator[EitherClient]:
        client = self.new_client(**kwargs)
        if isinstance(client, tls_requests.AsyncClient):
            async with client:
                yield EitherClient(client)
        else:
            with client:
                yield EitherClient(client)

    def hook(
        self, func: Callable[[typing.Any], None]
    ) -> Callable[[typing.Any], Awaitable[None] | None]:
        """`func` as an event hook of this mode's kind: itself, or an `async def` calling it."""
        if not self.is_async:
            return func

        async def async_hook(value: typing.Any) -> None:
            func(value)

        return async_hook

    def body(self, chunks: Iterable[bytes]) -> typing.Any:
        """A streamed request body: an iterator for Client, an async iterator for AsyncClient."""
        if not self.is_async:
            return iter(chunks)

        async def produce() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        return produce()

    async def read_raw(self, response: tls_requests.Response) -> bytes:
        if self.is_async:
            return b"".join([chunk async for chunk in response.aiter_raw()])
        return b"".join(response.iter_raw())

    async def read_chunks(
        self, response: tls_requests.Response, chunk_size: int | None = None
    ) -> list[bytes]:
        if self.is_async:
            return [chunk async for chunk in response.aiter_bytes(chunk_size)]
        return list(response.iter_bytes(chunk_size))
