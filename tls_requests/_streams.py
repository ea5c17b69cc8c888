"""
Byte streams: the body of a request or response as an iterator of chunks.

A sync stream is iterated and `close()`d; an async stream is async-iterated and `aclose()`d.
Whoever iterates a response stream must read it to the end or close it: that is what hands the
native request handle back (see `_transports/native.py`).
"""

from __future__ import annotations

import typing

__all__ = ["AsyncByteStream", "ByteStream", "SyncByteStream"]


class SyncByteStream:
    def __iter__(self) -> typing.Iterator[bytes]:
        raise NotImplementedError("The '__iter__' method must be implemented.")  # pragma: no cover
        yield b""

    def close(self) -> None:
        """Release the resources behind the stream. Safe to call more than once."""


class AsyncByteStream:
    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        raise NotImplementedError("The '__aiter__' method must be implemented.")  # pragma: no cover
        yield b""

    async def aclose(self) -> None:
        """Release the resources behind the stream. Safe to call more than once."""

    async def aread_all(self) -> bytes:
        """The whole (remaining) stream; a transport may override it with a faster path."""
        return b"".join([chunk async for chunk in self])


class ByteStream(SyncByteStream, AsyncByteStream):
    """A body already in memory; usable from sync and async code, any number of times."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    def __iter__(self) -> typing.Iterator[bytes]:
        if self._content:
            yield self._content

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        if self._content:
            yield self._content


class IteratorByteStream(SyncByteStream):
    """A request body from a (sync) iterator of bytes; it can be sent once."""

    def __init__(self, iterator: typing.Iterable[bytes]) -> None:
        self._iterator = iterator
        self._consumed = False

    def __iter__(self) -> typing.Iterator[bytes]:
        from ._exceptions import StreamConsumed

        if self._consumed:
            raise StreamConsumed()
        self._consumed = True
        for chunk in self._iterator:
            yield chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)


class AsyncIteratorByteStream(AsyncByteStream):
    """A request body from an async iterator of bytes; it can be sent once."""

    def __init__(self, iterator: typing.AsyncIterable[bytes]) -> None:
        self._iterator = iterator
        self._consumed = False

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        from ._exceptions import StreamConsumed

        if self._consumed:
            raise StreamConsumed()
        self._consumed = True
        async for chunk in self._iterator:
            yield chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
