"""
A local fingerprint echo server and the fingerprint math behind it.

* `FingerprintServer` - loopback HTTPS (HTTP/1.1 and HTTP/2) server that answers every
  request with the client's JA3, JA3N, JA4 and Akamai HTTP/2 fingerprints as JSON.
* `fingerprint("chrome_131")` - what a server sees for a `tls_requests` profile;
  also `python -m tls_requests.fingerprint chrome_131`.
* Pure functions: `ClientHello.parse`, `ja3`, `ja3n`, `ja4` (+ `_r`, `_o`, `_ro`),
  `Http2Recorder` / `akamai_string`, `tls_report` / `http2_report`.

This subpackage never imports the HTTP client, so it works before the native library
is built.
"""

from __future__ import annotations

from ._probe import fingerprint, summary_line
from ._report import (
    FingerprintDocument,
    HTTP2Report,
    TLSReport,
    http2_report,
    tls_report,
)
from .akamai import HeaderBlock, Http2Error, Http2Recorder, Priority, akamai_string
from .clienthello import ClientHello, ClientHelloError, Extension, is_grease, read_client_hello
from .ja3 import ja3, ja3_hash, ja3n, ja3n_hash
from .ja4 import ja4, ja4_o, ja4_r, ja4_ro
from .server import ConnectionInfo, FingerprintServer

__all__ = [
    "ClientHello",
    "ClientHelloError",
    "ConnectionInfo",
    "Extension",
    "FingerprintDocument",
    "FingerprintServer",
    "HTTP2Report",
    "HeaderBlock",
    "Http2Error",
    "Http2Recorder",
    "Priority",
    "TLSReport",
    "akamai_string",
    "fingerprint",
    "http2_report",
    "is_grease",
    "ja3",
    "ja3_hash",
    "ja3n",
    "ja3n_hash",
    "ja4",
    "ja4_o",
    "ja4_r",
    "ja4_ro",
    "read_client_hello",
    "summary_line",
    "tls_report",
]
