"""
The transport interfaces: one request in, one response out.
"""

from __future__ import annotations

import typing

if typing.TYPE_CHECKING:
    from .._models import Request, Response

__all__ = ["AsyncBaseTransport", "BaseTransport"]


class BaseTransport:
    def handle_request(self, request: Request) -> Response:
        """
        Send a single request and return its response, without following redirects.

        The response body is not read: the caller must read the stream to the end or close
        it, which releases the native request handle (and returns the connection to the pool).
        Transport options travel in `request.extensions`: "timeout" (a `Timeout`), "proxy"
        (the proxy URL, with credentials, or "") and "client_identifier" (a profile override).
        """
        raise NotImplementedError("The 'handle_request' method must be implemented.")

    def close(self) -> None:
        pass

    def __enter__(self: typing.Any) -> typing.Any:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


class AsyncBaseTransport:
    async def handle_async_request(self, request: Request) -> Response:
        """The async twin of `BaseTransport.handle_request`, with the same contract."""
        raise NotImplementedError("The 'handle_async_request' method must be implemented.")

    async def aclose(self) -> None:
        pass

    async def __aenter__(self: typing.Any) -> typing.Any:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.aclose()
