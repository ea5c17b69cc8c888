"""
The transports backed by the Go core: `NativeTransport` and `AsyncNativeTransport`.

Both share every step but the I/O skeleton:
  start   - encode the request (pure, `_wire`) and hand it to Go (`request_start`, non-blocking);
  upload  - feed a streamed body chunk by chunk (`request_write`), if there is one, or an
            in-memory body of `SLICED_BODY_MIN` bytes or more in slices (`_send_slices`);
  wait    - block until the response head (`request_wait`) and build a `Response`;
  body    - a stream that reads the body through the request handle and closes it once.
The sync transport calls the blocking steps directly; the async one runs them in a thread pool
that the client owns, sized by `Limits.max_connections` (asyncio's default executor would cap
concurrency at min(32, cpus + 4)). Cancelling an awaiting task cancels the Go request.
"""

from __future__ import annotations

import _thread
import asyncio
import concurrent.futures
import contextlib
import queue
import threading
import typing
import weakref

from .. import _ffi
from .._config import DEFAULT_TIMEOUT_CONFIG, Proxy, Timeout
from .._exceptions import ClientClosed, PoolTimeout, map_native_error
from .._models import Response
from .._streams import AsyncByteStream, ByteStream, SyncByteStream
from .._wire import SessionConfig, decode_response_meta, encode_request_meta, encode_session_config
from .base import AsyncBaseTransport, BaseTransport

if typing.TYPE_CHECKING:
    from .._models import Request

__all__ = ["AsyncNativeTransport", "NativeTransport"]

T = typing.TypeVar("T")


def _close_session_quietly(handle: int) -> None:
    # The garbage-collection backstop: never raise from a finalizer.
    with contextlib.suppress(Exception):
        _ffi.session_close(handle)


class NativeSession:
    """
    One Go session (TLS connections, HTTP/2 streams and settings are reused inside it).

    `close()` releases it exactly once; garbage collection is only a backstop.
    """

    def __init__(self, config: SessionConfig) -> None:
        try:
            self._handle = _ffi.session_new(encode_session_config(config))
        except _ffi.NativeError as exc:
            if exc.kind == "invalid_config":
                # A client argument Go refused, e.g. a CA bundle without a certificate.
                raise ValueError(exc.message) from None
            raise map_native_error(exc.kind, exc.message) from None
        self._finalizer = weakref.finalize(self, _close_session_quietly, self._handle)

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    @property
    def handle(self) -> int:
        if self.closed:
            raise ClientClosed("Cannot send a request, as the client has been closed.")
        return self._handle

    def close(self) -> None:
        if self._finalizer.detach() is not None:
            _ffi.session_close(self._handle)


class _RequestHandle:
    """
    A Go request handle, closed exactly once, never while a worker is still using it.

    The async transport starts requests on a worker, so the handle may get its id (`attach`)
    after the awaiting task was already cancelled: the worker then cancels the request itself.
    """

    def __init__(self, handle: int = 0) -> None:
        self.id = handle
        self._lock = threading.Lock()
        self._closed = False
        self._aborted = False
        self.pending: concurrent.futures.Future[typing.Any] | None = None

    def attach(self, handle: int) -> None:
        with self._lock:
            self.id = handle
            aborted = self._aborted
        if aborted:
            _ffi.request_cancel(handle)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            handle = self.id
        if handle:
            _ffi.request_close(handle)

    def abort(self) -> None:
        """Cancel the Go request now; close the handle once no worker is inside a call on it."""
        with self._lock:
            self._aborted = True
            handle = self.id
        if handle:
            _ffi.request_cancel(handle)
        pending = self.pending
        if pending is not None and not pending.done():
            pending.add_done_callback(lambda _: self.close())
        else:
            self.close()


@contextlib.contextmanager
def _mapped_errors(request: Request, session: NativeSession) -> typing.Iterator[None]:
    try:
        yield
    except _ffi.NativeError as exc:
        if exc.kind in ("cancelled", "invalid_handle") and session.closed:
            raise ClientClosed(
                "The client was closed while the request was in flight.", request=request
            ) from None
        raise map_native_error(exc.kind, exc.message, request) from None


