"""The Akamai HTTP/2 fingerprint from raw frames (no network)."""

from __future__ import annotations

import struct

import hpack
import pytest

from tls_requests.fingerprint import (
    HeaderBlock,
    Http2Error,
    Http2Recorder,
    akamai_string,
    http2_report,
)
from tls_requests.fingerprint.akamai import PREFACE

CHROME_HEADERS = [
    (":method", "GET"),
    (":authority", "localhost"),
    (":scheme", "https"),
    (":path", "/"),
    ("sec-ch-ua", '"Chromium";v="131"'),
    ("user-agent", "Mozilla/5.0"),
    ("accept", "*/*"),
]


def frame(frame_type: int, flags: int, stream_id: int, payload: bytes) -> bytes:
    return (
        len(payload).to_bytes(3, "big")
        + bytes([frame_type, flags])
        + struct.pack("!I", stream_id)
        + payload
    )


def settings(*pairs: tuple[int, int], ack: bool = False) -> bytes:
    return frame(4, 1 if ack else 0, 0, b"".join(struct.pack("!HI", i, v) for i, v in pairs))


def window_update(stream_id: int, increment: int) -> bytes:
    return frame(8, 0, stream_id, struct.pack("!I", increment))


def priority(stream_id: int, depends_on: int, weight: int, exclusive: bool = False) -> bytes:
    dep = depends_on | (0x80000000 if exclusive else 0)
    return frame(2, 0, stream_id, struct.pack("!IB", dep, weight))


def headers_frame(
    stream_id: int,
    block: bytes,
    *,
    end_stream: bool = True,
    end_headers: bool = True,
    prio: tuple[bool, int, int] | None = None,
    pad: int | None = None,
) -> bytes:
    flags = (0x1 if end_stream else 0) | (0x4 if end_headers else 0)
    payload = block
    if prio is not None:
        exclusive, dep, weight = prio
        payload = struct.pack("!IB", dep | (0x80000000 if exclusive else 0), weight) + payload
        flags |= 0x20
    if pad is not None:
        payload = bytes([pad]) + payload + b"\x00" * pad
        flags |= 0x8
    return frame(1, flags, stream_id, payload)


def feed_all(data: bytes, *, chunk: int | None = None) -> tuple[Http2Recorder, list[HeaderBlock]]:
    recorder = Http2Recorder()
    blocks: list[HeaderBlock] = []
    if chunk is None:
        blocks += recorder.feed(data)
    else:
        for i in range(0, len(data), chunk):
            blocks += recorder.feed(data[i : i + chunk])
    return recorder, blocks


def chrome_like() -> bytes:
    return (
        PREFACE
        + settings((1, 65536), (2, 0), (4, 6291456), (6, 262144))
        + window_update(0, 15663105)
        + headers_frame(1, hpack.Encoder().encode(CHROME_HEADERS), prio=(True, 0, 255))
    )


def test_chrome_vector():
    recorder, blocks = feed_all(chrome_like())
    assert recorder.akamai == "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p"
    # The Chrome hash published by tls.peet.ws / tls-client / curl_cffi.
    assert recorder.akamai_hash == "52d84b11737d980aef856699f885ca86"
    assert [b.headers for b in blocks] == [tuple(CHROME_HEADERS)]
    report = http2_report(recorder)
    assert report["headers_frame_priority"] == {
        "stream_id": 1,
        "exclusive": True,
        "depends_on": 0,
        "weight": 256,
    }
    assert report["priority_frames"] == []
    assert report["pseudo_header_order"] == [":method", ":authority", ":scheme", ":path"]
    assert [f["type"] for f in report["frames"]] == ["SETTINGS", "WINDOW_UPDATE", "HEADERS"]


def test_byte_at_a_time_gives_the_same_result():
    whole, _ = feed_all(chrome_like())
    split, blocks = feed_all(chrome_like(), chunk=1)
    assert split.akamai == whole.akamai
    assert len(blocks) == 1


def test_old_firefox_priority_frames():
    data = (
        PREFACE
        + settings((1, 65536), (4, 131072), (5, 16384))
        + window_update(0, 12517377)
        + priority(3, 0, 200)
        + priority(5, 0, 100)
        + priority(7, 0, 0)
        + priority(9, 7, 0)
        + priority(11, 3, 0)
        + priority(13, 0, 240)
        + headers_frame(
            15,
            hpack.Encoder().encode(
                [(":method", "GET"), (":path", "/"), (":authority", "a"), (":scheme", "https")]
            ),
            prio=(False, 13, 41),
        )
        # After the first HEADERS: not part of the fingerprint.
        + priority(17, 0, 5)
        + window_update(0, 99)
    )
    recorder, _ = feed_all(data)
    expected = (
        "1:65536;4:131072;5:16384|12517377|"
        "3:0:0:201,5:0:0:101,7:0:0:1,9:0:7:1,11:0:3:1,13:0:0:241|m,p,a,s"
    )
    assert recorder.akamai == expected
    assert recorder.akamai_hash == "3d9132023bf26a71d40fe766e5c24c9d"
    assert recorder.first_headers is not None
    assert recorder.first_headers.priority is not None
    assert recorder.first_headers.priority.render() == "15:0:13:42"


