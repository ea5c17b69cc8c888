"""
`multipart/form-data` request bodies (`data=` fields plus `files=`), as httpx encodes them.

File contents are streamed in chunks rather than loaded: the body is a `MultipartStream` that
both clients can iterate. Content-Length is given when every part's size is known up front;
otherwise the body is sent chunked.
"""

from __future__ import annotations

import contextlib
import io
import mimetypes
import os
import re
import stat
import typing
from pathlib import Path

from ._streams import AsyncByteStream, ByteStream, SyncByteStream

if typing.TYPE_CHECKING:
    from ._types import FileContent, FileTypes, RequestData, RequestFiles

__all__: list[str] = []

# The HTML5 form-submission escaping of names and filenames, as httpx does it: '"' and control
# characters become percent escapes and a backslash is doubled, so a quoted parameter cannot be
# closed early by its value. ESC (0x1B) is left alone, as in httpx.
_FORM_PARAM_REPLACEMENTS = {'"': "%22", "\\": "\\\\"}
_FORM_PARAM_REPLACEMENTS.update({chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B})
_FORM_PARAM_RE = re.compile("|".join(re.escape(c) for c in _FORM_PARAM_REPLACEMENTS))

# Read files in this size, and gather the small pieces (boundaries, headers) up to it, so a
# transport sees a few large chunks rather than many tiny ones.
CHUNK_SIZE = 64 * 1024


def _format_form_param(name: str, value: str) -> bytes:
    escaped = _FORM_PARAM_RE.sub(lambda match: _FORM_PARAM_REPLACEMENTS[match.group(0)], value)
    return f'{name}="{escaped}"'.encode()


def _primitive_to_str(value: typing.Any) -> str | bytes:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    raise TypeError(f"Invalid type for a form value: expected a primitive, got {type(value)}.")


def _peek_length(file: typing.IO[bytes]) -> int | None:
    """The number of bytes `file` holds from its start, if that is knowable without reading."""
    try:
        info = os.fstat(file.fileno())
    except (AttributeError, OSError):
        pass  # Not a real file (BytesIO, a wrapper); try seeking below.
    else:
        # A pipe or socket has a file descriptor but its st_size means nothing.
        if stat.S_ISREG(info.st_mode):
            return info.st_size
        return None
    try:
        position = file.tell()
        length = file.seek(0, os.SEEK_END)
        file.seek(position)
    except (AttributeError, OSError):
        return None
    return length


def get_multipart_boundary_from_content_type(content_type: str | bytes | None) -> bytes | None:
    """The boundary of a `multipart/form-data; boundary=...` Content-Type, else None."""
    if isinstance(content_type, str):
        content_type = content_type.encode("latin-1")
    if not content_type or not content_type.lower().startswith(b"multipart/form-data"):
        return None
    for section in content_type.split(b";")[1:]:
        key, _, value = section.strip().partition(b"=")
        if key.strip().lower() == b"boundary":
            return value.strip().strip(b'"')
    return None


class _DataField:
    """A plain form field."""

    def __init__(self, name: str, value: typing.Any) -> None:
        if not isinstance(name, str):
            raise TypeError(f"Invalid type for a form field name: expected str, got {type(name)}.")
        value = _primitive_to_str(value)
        self._headers = b"".join(
            [b"Content-Disposition: form-data; ", _format_form_param("name", name), b"\r\n\r\n"]
        )
        self._data = value.encode("utf-8") if isinstance(value, str) else value

    def get_length(self) -> int:
        return len(self._headers) + len(self._data)

    def render(self) -> typing.Iterator[bytes]:
        yield self._headers
        yield self._data


