"""
Encoding of request bodies from `content=`, `data=`, `files=` and `json=`.

Returns the headers the body implies (Content-Type, Content-Length) plus the body stream.
Byte bodies are kept whole (they are sent in one native call); iterators are streamed, chunked.
"""

from __future__ import annotations

import json as jsonlib
import typing
from urllib.parse import urlencode

from ._streams import AsyncIteratorByteStream, ByteStream, IteratorByteStream, SyncByteStream

if typing.TYPE_CHECKING:
    from ._streams import AsyncByteStream
    from ._types import RequestContent, RequestData, RequestFiles

__all__: list[str] = []


def encode_content(
    content: RequestContent,
) -> tuple[dict[str, str], SyncByteStream | AsyncByteStream]:
    if isinstance(content, (bytes, bytearray, memoryview, str)):
        body = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        return {"Content-Length": str(len(body))} if body else {}, ByteStream(body)
    if hasattr(content, "__aiter__"):
        return {"Transfer-Encoding": "chunked"}, AsyncIteratorByteStream(content)  # type: ignore[arg-type]
    if hasattr(content, "__iter__"):
        return {"Transfer-Encoding": "chunked"}, IteratorByteStream(content)
    raise TypeError(f"Unexpected type for 'content', {type(content)!r}")


def encode_urlencoded_data(data: RequestData) -> tuple[dict[str, str], ByteStream]:
    items: list[tuple[str, str]] = []
    for key, value in data.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        items.extend((key, _primitive_str(v)) for v in values)
    body = urlencode(items, doseq=True).encode("ascii")
    headers = {
        "Content-Length": str(len(body)),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return headers, ByteStream(body)


def encode_json(json: typing.Any) -> tuple[dict[str, str], ByteStream]:
    body = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    headers = {"Content-Length": str(len(body)), "Content-Type": "application/json"}
    return headers, ByteStream(body)


def _primitive_str(value: typing.Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def encode_request(
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: typing.Any | None = None,
    boundary: bytes | None = None,
) -> tuple[dict[str, str], SyncByteStream | AsyncByteStream]:
    """The headers and stream for a request body; exactly one kind of body may be given."""
    if data is not None and not isinstance(data, typing.Mapping):
        # httpx accepts raw bytes in data= with a deprecation; we treat it as content=.
        content, data = data, None
    if content is not None:
        return encode_content(content)
    if files:
        from ._multipart import encode_multipart

        return encode_multipart(data or {}, files, boundary)
    if data:
        return encode_urlencoded_data(data)
    if json is not None:
        return encode_json(json)
    return {}, ByteStream(b"")
