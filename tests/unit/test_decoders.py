"""Content-Encoding decoders fed the way a streamed body feeds them: in arbitrary pieces."""

from __future__ import annotations

import gzip

import brotli
import pytest
import zstandard

from tls_requests._decoders import decoder_for
from tls_requests._exceptions import DecodingError

DATA = b"tls_requests " * 1000


def _feed(encoding: str, body: bytes, size: int) -> bytes:
    decoder = decoder_for(encoding)
    out = b"".join(decoder.decode(body[i : i + size]) for i in range(0, len(body), size))
    return out + decoder.flush()


@pytest.mark.parametrize("size", [1, 7, 4096, 10**6])
def test_zstd_in_pieces_and_concatenated_frames(size: int) -> None:
    frame = zstandard.ZstdCompressor().compress(DATA)
    # Two frames back to back: the second may start exactly at a piece boundary.
    assert _feed("zstd", frame + frame, size) == DATA + DATA
    assert _feed("zstd", frame, len(frame)) == DATA


@pytest.mark.parametrize("encoding", ["zstd", "gzip", "br", "deflate", "zstd, br", "gzip, zstd"])
def test_empty_body_is_not_truncated(encoding: str) -> None:
    # HEAD responses, 204s and 304s carry the header but no body.
    decoder = decoder_for(encoding)
    assert decoder.decode(b"") + decoder.flush() == b""


def test_stacked_zstd_then_br() -> None:
    body = brotli.compress(zstandard.ZstdCompressor().compress(DATA))
    assert _feed("zstd, br", body, 100) == DATA
    body = zstandard.ZstdCompressor().compress(gzip.compress(DATA))
    assert _feed("gzip, zstd", body, 3) == DATA


def test_truncated_zstd_raises() -> None:
    frame = zstandard.ZstdCompressor().compress(DATA)
    with pytest.raises(DecodingError):
        _feed("zstd", frame[:-3], 100)
