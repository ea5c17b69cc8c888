"""JA4 against the vectors and rules of FoxIO's technical_details/JA4.md."""

from __future__ import annotations

import hashlib

import pytest

from tls_requests.fingerprint import ClientHello, ja4, ja4_o, ja4_r, ja4_ro
from tls_requests.fingerprint.ja4 import alpn_code, version_code

SPEC_JA4 = "t13d1516h2_8daaf6152771_e5627efa2ab1"
SPEC_JA4_O = "t13d1516h2_acb858a92679_18f69afefd3d"
SPEC_JA4_R = (
    "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
    "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
    "0403,0804,0401,0503,0805,0501,0806,0601"
)
SPEC_JA4_RO = (
    "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_"
    "001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_"
    "0403,0804,0401,0503,0805,0501,0806,0601"
)


def _parse(hb, ciphers, extensions, **kw):
    return ClientHello.parse(hb.message(ciphers, extensions, **kw))


@pytest.fixture
def spec_hello(hb, spec):
    return _parse(hb, spec.ciphers, spec.extensions())


def test_spec_vector(spec_hello):
    assert ja4(spec_hello) == SPEC_JA4
    assert ja4_o(spec_hello) == SPEC_JA4_O
    assert ja4_r(spec_hello) == SPEC_JA4_R
    assert ja4_ro(spec_hello) == SPEC_JA4_RO


def test_spec_vector_without_signature_algorithms(hb, spec):
    # JA4.md: "If there are no signature algorithms ... the string ends without an
    # underscore" - 0005,...,ff01 = 6d807ffa2a79.
    hello = _parse(hb, spec.ciphers, spec.extensions(sigalgs=[]))
    assert ja4(hello) == "t13d1516h2_8daaf6152771_6d807ffa2a79"
    assert ja4_r(hello).endswith(
        "_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01"
    )


def test_grease_ignored_everywhere(hb, spec):
    # GREASE in ciphers, extensions, supported_versions, groups, key shares and sigalgs.
    hello = _parse(hb, [0x3A3A, *spec.ciphers], spec.extensions(grease=True))
    assert hello.cipher_suites[0] == 0x3A3A and hello.signature_algorithms[0] == 0x1A1A
    assert ja4(hello) == SPEC_JA4
    assert ja4_o(hello) == SPEC_JA4_O
    assert ja4_r(hello) == SPEC_JA4_R
    assert ja4_ro(hello) == SPEC_JA4_RO


def test_sni_and_alpn_counted_in_a_but_not_hashed_in_c(hb, spec):
    without = [e for e in spec.extensions() if e[0] not in (0x0000, 0x0010)]
    hello = _parse(hb, spec.ciphers, without)
    # 15 ciphers, 14 extensions, no SNI ("i"), no ALPN ("00"); part c unchanged.
    assert ja4(hello) == "t13i151400_8daaf6152771_e5627efa2ab1"
    # The original-order variant keeps SNI/ALPN, so its part c does change.
    assert ja4_o(hello).split("_")[2] != SPEC_JA4_O.split("_")[2]


def test_padding_kept_in_part_c(hb, spec):
    without_padding = [e for e in spec.extensions() if e[0] != 0x0015]
    hello = _parse(hb, spec.ciphers, without_padding)
    exts = "0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,4469,ff01"
    sigs = "0403,0804,0401,0503,0805,0501,0806,0601"
    expected_c = hashlib.sha256(f"{exts}_{sigs}".encode()).hexdigest()[:12]
    assert ja4(hello) == f"t13d1515h2_8daaf6152771_{expected_c}"
    assert expected_c != SPEC_JA4.split("_")[2]


def test_signature_algorithms_keep_wire_order(hb, spec):
    reordered = _parse(hb, spec.ciphers, spec.extensions(sigalgs=list(reversed(spec.sigalgs))))
    assert ja4(reordered).split("_")[2] != SPEC_JA4.split("_")[2]
    assert ja4_r(reordered).endswith("_" + ",".join(f"{s:04x}" for s in reversed(spec.sigalgs)))


def test_cipher_and_extension_order_do_not_change_ja4(hb, spec):
    hello = _parse(hb, list(reversed(spec.ciphers)), list(reversed(spec.extensions())))
    assert ja4(hello) == SPEC_JA4
    assert ja4_o(hello) != SPEC_JA4_O


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (b"h2", "h2"),
        (b"http/1.1", "h1"),
        (b"h3", "h3"),
        (b"h", "hh"),  # one character counts as first and last
        (b"", "00"),
        (None, "00"),
        # JA4.md's non-alphanumeric examples: use the hex string's first/last chars.
        (b"\xab", "ab"),
        (b"\xab\xcd", "ad"),
        (b"\x30\xab", "3b"),
        (b"\x30\x31\xab\xcd", "3d"),
        (b"\x30\xab\xcd\x31", "01"),
        (b"/h2", "22"),  # "/" is printable but not alphanumeric: 2f6832 -> "22"
    ],
)
def test_alpn_code(value, code):
    assert alpn_code(value) == code


def test_alpn_uses_first_value_only(hb):
    hello = _parse(hb, [0x1301], [hb.alpn(b"http/1.1", b"h2")])
    assert ja4(hello).startswith("t12i0101h1_")


def test_empty_alpn_extension_is_00(hb):
    hello = _parse(hb, [0x1301], [(16, b"\x00\x00")])
    assert ja4(hello)[:10] == "t12i010100"


@pytest.mark.parametrize(
    ("versions", "legacy", "code"),
    [
        ([0x0304, 0x0303], 0x0303, "13"),
        ([0x0303, 0x0304], 0x0303, "13"),  # highest, not first
        ([0x5A5A, 0x0303], 0x0303, "12"),  # GREASE is not a version
        (None, 0x0303, "12"),
        (None, 0x0302, "11"),
        (None, 0x0301, "10"),
        (None, 0x0300, "s3"),
        (None, 0x0002, "s2"),
        (None, 0xFEFD, "d2"),
        (None, 0x1234, "00"),
    ],
)
def test_version(hb, versions, legacy, code):
    extensions = [hb.supported_versions(*versions)] if versions else []
    hello = _parse(hb, [0x1301], extensions, legacy_version=legacy)
    assert version_code(hello) == code
    assert ja4(hello)[1:3] == code


def test_counts_capped_at_99(hb):
    ciphers = list(range(1, 121))
    extensions = [(0x1000 + i, b"") for i in range(130)]
    hello = _parse(hb, ciphers, extensions)
    assert ja4(hello)[:10] == "t12i999900"


def test_scsv_counted(hb):
    hello = _parse(hb, [0x1301, 0x00FF, 0x5600, 0x2A2A], [])
    assert ja4(hello)[4:6] == "03"


def test_empty_lists_give_zero_hashes(hb):
    hello = _parse(hb, [], [])
    assert ja4(hello) == "t12i000000_000000000000_000000000000"
    assert ja4_o(hello) == "t12i000000_000000000000_000000000000"
    assert ja4_r(hello) == "t12i000000__"
