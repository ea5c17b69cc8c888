"""
An asyncio event loop running in a daemon thread.

Every test server owns one, so a stuck handler in one server cannot stall another,
and the test thread never shares a loop with pytest-asyncio.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["BackgroundLoop"]

T = TypeVar("T")

# Every wait on the background thread is bounded so a broken server fails a test instead of
# hanging the session.
DEFAULT_TIMEOUT = 10.0
# asyncio waits up to 30 s for a TLS peer's close_notify when closing a connection; a test
# client that stopped reading would hold server shutdown that long (hypercorn does not let us
# pass the option), so every server created on our loops gets this instead.
SSL_SHUTDOWN_TIMEOUT = 2.0


def _exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    # CPython < 3.12: the done-callback asyncio.start_server puts on each connection task calls
    # `task.exception()` even when the task was cancelled, and reports the CancelledError as an
    # error. Cancelling connection handlers at shutdown is intended here, so drop that report.
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


class _ServerLoop(asyncio.SelectorEventLoop):
    async def create_server(self, *args: Any, **kwargs: Any) -> asyncio.Server:
        if sys.version_info >= (3, 11) and kwargs.get("ssl") is not None:
            kwargs.setdefault("ssl_shutdown_timeout", SSL_SHUTDOWN_TIMEOUT)
        return await super().create_server(*args, **kwargs)


class BackgroundLoop:
    """Run coroutines on a private event loop in a background thread."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError(f"{self._name}: loop not started")
        return self._loop

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            loop = _ServerLoop()
            loop.set_exception_handler(_exception_handler)
            self._loop = loop
            asyncio.set_event_loop(loop)
            ready.set()
            try:
                loop.run_forever()
            finally:
                self._drain(loop)

        self._thread = threading.Thread(target=run, name=self._name, daemon=True)
        self._thread.start()
        if not ready.wait(DEFAULT_TIMEOUT):
            raise RuntimeError(f"{self._name}: event loop thread did not start")

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = DEFAULT_TIMEOUT) -> T:
        return self.submit(coro).result(timeout)

    def close_server(self, server: asyncio.Server) -> None:
        """Close an asyncio server of this loop and wait for it, on the loop's own thread
        (`Server.close()` is not thread-safe: from another thread it races the loop's own
        bookkeeping of connections that are closing at the same moment)."""

        async def close() -> None:
            server.close()
            await server.wait_closed()

        self.run(close())

    def call_soon(self, callback: Any, *args: Any) -> None:
        self.loop.call_soon_threadsafe(callback, *args)

    def stop(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError(f"{self._name}: event loop thread did not stop in {timeout}s")
        self._loop = None
        self._thread = None

    @staticmethod
    def _drain(loop: asyncio.AbstractEventLoop) -> None:
        # Cancel leftovers and let them run their `finally` blocks, so transports get closed
        # here rather than in __del__ (which would raise ResourceWarning under -W error).
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
