"""Responses with Client and AsyncClient: Content-Encoding decoding (also stacked), iter_raw
with the bytes as received, num_bytes_downloaded, and Link headers."""

from __future__ import annotations

import hashlib

import pytest

from tests.integration._modes import ClientMode
from tests.servers import payloads

ROUTES = {
    "/gzip": "gzip",
    "/deflate": "deflate",
    "/raw_deflate": "raw-deflate",
    "/brotli": "br",
    "/zstd": "zstd",
}
STACKS = ["gzip,br", "br,gzip", "deflate,zstd,gzip", "zstd,br"]


def _encoded(codings: list[str]) -> bytes:
    body = payloads.COMPRESSED_JSON_BYTES
    for coding in codings:
        body = payloads.compress(body, coding)
    return body


@pytest.mark.parametrize("route", list(ROUTES))
async def test_content_encoding_is_decoded(mode: ClientMode, https_server, route: str) -> None:
    async with mode.client() as client:
        response = await client.get(https_server.url_for(route))
    assert response.content == payloads.COMPRESSED_JSON_BYTES
    assert response.json() == response.json()  # valid JSON after decoding
    assert response.num_bytes_downloaded == len(_encoded([ROUTES[route]]))
    assert response.num_bytes_downloaded < len(response.content)


@pytest.mark.parametrize("stack", STACKS)
async def test_stacked_encodings(mode: ClientMode, https_server, stack: str) -> None:
    async with mode.client() as client:
        response = await client.get(
            https_server.url_for("/compressed"), params={"encodings": stack}
        )
    assert response.headers["content-encoding"] == stack.replace(",", ", ")
    assert response.content == payloads.COMPRESSED_JSON_BYTES
    assert response.num_bytes_downloaded == len(_encoded(stack.split(",")))


@pytest.mark.parametrize("stack", ["gzip", "br", "zstd", "gzip,br"])
async def test_iter_raw_gives_the_bytes_as_sent(mode: ClientMode, https_server, stack: str) -> None:
    async with (
        mode.client() as client,
        client.stream(
            "GET", https_server.url_for("/compressed"), params={"encodings": stack}
        ) as response,
    ):
        raw = await mode.read_raw(response)
        assert response.num_bytes_downloaded == len(raw)
    assert raw == _encoded(stack.split(","))


async def test_streamed_decoding_in_chunks(mode: ClientMode, https_server) -> None:
    url = https_server.url_for("/brotli")
    async with mode.client() as client, client.stream("GET", url) as response:
        chunks = await mode.read_chunks(response, chunk_size=100)
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert b"".join(chunks) == payloads.COMPRESSED_JSON_BYTES


async def test_num_bytes_downloaded_while_streaming(mode: ClientMode, https_server) -> None:
    size = 2 * 1024 * 1024 + 3
    async with (
        mode.client() as client,
        client.stream("GET", https_server.url_for(f"/bytes/{size}?chunk=65536")) as response,
    ):
        assert response.num_bytes_downloaded == 0
        seen = []
        digest = hashlib.sha256()
        if mode.is_async:
            async for chunk in response.aiter_bytes():
                digest.update(chunk)
                seen.append(response.num_bytes_downloaded)
        else:
            for chunk in response.iter_bytes():
                digest.update(chunk)
                seen.append(response.num_bytes_downloaded)
        expected = response.headers["x-content-sha256"]
    assert seen == sorted(seen) and seen[-1] == size
    assert digest.hexdigest() == expected


async def test_links(mode: ClientMode, https_server) -> None:
    async with mode.client() as client:
        response = await client.get(https_server.url_for("/links"))
    base = https_server.url.rstrip("/")
    assert response.links == {
        "next": {"url": f"{base}/page/2", "rel": "next"},
        "last": {"url": f"{base}/page/9", "rel": "last"},
        "first": {"url": "/page/1", "rel": "first", "title": "first page"},
        "preload stylesheet": {"url": "/style.css", "rel": "preload stylesheet", "as": "style"},
    }


@pytest.mark.parametrize("route", list(ROUTES))
async def test_head_of_an_encoded_resource(mode: ClientMode, https_server, route: str) -> None:
    # No body to decode: an empty zstd/br/gzip body is not a truncated one.
    async with mode.client() as client:
        response = await client.head(https_server.url_for(route))
    assert response.status_code == 200
    assert response.content == b""
