"""
A `CustomFingerprint` comes out on the wire exactly as asked: the echo server must report the
same JA3, the same Akamai string and HEADERS priority, and the same extension contents.
"""

from __future__ import annotations

import pytest

from tls_requests import CustomFingerprint, PriorityFrame
from tls_requests._profiles import default_headers

# A JA3 without GREASE, ECH or padding and with a fixed extension order, so the string the
# server computes must be this one, character for character.
JA3 = (
    "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
    "0-23-65281-10-11-35-16-5-13-18-51-45-43-27-17513,29-23-24,0"
)


def test_ja3_comes_back_exactly(capture) -> None:
    tls = capture(fingerprint=CustomFingerprint(ja3=JA3))["tls"]
    assert tls["ja3"] == JA3
    assert tls["client_hello"]["server_name"] == "localhost"


def test_tls_extension_contents(capture) -> None:
    fingerprint = CustomFingerprint(
        ja3=JA3,
        signature_algorithms=("ECDSAWithP256AndSHA256", "PSSWithSHA256", "PKCS1WithSHA256", "0203"),
        supported_versions=("1.3", "1.2"),
        key_share_curves=("X25519", "P256"),
        cert_compression_algos=("zlib", "brotli"),
        alpn_protocols=("h2", "http/1.1"),
        alps_protocols=("h2",),
    )
    tls = capture(fingerprint=fingerprint)["tls"]
    hello = tls["client_hello"]
    assert tls["ja3"] == JA3
    assert hello["signature_algorithms"] == [0x0403, 0x0804, 0x0401, 0x0203]
    assert hello["supported_versions"] == [0x0304, 0x0303]
    assert hello["supported_groups"] == [29, 23, 24]  # from the JA3
    assert hello["key_share_groups"] == [29, 23]
    assert hello["compress_certificate_algorithms"] == [1, 2]
    assert hello["alpn"] == ["h2", "http/1.1"]
    assert hello["application_settings"] == ["h2"]
    # ... and the JA4 the server derives from them.
    assert tls["ja4_r"].startswith("t13d1515h2_")
    assert tls["ja4_r"].endswith("_0403,0804,0401,0203")


def test_alpn_http1_only(capture) -> None:
    fingerprint = CustomFingerprint(ja3=JA3, alpn_protocols=("http/1.1",))
    doc = capture(fingerprint=fingerprint)
    assert doc["tls"]["client_hello"]["alpn"] == ["http/1.1"]
    assert doc["tls"]["ja4"].startswith("t13d1515h1_")
    assert doc["http_version"] == "http/1.1"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            (("HEADER_TABLE_SIZE", 65536), ("ENABLE_PUSH", 0), ("INITIAL_WINDOW_SIZE", 6291456)),
            "1:65536;2:0;4:6291456",
        ),
        # Safari's order, with setting ids 8 and 9 given by number and by name.
        (
            (
                ("ENABLE_PUSH", 0),
                ("MAX_CONCURRENT_STREAMS", 100),
                ("INITIAL_WINDOW_SIZE", 2097152),
                ("8", 1),
                ("NO_RFC7540_PRIORITIES", 1),
            ),
            "2:0;3:100;4:2097152;8:1;9:1",
        ),
    ],
)
def test_http2_settings_in_the_given_order(capture, settings, expected: str) -> None:
    fingerprint = CustomFingerprint(ja3=JA3, h2_settings=settings, connection_flow=10420225)
    http2 = capture(fingerprint=fingerprint)["http2"]
    assert http2["akamai"] == f"{expected}|10420225|0|m,a,s,p"


def test_akamai_string_and_headers_priority(capture) -> None:
    fingerprint = CustomFingerprint(
        ja3=JA3,
        h2_settings=(("HEADER_TABLE_SIZE", 65536), ("INITIAL_WINDOW_SIZE", 131072)),
        connection_flow=12517377,
        priority_frames=(
            PriorityFrame(stream_id=3, depends_on=0, weight=201),
            PriorityFrame(stream_id=5, depends_on=0, weight=101),
            PriorityFrame(stream_id=7, depends_on=3, weight=1, exclusive=True),
        ),
        header_priority=PriorityFrame(stream_id=0, depends_on=0, weight=42, exclusive=False),
        pseudo_header_order=(":method", ":path", ":authority", ":scheme"),
    )
    http2 = capture(fingerprint=fingerprint)["http2"]
    assert http2["akamai"] == ("1:65536;4:131072|12517377|3:0:0:201,5:0:0:101,7:1:3:1|m,p,a,s")
    # The HEADERS frame carries the requested priority; its stream id is the next free one
    # after the PRIORITY frames (header_priority's stream_id is not sent).
    assert http2["headers_frame_priority"] == {
        "stream_id": 9,
        "exclusive": False,
        "depends_on": 0,
        "weight": 42,
    }


def test_minimal_http2_fingerprint(capture) -> None:
    fingerprint = CustomFingerprint(
        ja3=JA3,
        h2_settings=(("MAX_CONCURRENT_STREAMS", 1000),),
        pseudo_header_order=(":method", ":scheme", ":path", ":authority"),
    )
    http2 = capture(fingerprint=fingerprint)["http2"]
    settings, _, priority, pseudo = http2["akamai"].split("|")
    assert (settings, priority, pseudo) == ("3:1000", "0", "m,s,p,a")


@pytest.mark.parametrize("http2", [True, False], ids=["h2", "http1"])
def test_header_order_as_given(capture, http2: bool) -> None:
    # Headers a request adds go out in the order given, after the profile's browser headers;
    # a browser header the request overrides keeps its place.
    headers = [("X-Third", "3"), ("X-First", "1"), ("User-Agent", "custom"), ("X-Second", "2")]
    doc = capture(fingerprint=CustomFingerprint(ja3=JA3), headers=headers, http2=http2)
    sent = [(name.lower(), value) for name, value in doc["headers"]]
    assert [name for name, _ in sent][-3:] == ["x-third", "x-first", "x-second"]
    browser = [name.lower() for name, _ in default_headers("chrome_146", http2=http2)]
    names = [name for name, _ in sent if name != "host"]
    assert names[: len(browser)] == browser
    assert dict(sent)["user-agent"] == "custom"


@pytest.mark.parametrize("http2", [True, False], ids=["h2", "http1"])
def test_custom_default_headers_replace_the_browser_headers(capture, http2: bool) -> None:
    defaults = (("Accept", "*/*"), ("X-Client", "custom"), ("User-Agent", "custom-agent/1.0"))
    fingerprint = CustomFingerprint(ja3=JA3, headers=defaults)
    doc = capture(fingerprint=fingerprint, headers={"X-Client": "override"}, http2=http2)
    sent = [(name.lower(), value) for name, value in doc["headers"] if name.lower() != "host"]
    assert sent == [("accept", "*/*"), ("x-client", "override"), ("user-agent", "custom-agent/1.0")]