def _native_proxy(proxy: Proxy | str | None) -> str:
    # The client puts a `Proxy` in the extensions; a URL string is accepted too.
    return proxy.to_native() if isinstance(proxy, Proxy) else str(proxy or "")


# In-memory bodies of at least this size are not handed to `request_start`, which copies the
# body into Go, but sent through `request_write` in slices of a memoryview: Go reads each slice
# straight from the bytes object during the call, so a large upload is never held twice.
SLICED_BODY_MIN = 1024 * 1024
BODY_SLICE = 1024 * 1024


def _timeout(request: Request) -> Timeout:
    """The request's timeout (set per request by the client), else the default."""
    return Timeout(request.extensions.get("timeout") or DEFAULT_TIMEOUT_CONFIG)


def _start(session: NativeSession, request: Request) -> tuple[_RequestHandle, bytes | None, bool]:
    """
    Hand the request to Go. Returns the handle, an in-memory body still to be sent with
    `_send_slices` (else None), and whether the body must be streamed from `request.stream`.
    """
    extensions = request.extensions
    body = request.stream._content if isinstance(request.stream, ByteStream) else None
    streamed = body is None
    upload = body if body is not None and len(body) >= SLICED_BODY_MIN else None
    content_length = -1
    if upload is not None:
        content_length, body = len(upload), None  # sent through Go's body pipe instead
    elif streamed and "Content-Length" in request.headers:
        content_length = int(request.headers["Content-Length"])
    meta = encode_request_meta(
        request,
        timeout=_timeout(request),
        proxy=_native_proxy(extensions.get("proxy")),
        client_identifier=extensions.get("client_identifier") or "",
        stream_body=body is None,
        content_length=content_length,
    )
    with _mapped_errors(request, session):
        handle = _ffi.request_start(session.handle, meta, body)
    return _RequestHandle(handle), upload, streamed


def _send_slices(handle: int, body: bytes) -> None:
    """
    Send an in-memory body through `request_write`, one memoryview slice per call (each call
    returns once Go has consumed the slice, so Go never keeps a pointer into it).

    A failed write ends the upload early, as the transport stopped reading the body: the
    server may have answered already, or the request failed. Either way `request_wait`,
    which the caller makes next, reports which (the response, or the request's own error).
    """
    with memoryview(body) as view:
        try:
            for offset in range(0, len(view), BODY_SLICE):
                _ffi.request_write(handle, view[offset : offset + BODY_SLICE])
            _ffi.request_write_close(handle)
        except _ffi.NativeError:
            pass


def _start_and_wait(handle: _RequestHandle, session: NativeSession, request: Request) -> bytes:
    # Runs on a worker: encoding, `request_start` and an in-memory upload stay off the event
    # loop too.
    started, upload, _ = _start(session, request)
    handle.attach(started.id)
    if upload is not None:
        _send_slices(handle.id, upload)
    return _ffi.request_wait(handle.id)


def _build_response(request: Request, payload: bytes, stream: typing.Any) -> Response:
    meta = decode_response_meta(payload)
    response = Response(
        meta["status_code"],
        headers=meta["headers"],
        stream=stream,
        request=request,
        extensions={"http_version": meta["http_version"], "reason_phrase": meta["reason_phrase"]},
    )
    return response


class _NativeResponseStream(SyncByteStream):
    def __init__(self, handle: _RequestHandle, request: Request, session: NativeSession) -> None:
        self._handle = handle
        self._request = request
        self._session = session

    def __iter__(self) -> typing.Iterator[bytes]:
        reader = _ffi.BodyReader(self._handle.id)
        with _mapped_errors(self._request, self._session):
            while chunk := reader.read():
                yield chunk

    def close(self) -> None:
        self._handle.close()