class _FileField:
    """A file upload field; its content is read in chunks each time the body is sent."""

    def __init__(self, name: str, value: FileTypes) -> None:
        content_type: str | None = None
        extra_headers: typing.Mapping[str, str] = {}
        filename: str | None
        fileobj: FileContent
        if isinstance(value, tuple):
            if len(value) == 2:
                filename, fileobj = value
            elif len(value) == 3:
                filename, fileobj, content_type = value
            elif len(value) == 4:
                filename, fileobj, content_type, extra_headers = value
            else:
                raise TypeError(
                    "A file tuple is (filename, content), (filename, content, content_type) or "
                    f"(filename, content, content_type, headers); got {len(value)} items."
                )
        else:
            filename = Path(str(getattr(value, "name", "upload"))).name
            fileobj = value

        if isinstance(fileobj, io.TextIOBase):
            raise TypeError("Multipart file uploads must be opened in binary mode, not text mode.")
        if content_type is None and filename:
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"

        headers = dict(extra_headers)
        # As in httpx, a Content-Type in the headers wins over the third tuple item.
        if content_type is not None and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = content_type

        parts = [b"Content-Disposition: form-data; ", _format_form_param("name", name)]
        if filename:
            parts += [b"; ", _format_form_param("filename", filename)]
        for header_name, header_value in headers.items():
            parts += [f"\r\n{header_name}: ".encode(), header_value.encode()]
        parts.append(b"\r\n\r\n")
        self._headers = b"".join(parts)
        self.file = fileobj.encode("utf-8") if isinstance(fileobj, str) else fileobj

    @property
    def in_memory(self) -> bool:
        return isinstance(self.file, bytes)

    def get_length(self) -> int | None:
        if isinstance(self.file, bytes):
            return len(self._headers) + len(self.file)
        length = _peek_length(self.file)
        return None if length is None else len(self._headers) + length

    def render(self) -> typing.Iterator[bytes]:
        yield self._headers
        if isinstance(self.file, bytes):
            yield self.file
            return
        # From the start every time, so the body can be sent again (redirects, auth retries).
        # A file that cannot seek can be sent once.
        with contextlib.suppress(AttributeError, OSError):
            self.file.seek(0)
        while chunk := self.file.read(CHUNK_SIZE):
            yield chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)


class MultipartStream(SyncByteStream, AsyncByteStream):
    """
    A `multipart/form-data` body, streamed from its fields and files.

    Usable by both clients; file objects are read synchronously in `CHUNK_SIZE` pieces.
    """

    def __init__(
        self, data: RequestData, files: RequestFiles, boundary: bytes | None = None
    ) -> None:
        self.boundary = boundary if boundary is not None else os.urandom(16).hex().encode()
        self.content_type = f"multipart/form-data; boundary={self.boundary.decode('ascii')}"
        self.fields: list[_DataField | _FileField] = []
        for name, value in data.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            self.fields.extend(_DataField(name, item) for item in values)
        file_items = files.items() if isinstance(files, typing.Mapping) else files
        self.fields.extend(_FileField(name, value) for name, value in file_items)

    @property
    def in_memory(self) -> bool:
        """True when no field reads from a file object."""
        return all(isinstance(field, _DataField) or field.in_memory for field in self.fields)

    def get_content_length(self) -> int | None:
        """The body's size, or None when a file's size cannot be known without reading it."""
        delimiter = 2 + len(self.boundary) + 2  # b"--{boundary}\r\n"
        length = 0
        for field in self.fields:
            field_length = field.get_length()
            if field_length is None:
                return None
            length += delimiter + field_length + 2  # + b"\r\n"
        return length + 2 + len(self.boundary) + 4  # b"--{boundary}--\r\n"

    def get_headers(self) -> dict[str, str]:
        length = self.get_content_length()
        if length is None:
            return {"Content-Type": self.content_type, "Transfer-Encoding": "chunked"}
        return {"Content-Type": self.content_type, "Content-Length": str(length)}

    def _iter_pieces(self) -> typing.Iterator[bytes]:
        for field in self.fields:
            yield b"--%s\r\n" % self.boundary
            yield from field.render()
            yield b"\r\n"
        yield b"--%s--\r\n" % self.boundary

    def __iter__(self) -> typing.Iterator[bytes]:
        buffer = bytearray()
        for piece in self._iter_pieces():
            if len(buffer) + len(piece) > CHUNK_SIZE and buffer:
                yield bytes(buffer)
                buffer.clear()
            if len(piece) >= CHUNK_SIZE:
                yield piece
            else:
                buffer += piece
        if buffer:
            yield bytes(buffer)

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def encode_multipart(
    data: RequestData, files: RequestFiles, boundary: bytes | None = None
) -> tuple[dict[str, str], SyncByteStream | AsyncByteStream]:
    """
    The headers (Content-Type with the boundary, and Content-Length or Transfer-Encoding) and
    the body stream for a multipart form.

    * **data** - form fields; a list or tuple value repeats the field.
    * **files** - `{name: file}` or a list of `(name, file)` pairs (for repeated names), where
      a file is a binary file object, bytes, str, or a tuple `(filename, content)`,
      `(filename, content, content_type)` or `(filename, content, content_type, headers)`.
      Without a content type, it is guessed from the filename (`application/octet-stream`
      when unknown).
    * **boundary** - *(optional)* the boundary; random by default.

    A form with no file objects is rendered at once into a `ByteStream`, so the request's
    `.content` is available and the body goes out in one piece.
    """
    stream = MultipartStream(data, files, boundary)
    headers = stream.get_headers()
    if stream.in_memory:
        return headers, ByteStream(b"".join(stream))
    return headers, stream
