from __future__ import annotations

import email.parser
import email.policy
import io
import os
import re
import typing
from pathlib import Path

import pytest

from tls_requests._models import Request
from tls_requests._multipart import (
    CHUNK_SIZE,
    MultipartStream,
    encode_multipart,
    get_multipart_boundary_from_content_type,
)
from tls_requests._streams import AsyncByteStream, ByteStream, SyncByteStream

BOUNDARY = b"test-boundary"
BINARY = bytes(range(256)) * 64


class Part(typing.NamedTuple):
    headers: dict[str, str]
    content: bytes


def body_of(stream: typing.Any) -> bytes:
    return b"".join(stream)


def split_parts(body: bytes, boundary: bytes = BOUNDARY) -> list[Part]:
    """A strict, byte-exact split of a multipart body."""
    assert body.endswith(b"--" + boundary + b"--\r\n")
    chunks = body.split(b"--" + boundary)
    assert chunks[0] == b"" and chunks[-1] == b"--\r\n"
    parts = []
    for chunk in chunks[1:-1]:
        assert chunk.startswith(b"\r\n") and chunk.endswith(b"\r\n")
        head, _, content = chunk[2:-2].partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        parts.append(Part(headers, content))
    return parts


def parse_with_email(headers: dict[str, str], body: bytes) -> list[tuple[str, str | None, str]]:
    """(name, filename, content type) of every part, as the stdlib email parser sees them."""
    raw = f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    assert message.is_multipart()
    return [
        (
            str(part.get_param("name", header="content-disposition")),
            part.get_filename(),
            part.get_content_type(),
        )
        for part in message.iter_parts()
    ]


def test_fields_and_files() -> None:
    headers, stream = encode_multipart(
        {"text": "hello", "number": 1, "flag": True, "empty": None, "many": ["a", "b"]},
        {
            "upload": ("report.txt", b"file content"),
            "image": ("pic.png", BINARY, "image/png"),
            "raw": b"raw bytes",
        },
        BOUNDARY,
    )
    body = body_of(stream)
    assert headers == {
        "Content-Type": "multipart/form-data; boundary=test-boundary",
        "Content-Length": str(len(body)),
    }
    parts = split_parts(body)
    assert [(p.headers["Content-Disposition"], p.content) for p in parts[:6]] == [
        ('form-data; name="text"', b"hello"),
        ('form-data; name="number"', b"1"),
        ('form-data; name="flag"', b"true"),
        ('form-data; name="empty"', b""),
        ('form-data; name="many"', b"a"),
        ('form-data; name="many"', b"b"),
    ]
    assert parts[6].headers == {
        "Content-Disposition": 'form-data; name="upload"; filename="report.txt"',
        "Content-Type": "text/plain",
    }
    assert parts[6].content == b"file content"
    assert parts[7].content == BINARY
    assert parts[8].headers["Content-Disposition"] == 'form-data; name="raw"; filename="upload"'
    assert parts[8].headers["Content-Type"] == "application/octet-stream"
    assert parse_with_email(headers, body) == [
        ("text", None, "text/plain"),
        ("number", None, "text/plain"),
        ("flag", None, "text/plain"),
        ("empty", None, "text/plain"),
        ("many", None, "text/plain"),
        ("many", None, "text/plain"),
        ("upload", "report.txt", "text/plain"),
        ("image", "pic.png", "image/png"),
        ("raw", "upload", "application/octet-stream"),
    ]


def test_in_memory_form_is_one_byte_stream() -> None:
    _, stream = encode_multipart({"a": "1"}, {"f": ("x.bin", b"data")}, BOUNDARY)
    assert isinstance(stream, ByteStream)


def test_repeated_file_names_as_list() -> None:
    headers, stream = encode_multipart(
        {}, [("files", ("a.txt", b"A")), ("files", ("b.txt", b"B"))], BOUNDARY
    )
    parsed = parse_with_email(headers, body_of(stream))
    assert parsed == [("files", "a.txt", "text/plain"), ("files", "b.txt", "text/plain")]


@pytest.mark.parametrize(
    ("value", "content_type"),
    [
        (("a.json", b"{}"), "application/json"),
        (("a.unknown-ext", b""), "application/octet-stream"),
        (("a.txt", b"", "application/x-custom"), "application/x-custom"),
        # A Content-Type in the headers wins over the third item, as in httpx.
        (("a.txt", b"", "text/plain", {"content-type": "text/csv"}), "text/csv"),
    ],
)
def test_content_types(value: typing.Any, content_type: str) -> None:
    _, stream = encode_multipart({}, {"f": value}, BOUNDARY)
    (part,) = split_parts(body_of(stream))
    types = [v for k, v in part.headers.items() if k.lower() == "content-type"]
    assert types == [content_type]


def test_extra_part_headers() -> None:
    value = ("a.txt", b"x", None, {"X-Extra": "1"})
    _, stream = encode_multipart({}, {"f": value}, BOUNDARY)
    (part,) = split_parts(body_of(stream))
    assert part.headers == {
        "Content-Disposition": 'form-data; name="f"; filename="a.txt"',
        "X-Extra": "1",
        "Content-Type": "text/plain",
    }


def test_no_filename() -> None:
    _, stream = encode_multipart({}, {"f": (None, b"value")}, BOUNDARY)
    (part,) = split_parts(body_of(stream))
    assert part.headers == {"Content-Disposition": 'form-data; name="f"'}
    assert part.content == b"value"


