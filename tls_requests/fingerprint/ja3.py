"""
JA3 and JA3N (salesforce/ja3 README; JA3N as published by tls.browserleaks.com).

`SSLVersion,Ciphers,Extensions,EllipticCurves,EcPointFormats`, decimal values joined by
`-`, fields by `,`, GREASE removed from ciphers, extensions and curves. JA3N is the same
string with the extension field sorted ascending, which makes it stable against the
extension permutation of Chrome 110+.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .clienthello import ClientHello, is_grease

__all__ = ["ja3", "ja3_hash", "ja3n", "ja3n_hash", "md5_hex"]


def md5_hex(text: str) -> str:
    # JA3 uses MD5 as a label, not for security; say so for FIPS-mode interpreters.
    return hashlib.md5(text.encode("ascii"), usedforsecurity=False).hexdigest()


def _join(values: Iterable[int]) -> str:
    return "-".join(str(value) for value in values)


def _ja3(hello: ClientHello, *, sort_extensions: bool) -> str:
    extensions = [ext for ext in hello.extension_types if not is_grease(ext)]
    if sort_extensions:
        extensions.sort()
    return ",".join(
        [
            # The legacy client_version, not supported_versions: TLS 1.3 clients give 771.
            str(hello.legacy_version),
            _join(c for c in hello.cipher_suites if not is_grease(c)),
            _join(extensions),
            _join(g for g in hello.supported_groups if not is_grease(g)),
            _join(hello.ec_point_formats),
        ]
    )


def ja3(hello: ClientHello) -> str:
    """
    Return the JA3 string, e.g. `771,4865-4866-...,0-23-65281-...,29-23-24,0`.
    """
    return _ja3(hello, sort_extensions=False)


def ja3_hash(hello: ClientHello) -> str:
    """Return the MD5 of the JA3 string, lower-case hex."""
    return md5_hex(ja3(hello))


def ja3n(hello: ClientHello) -> str:
    """
    Return the JA3N string: JA3 with the extension list sorted ascending.
    """
    return _ja3(hello, sort_extensions=True)


def ja3n_hash(hello: ClientHello) -> str:
    """Return the MD5 of the JA3N string, lower-case hex."""
    return md5_hex(ja3n(hello))