class NativeTransport(BaseTransport):
    """Sends requests through one Go session, blocking the calling thread."""

    def __init__(self, config: SessionConfig) -> None:
        self._session = NativeSession(config)

    def handle_request(self, request: Request) -> Response:
        handle, upload, streamed = _start(self._session, request)
        try:
            with _mapped_errors(request, self._session):
                if upload is not None:
                    _send_slices(handle.id, upload)
                elif streamed:
                    if not isinstance(request.stream, typing.Iterable):
                        raise TypeError("An async request body needs AsyncClient.")
                    for chunk in request.stream:
                        _ffi.request_write(handle.id, chunk)
                    _ffi.request_write_close(handle.id)
                payload = _ffi.request_wait(handle.id)
        except BaseException:
            handle.close()
            raise
        return _build_response(
            request, payload, _NativeResponseStream(handle, request, self._session)
        )

    def close(self) -> None:
        self._session.close()


class _AsyncNativeResponseStream(AsyncByteStream):
    def __init__(
        self,
        handle: _RequestHandle,
        request: Request,
        transport: AsyncNativeTransport,
        slot: _Slot,
    ) -> None:
        self._handle = handle
        self._request = request
        self._transport = transport
        self._slot = slot

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        reader = _ffi.BodyReader(self._handle.id)
        try:
            with _mapped_errors(self._request, self._transport._session):
                while chunk := await self._transport._run(self._handle, reader.read):
                    yield chunk
        except asyncio.CancelledError:
            self._handle.abort()
            raise

    async def aread_all(self) -> bytes:
        # One worker call for the whole body instead of one per chunk: an event-loop round
        # trip per chunk is most of the CPU cost of a small async request.
        reader = _ffi.BodyReader(self._handle.id)
        try:
            with _mapped_errors(self._request, self._transport._session):
                return await self._transport._run(self._handle, reader.read_all)
        except asyncio.CancelledError:
            self._handle.abort()
            raise

    async def aclose(self) -> None:
        pending = self._handle.pending
        if pending is not None and not pending.done():
            self._handle.abort()
        else:
            self._handle.close()
        self._slot.release()


class _Slot:
    """One request's place among the `max_connections` in flight, given back exactly once."""

    def __init__(self, transport: AsyncNativeTransport, slots: asyncio.Semaphore) -> None:
        self._transport = transport
        self._slots: asyncio.Semaphore | None = slots

    def release(self) -> None:
        if self._slots is not None:
            self._transport._held -= 1
            self._slots.release()
            self._slots = None


_WorkItem = tuple[
    "concurrent.futures.Future[typing.Any]",
    typing.Callable[..., typing.Any],
    tuple[typing.Any, ...],
]


def _work(items: queue.SimpleQueue[_WorkItem | None], idle: threading.Semaphore) -> None:
    while True:
        item = items.get()
        if item is None:
            items.put(None)  # pass the stop signal on to the next worker
            return
        future, fn, args = item
        del item
        if future.set_running_or_notify_cancel():
            try:
                result = fn(*args)
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)
        del future, fn, args
        idle.release()


class _WorkerPool:
    """
    The client's own threads for blocking native calls: at most `max_workers`, started on demand.

    It works like `ThreadPoolExecutor` but starts a new worker without waiting for it to be
    scheduled. `Thread.start()` waits, which stalls the event loop for milliseconds per thread
    exactly when a burst of requests keeps the CPUs busy. Work queued before `shutdown()` still
    runs (it fails fast once the session is closed); the workers then exit, also when a client
    that was never closed is garbage-collected.
    """

    def __init__(self, max_workers: int) -> None:
        self._max_workers = max_workers
        self._items: queue.SimpleQueue[_WorkItem | None] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._workers = 0
        self._shutdown = False
        weakref.finalize(self, self._items.put, None)

    def submit(
        self, fn: typing.Callable[..., T], *args: typing.Any
    ) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._lock:
            if self._shutdown:
                raise ClientClosed("Cannot send a request, as the client has been closed.")
            if not self._idle.acquire(blocking=False) and self._workers < self._max_workers:
                _thread.start_new_thread(_work, (self._items, self._idle))
                self._workers += 1
            self._items.put((future, fn, args))
        return future

    def shutdown(self) -> None:
        with self._lock:
            self._shutdown = True
        self._items.put(None)


