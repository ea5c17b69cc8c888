"""
Incremental decoders for response bodies: Content-Encoding (gzip, deflate, br, zstd),
text, lines and fixed-size chunks. All are pure and shared by the sync and async paths.
"""

from __future__ import annotations

import codecs
import io
import typing
import zlib

from ._exceptions import DecodingError

__all__: list[str] = []


class ContentDecoder(typing.Protocol):
    def decode(self, data: bytes) -> bytes: ...

    def flush(self) -> bytes: ...


class IdentityDecoder:
    def decode(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


class DeflateDecoder:
    """Accepts both zlib-wrapped and raw deflate, as browsers do."""

    def __init__(self) -> None:
        self._first_attempt = True
        self._decompressor = zlib.decompressobj()

    def decode(self, data: bytes) -> bytes:
        was_first_attempt = self._first_attempt
        self._first_attempt = False
        try:
            return self._decompressor.decompress(data)
        except zlib.error as exc:
            if was_first_attempt:
                self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.decode(data)
            raise DecodingError(str(exc)) from exc

    def flush(self) -> bytes:
        try:
            return self._decompressor.flush()
        except zlib.error as exc:  # pragma: no cover - zlib flush rarely fails
            raise DecodingError(str(exc)) from exc


class GZipDecoder:
    def __init__(self) -> None:
        self._decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)

    def decode(self, data: bytes) -> bytes:
        try:
            return self._decompressor.decompress(data)
        except zlib.error as exc:
            raise DecodingError(str(exc)) from exc

    def flush(self) -> bytes:
        try:
            return self._decompressor.flush()
        except zlib.error as exc:  # pragma: no cover
            raise DecodingError(str(exc)) from exc


class BrotliDecoder:
    def __init__(self) -> None:
        import brotli  # a core dependency: browser profiles advertise br

        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> bytes:
        if not data:
            return b""
        try:
            return bytes(self._decompressor.process(data))
        except Exception as exc:  # brotli.error is not exposed consistently
            raise DecodingError(str(exc)) from exc

    def flush(self) -> bytes:
        return b""


class ZStandardDecoder:
    def __init__(self) -> None:
        import zstandard  # a core dependency: browser profiles advertise zstd

        self._decompressor = zstandard.ZstdDecompressor().decompressobj()
        self._zstandard = zstandard
        self._seen_data = False

    def decode(self, data: bytes) -> bytes:
        if not data:
            # A finished decompressobj refuses any call, even with no data (MultiDecoder.flush).
            return b""
        self._seen_data = True
        output = io.BytesIO()
        try:
            if self._decompressor.eof:
                # The previous frame ended exactly at a chunk boundary: this is a new frame.
                self._decompressor = self._zstandard.ZstdDecompressor().decompressobj()
            output.write(self._decompressor.decompress(data))
            # A body may hold several concatenated frames.
            while self._decompressor.eof and self._decompressor.unused_data:
                unused = self._decompressor.unused_data
                self._decompressor = self._zstandard.ZstdDecompressor().decompressobj()
                output.write(self._decompressor.decompress(unused))
        except self._zstandard.ZstdError as exc:
            raise DecodingError(str(exc)) from exc
        return output.getvalue()

    def flush(self) -> bytes:
        if self._seen_data and not self._decompressor.eof:
            raise DecodingError("Truncated zstd body")
        return b""


class MultiDecoder:
    """Applies `Content-Encoding: a, b` in reverse order, as RFC 9110 requires."""

    def __init__(self, children: typing.Sequence[ContentDecoder]) -> None:
        self._children = list(reversed(children))

    def decode(self, data: bytes) -> bytes:
        for child in self._children:
            data = child.decode(data)
        return data

    def flush(self) -> bytes:
        data = b""
        for child in self._children:
            data = child.decode(data) + child.flush()
        return data


SUPPORTED_DECODERS: dict[str, type[ContentDecoder]] = {
    "identity": IdentityDecoder,
    "gzip": GZipDecoder,
    "x-gzip": GZipDecoder,
    "deflate": DeflateDecoder,
    "br": BrotliDecoder,
    "zstd": ZStandardDecoder,
}


def decoder_for(content_encoding: str) -> ContentDecoder:
    """The decoder for a Content-Encoding header value; unknown codings pass through."""
    names = [v.strip().lower() for v in content_encoding.split(",") if v.strip()]
    decoders = [SUPPORTED_DECODERS[n]() for n in names if n in SUPPORTED_DECODERS]
    if len(decoders) != len(names):
        # An unknown coding: hand the raw bytes over rather than corrupt them.
        return IdentityDecoder()
    if not decoders:
        return IdentityDecoder()
    return decoders[0] if len(decoders) == 1 else MultiDecoder(decoders)


class ByteChunker:
    """Re-chunks a byte stream into pieces of exactly `chunk_size` (the last may be shorter)."""

    def __init__(self, chunk_size: int | None = None) -> None:
        self._buffer = bytearray()
        self._chunk_size = chunk_size

    def decode(self, content: bytes) -> list[bytes]:
        if self._chunk_size is None:
            return [content] if content else []
        self._buffer += content
        size = self._chunk_size
        if len(self._buffer) < size:
            return []
        cut = len(self._buffer) - len(self._buffer) % size
        chunks = [bytes(self._buffer[i : i + size]) for i in range(0, cut, size)]
        del self._buffer[:cut]
        return chunks

    def flush(self) -> list[bytes]:
        value = bytes(self._buffer)
        self._buffer.clear()
        return [value] if value else []


class TextChunker:
    def __init__(self, chunk_size: int | None = None) -> None:
        self._buffer = ""
        self._chunk_size = chunk_size

    def decode(self, content: str) -> list[str]:
        if self._chunk_size is None:
            return [content] if content else []
        self._buffer += content
        size = self._chunk_size
        cut = len(self._buffer) - len(self._buffer) % size
        chunks = [self._buffer[i : i + size] for i in range(0, cut, size)]
        self._buffer = self._buffer[cut:]
        return chunks

    def flush(self) -> list[str]:
        value, self._buffer = self._buffer, ""
        return [value] if value else []


class TextDecoder:
    """Incremental bytes → str with a fixed encoding; undecodable bytes are replaced."""

    def __init__(self, encoding: str = "utf-8") -> None:
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def decode(self, data: bytes) -> str:
        return self._decoder.decode(data)

    def flush(self) -> str:
        return self._decoder.decode(b"", True)


class LineDecoder:
    """Splits text into lines on \\n, \\r\\n or \\r across chunk boundaries, like splitlines."""

    def __init__(self) -> None:
        self._buffer: list[str] = []
        self._trailing_cr = False

    def decode(self, text: str) -> list[str]:
        if self._trailing_cr:
            text = "\r" + text
            self._trailing_cr = False
        if text.endswith("\r"):
            self._trailing_cr = True
            text = text[:-1]
        if not text:
            return []
        trailing_newline = text[-1] in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
        lines = text.splitlines()
        if len(lines) == 1 and not trailing_newline:
            self._buffer.append(lines[0])
            return []
        if self._buffer:
            lines = ["".join(self._buffer) + lines[0], *lines[1:]]
            self._buffer = []
        if not trailing_newline:
            self._buffer = [lines.pop()]
        return lines

    def flush(self) -> list[str]:
        if not self._buffer and not self._trailing_cr:
            return []
        lines = ["".join(self._buffer)]
        self._buffer = []
        self._trailing_cr = False
        return lines
