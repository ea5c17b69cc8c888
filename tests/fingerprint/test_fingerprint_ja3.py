from __future__ import annotations

from tls_requests.fingerprint import ClientHello, ja3, ja3_hash, ja3n, ja3n_hash


def _parse(hb, ciphers, extensions, **kw):
    return ClientHello.parse(hb.message(ciphers, extensions, **kw))


def test_ja3_readme_vector_with_extensions(hb):
    # salesforce/ja3 README: 769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0
    hello = _parse(
        hb,
        [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
        [hb.sni("example.com"), hb.supported_groups(23, 24, 25), hb.ec_point_formats(0)],
        legacy_version=769,
    )
    assert ja3(hello) == "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"
    assert ja3_hash(hello) == "ada70206e40642a3e4461f35503241d5"


def test_ja3_readme_vector_without_extensions(hb):
    # salesforce/ja3 README: missing fields stay empty.
    hello = _parse(hb, [4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99], None, legacy_version=769)
    assert ja3(hello) == "769,4-5-10-9-100-98-3-6-19-18-99,,,"
    assert ja3_hash(hello) == "de350869b8c85de67a350c8d186f11e6"


def test_grease_removed_from_ciphers_extensions_and_curves(hb):
    plain = _parse(
        hb,
        [0x1301, 0x1302],
        [hb.sni("a.test"), hb.supported_groups(29, 23), hb.ec_point_formats(0), hb.padding(3)],
    )
    greased = _parse(
        hb,
        [0x0A0A, 0x1301, 0x1302],
        [
            (0x1A1A, b""),
            hb.sni("a.test"),
            hb.supported_groups(0x2A2A, 29, 23),
            hb.ec_point_formats(0),
            hb.padding(3),
            (0xFAFA, b"\x00"),
        ],
    )
    assert ja3(plain) == ja3(greased) == "771,4865-4866,0-10-11-21,29-23,0"
    assert ja3_hash(plain) == ja3_hash(greased)


def test_ja3_uses_legacy_version_not_supported_versions(hb):
    hello = _parse(hb, [0x1301], [hb.supported_versions(0x0304)])
    assert ja3(hello).startswith("771,")


def test_ja3n_sorts_extensions_only(hb):
    extensions = [
        hb.empty(23),
        hb.sni("a.test"),
        hb.empty(65281),
        hb.supported_groups(29),
        hb.ec_point_formats(0, 1, 2),
        hb.empty(35),
    ]
    hello = _parse(hb, [0xC02B, 0x1301], extensions)
    reordered = _parse(hb, [0xC02B, 0x1301], list(reversed(extensions)))
    assert ja3(hello) == "771,49195-4865,23-0-65281-10-11-35,29,0-1-2"
    assert ja3n(hello) == "771,49195-4865,0-10-11-23-35-65281,29,0-1-2"
    assert ja3(hello) != ja3(reordered)
    assert ja3n(hello) == ja3n(reordered)
    assert ja3n_hash(hello) == ja3n_hash(reordered)