def test_str_content_is_utf8() -> None:
    _, stream = encode_multipart({"t": "h\u00e9"}, {"f": ("a.txt", "\u00e9t\u00e9")}, BOUNDARY)
    parts = split_parts(body_of(stream))
    assert [p.content for p in parts] == ["h\u00e9".encode(), "\u00e9t\u00e9".encode()]


def test_names_are_escaped() -> None:
    _, stream = encode_multipart({'we"ird\nname': "v"}, {"f": ('a"b\\c\r.txt', b"x")}, BOUNDARY)
    parts = split_parts(body_of(stream))
    assert parts[0].headers["Content-Disposition"] == 'form-data; name="we%22ird%0Aname"'
    assert parts[1].headers["Content-Disposition"] == (
        'form-data; name="f"; filename="a%22b\\\\c%0D.txt"'
    )


def test_file_objects_are_streamed_byte_exact(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    content = os.urandom(3 * CHUNK_SIZE + 123)
    path.write_bytes(content)
    with open(path, "rb") as file:
        headers, stream = encode_multipart({"a": "1"}, {"blob": file}, BOUNDARY)
        assert isinstance(stream, MultipartStream)
        assert isinstance(stream, SyncByteStream) and isinstance(stream, AsyncByteStream)
        chunks = list(stream)
        assert len(chunks) > 3
        assert max(len(chunk) for chunk in chunks) <= CHUNK_SIZE
        body = b"".join(chunks)
        assert headers["Content-Length"] == str(len(body))
        parts = split_parts(body)
        assert parts[1].headers["Content-Disposition"] == (
            'form-data; name="blob"; filename="blob.bin"'
        )
        assert parts[1].content == content
        # Sent again (redirect or auth retry): read from the start again.
        assert body_of(stream) == body


async def test_async_iteration_matches_sync() -> None:
    file = io.BytesIO(BINARY)
    headers, stream = encode_multipart({"a": "1"}, {"f": ("b.bin", file)}, BOUNDARY)
    assert isinstance(stream, AsyncByteStream)
    async_body = b"".join([chunk async for chunk in stream])
    assert async_body == body_of(stream)
    assert headers["Content-Length"] == str(len(async_body))
    assert split_parts(async_body)[1].content == BINARY


def test_bytesio_length_counts_from_the_start() -> None:
    file = io.BytesIO(b"0123456789")
    file.seek(5)
    headers, stream = encode_multipart({}, {"f": ("a.bin", file)}, BOUNDARY)
    body = body_of(stream)
    assert headers["Content-Length"] == str(len(body))
    assert split_parts(body)[0].content == b"0123456789"


class Unsized:
    """A readable object whose size cannot be known up front (like a socket)."""

    def __init__(self, data: bytes) -> None:
        self._file = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)


def test_unknown_size_is_sent_chunked() -> None:
    headers, stream = encode_multipart({}, {"f": ("a.bin", Unsized(BINARY))}, BOUNDARY)  # type: ignore[dict-item]
    assert headers == {
        "Content-Type": "multipart/form-data; boundary=test-boundary",
        "Transfer-Encoding": "chunked",
    }
    assert split_parts(body_of(stream))[0].content == BINARY


def test_pipe_is_sent_chunked() -> None:
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb") as reader:
        with os.fdopen(write_fd, "wb") as writer:
            writer.write(b"through a pipe")
        headers, stream = encode_multipart({}, {"f": ("p.bin", reader)}, BOUNDARY)
        assert "Content-Length" not in headers
        assert split_parts(body_of(stream))[0].content == b"through a pipe"


def test_random_boundary() -> None:
    headers, stream = encode_multipart({"a": "1"}, {"f": b"x"}, None)
    match = re.fullmatch(r"multipart/form-data; boundary=([0-9a-f]{32})", headers["Content-Type"])
    assert match is not None
    assert len(split_parts(body_of(stream), match.group(1).encode())) == 2


def test_invalid_inputs() -> None:
    with pytest.raises(TypeError, match="binary mode"):
        encode_multipart({}, {"f": io.StringIO("text")}, BOUNDARY)  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        encode_multipart({"a": {"nested": "dict"}}, {"f": b"x"}, BOUNDARY)
    with pytest.raises(TypeError):
        encode_multipart({1: "x"}, {"f": b"x"}, BOUNDARY)  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        encode_multipart({}, {"f": ("a", b"x", "t", {}, "extra")}, BOUNDARY)  # type: ignore[dict-item]


def test_request_with_files() -> None:
    request = Request(
        "POST", "http://localhost/upload", data={"a": "1"}, files={"f": ("a.txt", io.BytesIO(b"x"))}
    )
    content_type = request.headers["Content-Type"]
    boundary = get_multipart_boundary_from_content_type(content_type)
    assert boundary is not None
    body = request.read()
    assert request.headers["Content-Length"] == str(len(body))
    assert [p.content for p in split_parts(body, boundary)] == [b"1", b"x"]


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("multipart/form-data; boundary=abc", b"abc"),
        (b'multipart/form-data; charset=utf-8; Boundary="q-b"', b"q-b"),
        ("multipart/form-data", None),
        ("application/json; boundary=abc", None),
        (None, None),
    ],
)
def test_boundary_from_content_type(
    content_type: str | bytes | None, expected: bytes | None
) -> None:
    assert get_multipart_boundary_from_content_type(content_type) == expected
