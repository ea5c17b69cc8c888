"""
`MockTransport`: answers requests with a Python function, for tests without the network.
"""

from __future__ import annotations

import inspect
import typing

from .base import AsyncBaseTransport, BaseTransport

if typing.TYPE_CHECKING:
    from .._models import Request, Response

__all__ = ["MockTransport"]


class MockTransport(AsyncBaseTransport, BaseTransport):
    """
    A transport whose responses come from `handler(request) -> Response` (sync or async).

    ```python
    transport = MockTransport(lambda request: Response(200, json={"ok": True}))
    client = Client(transport=transport)
    ```
    """

    def __init__(self, handler: typing.Callable[[Request], typing.Any]) -> None:
        self.handler = handler

    def handle_request(self, request: Request) -> Response:
        request.read()
        response = self.handler(request)
        if inspect.isawaitable(response):
            raise TypeError("An async handler needs AsyncClient.")
        return typing.cast("Response", response)

    async def handle_async_request(self, request: Request) -> Response:
        await request.aread()
        response = self.handler(request)
        if inspect.isawaitable(response):
            response = await response
        return typing.cast("Response", response)
