from __future__ import annotations

import pytest

from tls_requests.fingerprint import ClientHello, ClientHelloError, is_grease, read_client_hello
from tls_requests.fingerprint.clienthello import GREASE_VALUES


def test_grease_table_matches_rfc_8701():
    grease = {
        0x0A0A, 0x1A1A, 0x2A2A, 0x3A3A, 0x4A4A, 0x5A5A, 0x6A6A, 0x7A7A,
        0x8A8A, 0x9A9A, 0xAAAA, 0xBABA, 0xCACA, 0xDADA, 0xEAEA, 0xFAFA,
    }  # fmt: skip
    assert frozenset(grease) == GREASE_VALUES
    assert all(is_grease(v) for v in grease)
    assert not any(is_grease(v) for v in (0x0000, 0x0A1A, 0x1A0A, 0x0A0B, 0xAAAB, 0x000A))


def test_parse_fields_in_wire_order(hb, spec):
    data = hb.hello(spec.ciphers, spec.extensions(grease=True))
    found = read_client_hello(data)
    assert found is not None
    hello, consumed = found
    assert consumed == len(data)
    assert hello.record_version == 0x0301
    assert hello.legacy_version == 0x0303
    assert hello.random == b"\x11" * 32
    assert hello.session_id == b"\x22" * 32
    assert hello.cipher_suites == tuple(spec.ciphers)
    assert hello.compression_methods == (0,)
    assert hello.extension_types == (0x0A0A, *spec.extension_order, 0xFAFA)
    assert hello.extensions[0].name == "grease"
    assert hello.extensions[1].name == "compress_certificate"
    assert hello.server_name == "example.com"
    assert hello.alpn_protocols == (b"h2", b"http/1.1")
    assert hello.supported_versions == (0x7A7A, 0x0304, 0x0303)
    assert hello.supported_groups == (0x2A2A, 0x001D, 0x0017, 0x0018)
    assert hello.ec_point_formats == (0,)
    assert hello.signature_algorithms == (0x1A1A, *spec.sigalgs)
    assert hello.key_share_groups == (0x2A2A, 0x001D)
    assert hello.psk_key_exchange_modes == (1,)
    assert hello.compress_certificate_algorithms == (2,)
    assert hello.application_settings == (b"h2",)
    assert hello.padding_length == 17
    assert hello.record_size_limit is None
    assert hello.raw == data[5:]


def test_new_alps_codepoint_preferred(hb):
    hello = ClientHello.parse(hb.message([0x1301], [hb.alps(17513, b"old"), hb.alps(17613, b"h2")]))
    assert hello.application_settings == (b"h2",)


def test_hello_without_extension_block(hb):
    hello = ClientHello.parse(hb.message([0x0004, 0x0005], None, legacy_version=0x0301))
    assert hello.extensions == ()
    assert hello.server_name is None
    assert hello.alpn_protocols == ()
    assert hello.padding_length is None


def test_fragmented_records_and_incremental_reads(hb, spec):
    message = hb.message(spec.ciphers, spec.extensions())
    data = hb.records(message, split=40) + b"\x17\x03\x03\x00\x01X"  # bytes after the hello
    for end in range(len(data) - 6):
        assert read_client_hello(data[:end]) is None
    found = read_client_hello(data)
    assert found is not None
    hello, consumed = found
    assert consumed == len(data) - 6
    assert hello.raw == message
    assert hello == ClientHello.parse(message, record_version=0x0301)


@pytest.mark.parametrize(
    "data",
    [
        b"GET / HTTP/1.1\r\n",
        b"G",
        b"\x16\x02\x00",
        b"\x17\x03\x03\x00\x05hello",
        b"\x16\x03\x01\x00\x04\x02\x00\x00\x00",  # a ServerHello
    ],
)
def test_not_a_client_hello(data):
    with pytest.raises(ClientHelloError):
        read_client_hello(data)


def test_oversized_hello_rejected():
    header = b"\x16\x03\x01\x40\x00" + b"\x01\xff\xff\xff"
    with pytest.raises(ClientHelloError):
        read_client_hello(header)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda m: m[:-1],  # truncated
        lambda m: m + b"\x00",  # trailing byte
        lambda m: m[:1] + (int.from_bytes(m[1:4], "big") + 1).to_bytes(3, "big") + m[4:],
    ],
)
def test_malformed_message(hb, mutate):
    message = hb.message([0x1301], [hb.sni("a.test")])
    with pytest.raises(ClientHelloError):
        ClientHello.parse(mutate(message))


def test_odd_extension_bodies_are_tolerated(hb):
    hello = ClientHello.parse(
        hb.message(
            [0x1301],
            [(0, b"\x00"), (16, b"\x00\x05\x02h"), (10, b"\x00\x03\x00\x1d\x00"), (51, b"\x00")],
        )
    )
    assert hello.extension_types == (0, 16, 10, 51)
    assert hello.server_name is None
    assert hello.alpn_protocols == ()
    assert hello.supported_groups == ()
    assert hello.key_share_groups == ()