async def _acquire_within(slots: asyncio.Semaphore, timeout: float | None) -> bool:
    """
    Acquire `slots` within `timeout` seconds (None: no limit); False when the time ran out.

    Not `asyncio.wait_for`, which before Python 3.12 can swallow a cancellation that arrives
    as the semaphore is acquired, so a cancelled request would go on and hold a place.
    """
    if timeout is None or not slots.locked():
        await slots.acquire()
        return True
    waiter = asyncio.ensure_future(slots.acquire())
    try:
        await asyncio.wait((waiter,), timeout=timeout)
    except BaseException:  # cancelled while waiting, maybe just as the place was acquired
        _give_up(waiter, slots)
        raise
    if waiter.done():
        return True
    _give_up(waiter, slots)
    return False


def _give_up(waiter: asyncio.Future[typing.Any], slots: asyncio.Semaphore) -> None:
    if waiter.done() and not waiter.cancelled():
        slots.release()
    else:
        waiter.cancel()


class AsyncNativeTransport(AsyncBaseTransport):
    """
    Sends requests through one Go session from a thread pool, never blocking the event loop.

    At most `max_workers` requests are in flight, each from its start until its response is
    closed; the others wait for a slot. The pool has as many workers, so a request in flight
    always finds one for its next call: reading a body that has arrived never queues behind
    requests that are still waiting for their response.
    """

    def __init__(self, config: SessionConfig, max_workers: int = 100) -> None:
        self._session = NativeSession(config)
        self._max_workers = max_workers
        self._pool = _WorkerPool(max_workers)
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        self._held = 0

    async def _acquire_slot(self, request: Request) -> _Slot:
        """Wait for one of the `max_connections` places, at most `Timeout.pool` seconds."""
        loop = asyncio.get_running_loop()
        if self._slots is None or (self._slots_loop is not loop and not self._held):
            # One gate per event loop, so a later `asyncio.run()` can reuse the client.
            self._slots, self._slots_loop = asyncio.Semaphore(self._max_workers), loop
        slots = self._slots
        pool_timeout = _timeout(request).pool
        if not await _acquire_within(slots, pool_timeout):
            raise PoolTimeout(
                f"All {self._max_workers} places of the client stayed taken for "
                f"{pool_timeout} s (Timeout.pool); raise Limits(max_connections=...) or "
                "close streamed responses sooner",
                request=request,
            )
        self._held += 1
        return _Slot(self, slots)

    async def _run(
        self, handle: _RequestHandle, fn: typing.Callable[..., T], *args: typing.Any
    ) -> T:
        """Run one blocking native call on the client's pool (see `_RequestHandle.abort` for
        what happens when the awaiting task is cancelled)."""
        handle.pending = self._pool.submit(fn, *args)
        return await asyncio.wrap_future(handle.pending)

    async def handle_async_request(self, request: Request) -> Response:
        slot = await self._acquire_slot(request)
        handle = _RequestHandle()
        try:
            with _mapped_errors(request, self._session):
                if isinstance(request.stream, ByteStream):
                    # The body is in memory: start and wait in one worker call.
                    payload = await self._run(
                        handle, _start_and_wait, handle, self._session, request
                    )
                else:
                    if not isinstance(request.stream, typing.AsyncIterable):
                        raise TypeError("A sync iterator body needs Client, not AsyncClient.")
                    handle.attach(_start(self._session, request)[0].id)
                    async for chunk in request.stream:
                        await self._run(handle, _ffi.request_write, handle.id, chunk)
                    await self._run(handle, _ffi.request_write_close, handle.id)
                    payload = await self._run(handle, _ffi.request_wait, handle.id)
        except asyncio.CancelledError:
            # The task was cancelled (or asyncio.wait_for timed out): abort the Go request so
            # the worker blocked in it returns at once instead of holding a pool thread.
            handle.abort()
            slot.release()
            raise
        except BaseException:
            handle.close()
            slot.release()
            raise
        stream = _AsyncNativeResponseStream(handle, request, self, slot)
        return _build_response(request, payload, stream)

    async def aclose(self) -> None:
        # Closing the session cancels requests still in flight; their workers return at once.
        self._session.close()
        self._pool.shutdown()
