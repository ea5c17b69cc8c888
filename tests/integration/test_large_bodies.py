"""Large in-memory uploads (sent to Go in slices, never copied whole) and response bodies that
Go reads ahead of the caller (which must never delay a chunk that has arrived)."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import threading
import time
import typing
from collections.abc import Iterator

import pytest

import tls_requests
from tests.integration._modes import ClientMode
from tls_requests import _ffi
from tls_requests._transports import native


def _pattern(size: int) -> bytes:
    return bytes(range(256)) * (size // 256) + bytes(range(size % 256))


@pytest.mark.parametrize("server", ["https_h1_server", "https_server"])
@pytest.mark.parametrize(
    "size",
    [native.SLICED_BODY_MIN - 1, native.SLICED_BODY_MIN, 3 * native.BODY_SLICE + 1],
    ids=["below-threshold", "threshold", "odd"],
)
async def test_large_upload_arrives_exactly_in_slices(
    mode: ClientMode,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    server: str,
    size: int,
) -> None:
    target = request.getfixturevalue(server)
    writes: list[int] = []
    write = _ffi.request_write

    def counting_write(handle: int, chunk: typing.Any) -> None:
        writes.append(len(chunk))
        write(handle, chunk)

    monkeypatch.setattr(_ffi, "request_write", counting_write)
    body = _pattern(size)
    async with mode.client() as client:
        echo = (await client.put(target.url_for("/echo"), content=body)).json()
    assert echo["body_len"] == size
    assert echo["body_sha256"] == hashlib.sha256(body).hexdigest()
    if size < native.SLICED_BODY_MIN:
        assert writes == []  # small bodies go with request_start
    else:
        assert sum(writes) == size and max(writes) <= native.BODY_SLICE


@pytest.mark.parametrize("server", ["https_h1_server", "https_server"])
async def test_large_upload_keeps_the_header_order(
    mode: ClientMode, request: pytest.FixtureRequest, server: str
) -> None:
    # A sliced body is streamed to Go, but Content-Length must stay where a small body has it
    # (here placed by the caller before another header).
    target = request.getfixturevalue(server)
    seen = []
    async with mode.client() as client:
        for size in (100, 2 * native.SLICED_BODY_MIN):
            headers = {"Content-Length": str(size), "X-After": "1"}
            echo = (
                await client.post(target.url_for("/echo"), content=b"x" * size, headers=headers)
            ).json()
            assert echo["body_len"] == size
            seen.append(echo["headers"])
    small, large = ([name.lower() for name, _ in headers] for headers in seen)
    assert small == large
    assert large.index("content-length") < large.index("x-after")
    lengths = [value for name, value in seen[1] if name.lower() == "content-length"]
    assert lengths == [str(2 * native.SLICED_BODY_MIN)]
    assert "transfer-encoding" not in large


@contextlib.contextmanager
def _early_answer_server(after: str, hold: float) -> Iterator[str]:
    """Plain HTTP/1.1 on 127.0.0.1 that answers 413 as soon as it has the request head, then
    reads the body to the end ("drain") or leaves it unread for `hold` seconds ("hold")."""
    listener = socket.create_server(("127.0.0.1", 0))

    def handle(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(65536)
                if not data:
                    return
                head += data
            conn.sendall(
                b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n"
                b"Connection: close\r\n\r\nnope"
            )
            if after == "drain":
                with contextlib.suppress(OSError):
                    while conn.recv(1 << 20):
                        pass
            else:
                time.sleep(hold)

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/upload"
    finally:
        listener.close()


@pytest.mark.parametrize("after", ["drain", "hold"])
async def test_large_upload_gets_an_early_answer(mode: ClientMode, after: str) -> None:
    # The server refuses the upload before reading it: the client returns its answer instead
    # of failing on the body it could not send (or waiting until the server lets go).
    hold = 3.0
    with _early_answer_server(after, hold) as url:
        async with mode.client(timeout=10) as client:
            started = time.monotonic()
            response = await client.post(url, content=b"x" * (8 * native.SLICED_BODY_MIN))
            elapsed = time.monotonic() - started
    assert (response.status_code, response.content) == (413, b"nope")
    assert elapsed < hold - 1


async def _timed_raw_chunks(
    mode: ClientMode, response: tls_requests.Response
) -> list[tuple[float, bytes]]:
    chunks = []
    if mode.is_async:
        async for chunk in response.aiter_raw():
            chunks.append((time.monotonic(), chunk))
    else:
        for chunk in response.iter_raw():
            chunks.append((time.monotonic(), chunk))
    return chunks


async def test_drip_chunks_are_delivered_as_they_arrive(mode: ClientMode, https_server) -> None:
    # /drip sends a Content-Length and then 4 bytes every 0.5 s: Go reading ahead must hand
    # each one over at once, not wait for the rest of the (tiny, known-length) body.
    url = https_server.url_for("/drip?chunks=3&size=4&interval=0.5")
    async with mode.client(timeout=10) as client, client.stream("GET", url) as response:
        head_at = time.monotonic()
        chunks = await _timed_raw_chunks(mode, response)
    assert b"".join(chunk for _, chunk in chunks) == b"*" * 12
    assert [len(chunk) for _, chunk in chunks] == [4, 4, 4]
    assert chunks[0][0] - head_at < 0.35
    gaps = [later - earlier for (earlier, _), (later, _) in zip(chunks, chunks[1:])]
    assert all(gap > 0.25 for gap in gaps), gaps


async def test_first_chunk_of_a_stalled_body_is_prompt(mode: ClientMode, https_server) -> None:
    # Unknown length; the server stalls after the first chunk. Closing early must not wait.
    url = https_server.url_for("/stall_body?seconds=20")
    started = time.monotonic()
    async with mode.client(timeout=30) as client, client.stream("GET", url) as response:
        if mode.is_async:
            chunks = typing.cast(typing.AsyncGenerator[bytes, None], response.aiter_raw())
            try:
                first = await chunks.__anext__()
            finally:
                await chunks.aclose()
        else:
            sync_chunks = typing.cast(typing.Generator[bytes, None, None], response.iter_raw())
            try:
                first = next(sync_chunks)
            finally:
                sync_chunks.close()
    assert first == b"first chunk\n"
    assert time.monotonic() - started < 5
