"""
JA4 TLS client fingerprint, as FoxIO's `technical_details/JA4.md` defines it.

`a_b_c` where

* **a** = protocol (`t`: TLS over TCP, the only transport this server sees), version
  (highest non-GREASE supported_versions entry, else the legacy version), `d`/`i` (SNI
  extension present or not), cipher count and extension count (two digits, capped at
  99, GREASE not counted, SNI and ALPN counted) and the ALPN code;
* **b** = `sha256` of the sorted 4-hex cipher list, first 12 characters;
* **c** = `sha256` of the sorted 4-hex extension list without SNI (0000) and ALPN
  (0010), then `_` and the signature algorithms in wire order; padding (0015) is kept.

GREASE is removed everywhere, signature algorithms included (the FoxIO reference does
the same). `ja4_o`/`ja4_ro` keep wire order and keep SNI and ALPN; `_r` variants show
the lists before hashing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .clienthello import ClientHello, is_grease

__all__ = ["alpn_code", "ja4", "ja4_o", "ja4_r", "ja4_ro", "version_code"]

_VERSION_CODES: dict[int, str] = {
    0x0304: "13",
    0x0303: "12",
    0x0302: "11",
    0x0301: "10",
    0x0300: "s3",
    0x0002: "s2",
    0xFEFF: "d1",
    0xFEFD: "d2",
    0xFEFC: "d3",
}
_EMPTY_HASH = "000000000000"
_SNI = 0x0000
_ALPN = 0x0010


def version_code(hello: ClientHello) -> str:
    """Return the two-character version of part a (`13`, `12`, ..., `00` if unknown)."""
    versions = [v for v in hello.supported_versions if not is_grease(v)]
    # The record-layer version is ignored; supported_versions wins when it has a value.
    version = max(versions) if versions else hello.legacy_version
    return _VERSION_CODES.get(version, "00")


def _is_alnum(byte: int) -> bool:
    return 0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A


def alpn_code(first_protocol: bytes | None) -> str:
    """
    Return the ALPN characters of part a for the first ALPN value.

    `00` when there is no value or it is empty; the first and last characters (one
    character counts as both); if the first or last byte is not ASCII alphanumeric,
    the first and last characters of the value's hex string instead (`0x30 0xAB` ->
    `3b`).
    """
    if not first_protocol:
        return "00"
    first, last = first_protocol[0], first_protocol[-1]
    if _is_alnum(first) and _is_alnum(last):
        return chr(first) + chr(last)
    hex_value = first_protocol.hex()
    return hex_value[0] + hex_value[-1]


def _hash12(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:12]


def _hex_list(values: Iterable[int]) -> str:
    return ",".join(f"{value:04x}" for value in values)


def _part_a(hello: ClientHello) -> str:
    ciphers = [c for c in hello.cipher_suites if not is_grease(c)]
    extensions = [e for e in hello.extension_types if not is_grease(e)]
    sni = "d" if _SNI in extensions else "i"
    protocols = hello.alpn_protocols
    alpn = alpn_code(protocols[0] if protocols else None)
    return (
        f"t{version_code(hello)}{sni}"
        f"{min(len(ciphers), 99):02d}{min(len(extensions), 99):02d}{alpn}"
    )


def _lists(hello: ClientHello, *, original_order: bool) -> tuple[str, str]:
    """Return the raw cipher list and the raw `extensions[_sigalgs]` string."""
    ciphers = [c for c in hello.cipher_suites if not is_grease(c)]
    extensions = [e for e in hello.extension_types if not is_grease(e)]
    if not original_order:
        ciphers.sort()
        # SNI and ALPN are already in part a; dropping them keeps part c equal whether
        # the client went to a name or an IP and whichever ALPN it offered.
        extensions = sorted(e for e in extensions if e not in (_SNI, _ALPN))
    sigalgs = [s for s in hello.signature_algorithms if not is_grease(s)]
    ext_sig = _hex_list(extensions)
    if sigalgs:
        ext_sig += "_" + _hex_list(sigalgs)
    elif not extensions:
        ext_sig = ""
    return _hex_list(ciphers), ext_sig


def ja4(hello: ClientHello) -> str:
    """
    Return the JA4 fingerprint, e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1`.
    """
    return _hashed(hello, original_order=False)


def ja4_o(hello: ClientHello) -> str:
    """Return JA4 computed over wire order, SNI and ALPN kept (FoxIO `ja4_o`)."""
    return _hashed(hello, original_order=True)


def ja4_r(hello: ClientHello) -> str:
    """Return the raw JA4 (sorted lists before hashing)."""
    return _raw(hello, original_order=False)


def ja4_ro(hello: ClientHello) -> str:
    """Return the raw JA4 in wire order, SNI and ALPN kept (FoxIO `ja4_ro`)."""
    return _raw(hello, original_order=True)


def _hashed(hello: ClientHello, *, original_order: bool) -> str:
    ciphers, ext_sig = _lists(hello, original_order=original_order)
    # An empty list gives a visible all-zero value rather than the hash of "".
    part_b = _hash12(ciphers) if ciphers else _EMPTY_HASH
    part_c = _hash12(ext_sig) if ext_sig else _EMPTY_HASH
    return f"{_part_a(hello)}_{part_b}_{part_c}"


def _raw(hello: ClientHello, *, original_order: bool) -> str:
    ciphers, ext_sig = _lists(hello, original_order=original_order)
    return f"{_part_a(hello)}_{ciphers}_{ext_sig}"
