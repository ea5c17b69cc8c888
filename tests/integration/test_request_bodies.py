"""Request bodies with Client and AsyncClient: content= (bytes, str, iterators), data=, json=,
files= (multipart), and binary bodies that must arrive byte for byte."""

from __future__ import annotations

import hashlib
import io
import json
import typing

import pytest

from tests.integration._modes import ClientMode

ALL_BYTES = bytes(range(256))


def _pattern(size: int) -> bytes:
    return ALL_BYTES * (size // 256) + ALL_BYTES[: size % 256]


def _header(echo: dict[str, typing.Any], name: str) -> str | None:
    values = [value for key, value in echo["headers"] if key.lower() == name]
    return values[0] if values else None


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"raw \x00 bytes", b"raw \x00 bytes"), ("text é", "text é".encode()), (b"", b"")],
    ids=["bytes", "str", "empty"],
)
async def test_content_bytes_and_str(mode: ClientMode, https_h1_server, content, expected) -> None:
    async with mode.client() as client:
        echo = (await client.post(https_h1_server.url_for("/echo"), content=content)).json()
    assert echo["body_len"] == len(expected)
    assert echo["body_sha256"] == hashlib.sha256(expected).hexdigest()
    if expected:
        assert _header(echo, "content-length") == str(len(expected))


@pytest.mark.parametrize("server", ["https_h1_server", "https_server"])
async def test_content_iterator_is_streamed_chunked(
    mode: ClientMode, request: pytest.FixtureRequest, server: str
) -> None:
    target = request.getfixturevalue(server)
    chunks = [b"first-", b"", ALL_BYTES, b"x" * 70_000, b"-last"]
    async with mode.client() as client:
        response = await client.post(target.url_for("/echo"), content=mode.body(chunks))
    echo = response.json()
    body = b"".join(chunks)
    assert echo["body_len"] == len(body)
    assert echo["body_sha256"] == hashlib.sha256(body).hexdigest()
    if server == "https_h1_server":  # HTTP/2 frames the body itself
        assert _header(echo, "transfer-encoding") == "chunked"
        assert _header(echo, "content-length") is None


async def test_streamed_upload_of_many_megabytes(mode: ClientMode, https_server) -> None:
    size, piece = 8 * 1024 * 1024, 64 * 1024
    digest = hashlib.sha256()
    produced = []

    def pieces():
        for offset in range(0, size, piece):
            chunk = _pattern(piece)[offset % 256 :] + _pattern(piece)[: offset % 256]
            digest.update(chunk)
            produced.append(len(chunk))
            yield chunk

    async with mode.client() as client:
        echo = (
            await client.post(https_server.url_for("/echo"), content=mode.body(pieces()))
        ).json()
    assert echo["body_len"] == size == sum(produced)
    assert echo["body_sha256"] == digest.hexdigest()


@pytest.mark.parametrize("size", [256, 3 * 1024 * 1024 + 7])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
async def test_binary_body_is_byte_exact(
    mode: ClientMode, https_server, size: int, method: str
) -> None:
    body = _pattern(size)
    async with mode.client() as client:
        response = await client.request(method, https_server.url_for("/echo_body"), content=body)
    assert response.content == body


async def test_binary_body_through_data_bytes(mode: ClientMode, https_server) -> None:
    # data=bytes is taken as content= (httpx compatibility) and must not be dropped or encoded.
    async with mode.client() as client:
        response = await client.post(https_server.url_for("/echo_body"), data=ALL_BYTES * 4)
    assert response.content == ALL_BYTES * 4


async def test_form_data(mode: ClientMode, https_server) -> None:
    data = {"name": "Zoë & co", "tags": ["a", "b"], "flag": True, "n": 3, "empty": ""}
    async with mode.client() as client:
        form = (await client.post(https_server.url_for("/form"), data=data)).json()
    assert form["content_type"] == "application/x-www-form-urlencoded"
    assert form["form"] == [
        ["name", "Zoë & co"],
        ["tags", "a"],
        ["tags", "b"],
        ["flag", "true"],
        ["n", "3"],
        ["empty", ""],
    ]


async def test_json_body(mode: ClientMode, https_server) -> None:
    doc = {"text": "ünïcode ✓", "list": [1, 2.5, None, True], "nested": {"k": "v"}}
    async with mode.client() as client:
        echo = (await client.post(https_server.url_for("/echo"), json=doc)).json()
    assert json.loads(echo["body"]) == doc
    assert _header(echo, "content-type") == "application/json"


async def test_multipart_files(mode: ClientMode, https_server, tmp_path) -> None:
    on_disk = tmp_path / "photo.png"
    on_disk.write_bytes(_pattern(200_000))
    with on_disk.open("rb") as image:
        files = [
            ("upload", ("report.csv", b"a,b\n1,2\n", "text/csv")),
            ("upload", ("blob.bin", io.BytesIO(ALL_BYTES), "application/x-custom")),
            ("image", image),  # file name and type from the file itself
            ("extra", ("notes.txt", "plain text", "text/plain", {"X-Part": "yes"})),
        ]
        async with mode.client() as client:
            response = await client.post(
                https_server.url_for("/multipart"), data={"field": "value", "n": "1"}, files=files
            )
    result = response.json()
    assert result["content_type"].startswith("multipart/form-data; boundary=")
    assert result["fields"] == [["field", "value"], ["n", "1"]]
    described = [
        (f["name"], f["filename"], f["content_type"], f["size"], f["sha256"])
        for f in result["files"]
    ]
    assert described == [
        ("upload", "report.csv", "text/csv", 8, hashlib.sha256(b"a,b\n1,2\n").hexdigest()),
        ("upload", "blob.bin", "application/x-custom", 256, hashlib.sha256(ALL_BYTES).hexdigest()),
        ("image", "photo.png", "image/png", 200_000, hashlib.sha256(_pattern(200_000)).hexdigest()),
        ("extra", "notes.txt", "text/plain", 10, hashlib.sha256(b"plain text").hexdigest()),
    ]
    assert ["X-Part", "yes"] in result["files"][3]["headers"]