def test_setting_8_unknown_ids_and_duplicates_keep_wire_order():
    data = (
        PREFACE
        + settings((2, 0), (8, 1), (0x99, 7), (2, 0), (9, 1))
        + settings((1, 1))  # a second SETTINGS is not the fingerprint
        + settings(ack=True)
        + headers_frame(1, hpack.Encoder().encode([(":method", "GET"), (":path", "/")]))
    )
    recorder, _ = feed_all(data)
    assert recorder.settings == [(2, 0), (8, 1), (153, 7), (2, 0), (9, 1)]
    # browserleaks / curl-impersonate convention, not tls.peet.ws's ":1".
    assert recorder.akamai == "2:0;8:1;153:7;2:0;9:1|00|0|m,p"


def test_ack_before_settings_is_skipped():
    data = (
        PREFACE
        + settings(ack=True)
        + settings((3, 100))
        + headers_frame(1, hpack.Encoder().encode([(":path", "/")]))
    )
    recorder, _ = feed_all(data)
    assert recorder.settings == [(3, 100)]


def test_stream_window_update_is_not_the_connection_one():
    data = (
        PREFACE
        + settings((4, 65535))
        + window_update(3, 1000)
        + window_update(0, 2000)
        + window_update(0, 3000)
        + headers_frame(1, hpack.Encoder().encode([(":method", "GET")]))
    )
    recorder, _ = feed_all(data)
    assert recorder.window_update == 2000
    assert recorder.akamai == "4:65535|2000|0|m"


def test_padded_priority_headers_with_continuations():
    block = hpack.Encoder().encode(CHROME_HEADERS)
    data = (
        PREFACE
        + settings((1, 4096))
        + headers_frame(1, block[:5], end_headers=False, prio=(True, 0, 219), pad=7)
        + frame(9, 0, 1, block[5:9])
        + frame(9, 0x4, 1, block[9:])
    )
    recorder, blocks = feed_all(data)
    assert len(blocks) == 1
    assert blocks[0].headers == tuple(CHROME_HEADERS)
    assert blocks[0].padded and blocks[0].end_stream
    assert blocks[0].priority is not None and blocks[0].priority.render() == "1:1:0:220"
    assert recorder.akamai == "1:4096|00|0|m,a,s,p"
    assert [f["type"] for f in recorder.frames] == [
        "SETTINGS",
        "HEADERS",
        "CONTINUATION",
        "CONTINUATION",
    ]


def test_dynamic_table_spans_requests():
    encoder = hpack.Encoder()
    first = CHROME_HEADERS
    second = [(":method", "POST"), *CHROME_HEADERS[1:], ("x-extra", "1")]
    data = (
        PREFACE
        + settings((1, 4096))
        + headers_frame(1, encoder.encode(first))
        + headers_frame(3, encoder.encode(second), end_stream=False)
        + frame(0, 0x1, 3, b"body")
    )
    recorder, blocks = feed_all(data)
    assert [b.headers for b in blocks] == [tuple(first), tuple(second)]
    assert [b.stream_id for b in blocks] == [1, 3]
    assert blocks[1].regular_headers[-1] == ("x-extra", "1")
    assert recorder.first_headers is blocks[0]


def test_no_headers_yet():
    recorder, blocks = feed_all(PREFACE + settings((3, 100)))
    assert blocks == []
    assert recorder.akamai == "3:100|00|0|"


@pytest.mark.parametrize(
    "data",
    [
        b"GET / HTTP/1.1\r\n\r\n" + b"x" * 10,
        b"PRI * HTTP/1.1",
        PREFACE + frame(9, 0x4, 1, b""),  # CONTINUATION without HEADERS
        PREFACE + headers_frame(1, b"\x82", end_headers=False) + settings(),  # interrupted
        PREFACE + frame(4, 0, 0, b"\x00\x01\x00"),  # SETTINGS not a multiple of 6
        PREFACE + frame(1, 0x4 | 0x8, 1, b"\x09abc"),  # padding longer than the frame
        PREFACE + headers_frame(1, b"\xff\xff\xff\xff"),  # bad HPACK
    ],
)
def test_protocol_errors(data):
    with pytest.raises(Http2Error):
        feed_all(data)


def test_akamai_string_helper():
    assert akamai_string([], None, [], []) == "|00|0|"
