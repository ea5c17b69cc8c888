"""
Deterministic payloads served by the test app, importable by tests to know what to expect.

`/bytes/{n}` serves `pattern_bytes(n)`: a PRNG stream generated block by block, so the server
can stream 100 MiB without building it and a test can verify it with `pattern_sha256(n)`.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import random
import zlib
from collections.abc import Iterator

__all__ = [
    "BLOCK_SIZE",
    "COMPRESSED_JSON",
    "COMPRESSED_JSON_BYTES",
    "JSON_DOC",
    "TEXT_DEFAULT",
    "compress",
    "iter_pattern",
    "pattern_bytes",
    "pattern_sha256",
]

BLOCK_SIZE = 64 * 1024

# The body every compressed route (/gzip, /deflate, /brotli, /zstd) serves once decoded.
COMPRESSED_JSON: dict[str, object] = {
    "compressed": True,
    "message": "Hello, compressed world! " * 8,
    "numbers": list(range(64)),
}
COMPRESSED_JSON_BYTES = json.dumps(COMPRESSED_JSON, sort_keys=True).encode()

# The document served by /json: nested values and non-ASCII text.
JSON_DOC: dict[str, object] = {
    "slideshow": {
        "author": "Yours Truly",
        "title": "Sample Slide Show",
        "slides": [
            {"title": "Wake up to WonderWidgets!", "type": "all"},
            {"title": "Overview", "type": "all", "items": ["Why WonderWidgets", "Who buys"]},
        ],
    },
    "unicode": "héllo wörld ☃ 日本語",
    "float": 1.5,
    "null": None,
    "bool": True,
}

# Default text for /text: encodable in latin-1, cp1252 and utf-8 alike.
TEXT_DEFAULT = "Café naïve façade, déjà vu: ½ price!"


def _block(index: int) -> bytes:
    # A string seed is hashed with SHA-512 by `random`, stable across CPython 3 versions.
    return random.Random(f"tls_requests:block:{index}").randbytes(BLOCK_SIZE)


def iter_pattern(n: int, chunk_size: int = BLOCK_SIZE) -> Iterator[bytes]:
    """Yield the first `n` pattern bytes in chunks of `chunk_size` (last may be shorter)."""
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    pending = bytearray()
    produced = 0
    index = 0
    while produced < n:
        while len(pending) < chunk_size and produced + len(pending) < n:
            pending += _block(index)
            index += 1
        take = min(chunk_size, n - produced)
        yield bytes(pending[:take])
        del pending[:take]
        produced += take


def pattern_bytes(n: int) -> bytes:
    """The whole first `n` pattern bytes (only for modest `n`)."""
    return b"".join(iter_pattern(n))


@functools.lru_cache(maxsize=32)
def pattern_sha256(n: int) -> str:
    """Hex SHA-256 of `pattern_bytes(n)`, computed without holding it in memory."""
    digest = hashlib.sha256()
    for chunk in iter_pattern(n):
        digest.update(chunk)
    return digest.hexdigest()


def compress(data: bytes, encoding: str) -> bytes:
    """Encode `data` with one HTTP content-coding (gzip, deflate, raw-deflate, br, zstd)."""
    if encoding == "gzip":
        return gzip.compress(data, mtime=0)
    if encoding == "deflate":
        return zlib.compress(data)  # RFC 9110 "deflate" is the zlib format
    if encoding == "raw-deflate":
        # What some broken servers send as "deflate"; lenient clients accept it.
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return compressor.compress(data) + compressor.flush()
    if encoding == "br":
        import brotli  # optional dependency, imported lazily so the app loads without it

        result: bytes = brotli.compress(data)
        return result
    if encoding == "zstd":
        import zstandard

        # Include the content size in the frame header: some decoders require it.
        return zstandard.ZstdCompressor(write_content_size=True).compress(data)
    raise ValueError(f"unknown content-coding {encoding!r}")
