"""
JA4 cross-checked against an independent implementation: `ja4plus` from PyPI.

`ja4plus` parses raw TLS records itself (`parse_tls_handshake`) and computes JA4 with
its own code, so agreement checks both our parser and our math. The ClientHellos come
from synthetic builds and from real clients (Python's ssl, curl, openssl s_client)
connecting to the echo server by name.

Known, documented disagreement: for a first ALPN value whose first or last byte is not
ASCII alphanumeric, FoxIO's JA4.md prints the first and last characters of the value's
hex string; ja4plus (following a later ruling of its own maintainer) prints printable
bytes as themselves and `9` for bytes >= 0x80. We follow the spec; see
`test_non_alphanumeric_alpn_follows_the_spec`.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess

import pytest

from tls_requests.fingerprint import ClientHello, ja4, ja4_o, ja4_r, ja4_ro


def _ours(records: bytes) -> dict[str, str]:
    hello = ClientHello.parse(records[5:])
    return {
        "ja4": ja4(hello),
        "ja4_o": ja4_o(hello),
        "ja4_r": ja4_r(hello),
        "ja4_ro": ja4_ro(hello),
    }


def _synthetic(name, hb, spec):
    exts = spec.extensions()
    if name == "spec":
        return hb.hello(spec.ciphers, exts)
    if name == "spec-grease":
        return hb.hello([0x0A0A, *spec.ciphers], spec.extensions(grease=True))
    if name == "no-sigalgs":
        return hb.hello(spec.ciphers, spec.extensions(sigalgs=[]))
    if name == "no-sni-no-alpn":
        return hb.hello(spec.ciphers, [e for e in exts if e[0] not in (0, 16)])
    if name == "no-padding":
        return hb.hello(spec.ciphers, [e for e in exts if e[0] != 21])
    if name == "one-char-alpn":
        return hb.hello(spec.ciphers, [hb.alpn(b"x") if e[0] == 16 else e for e in exts])
    if name == "http11-first":
        return hb.hello(
            spec.ciphers, [hb.alpn(b"http/1.1", b"h2") if e[0] == 16 else e for e in exts]
        )
    if name == "tls12-only":
        return hb.hello(
            [0xC02F, 0xC030, 0x009C, 0x00FF],
            [hb.sni("a.test"), hb.supported_groups(23, 24), hb.ec_point_formats(0)],
        )
    if name == "reversed":
        return hb.hello(list(reversed(spec.ciphers)), list(reversed(exts)))
    raise AssertionError(name)


@pytest.mark.parametrize(
    "name",
    [
        "spec",
        "spec-grease",
        "no-sigalgs",
        "no-sni-no-alpn",
        "no-padding",
        "one-char-alpn",
        "http11-first",
        "tls12-only",
        "reversed",
    ],
)
def test_synthetic_hellos_agree(ja4plus, hb, spec, name):
    records = _synthetic(name, hb, spec)
    assert _ours(records) == ja4plus.fingerprints(records)


def test_spec_vector_through_ja4plus(ja4plus, hb, spec):
    theirs = ja4plus.fingerprints(hb.hello(spec.ciphers, spec.extensions()))
    assert theirs["ja4"] == "t13d1516h2_8daaf6152771_e5627efa2ab1"
    assert theirs["ja4_o"] == "t13d1516h2_acb858a92679_18f69afefd3d"


def test_non_alphanumeric_alpn_follows_the_spec(ja4plus, hb):
    records = hb.hello([0x1301], [hb.sni("a.test"), hb.alpn(b"\x30\xab")])
    ours, theirs = _ours(records), ja4plus.fingerprints(records)
    assert ours["ja4"].split("_")[0] == "t12d0102" + "3b"  # JA4.md: 0x30 0xAB -> "3b"
    # Everything except the two ALPN characters still agrees.
    assert ours["ja4"][:8] == theirs["ja4"][:8]
    assert ours["ja4"].split("_")[1:] == theirs["ja4"].split("_")[1:]


# ---------------------------------------------------------------------------------
# Real clients
# ---------------------------------------------------------------------------------


def _python_ssl(server, alpn, max_version=None):
    context = ssl.create_default_context(cafile=server.ca_path)
    if alpn:
        context.set_alpn_protocols(alpn)
    if max_version is not None:
        context.maximum_version = max_version
    raw = socket.create_connection(("localhost", server.port), timeout=5)
    with raw, context.wrap_socket(raw, server_hostname="localhost"):
        pass


def _run(args):
    result = subprocess.run(args, input=b"", capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr


CLIENTS = {
    "python-h2": lambda s: _python_ssl(s, ["h2", "http/1.1"]),
    "python-no-alpn": lambda s: _python_ssl(s, None),
    "python-tls12": lambda s: _python_ssl(s, ["http/1.1"], ssl.TLSVersion.TLSv1_2),
    "curl-h2": lambda s: _run(["curl", "-sS", "--http2", "--cacert", s.ca_path, s.url]),
    "curl-h1": lambda s: _run(["curl", "-sS", "--http1.1", "--cacert", s.ca_path, s.url]),
    "openssl": lambda s: _run(
        ["openssl", "s_client", "-connect", f"localhost:{s.port}", "-servername", "localhost"]
        + ["-alpn", "h2,http/1.1", "-CAfile", s.ca_path]
    ),
    "openssl-tls12": lambda s: _run(
        ["openssl", "s_client", "-connect", f"localhost:{s.port}", "-servername", "localhost"]
        + ["-tls1_2", "-CAfile", s.ca_path]
    ),
}


@pytest.mark.parametrize("client", list(CLIENTS))
def test_real_clients_agree(ja4plus, fp_server, client):
    tool = client.split("-")[0]
    if tool != "python" and shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    CLIENTS[client](fp_server)
    info = fp_server.wait_for_connection()
    tls = info["tls"]
    assert tls is not None
    raw = bytes.fromhex(tls["client_hello"]["raw"])
    records = b"\x16" + tls["client_hello"]["record_version"].to_bytes(2, "big")
    records += len(raw).to_bytes(2, "big") + raw
    theirs = ja4plus.fingerprints(records)
    ours = {key: tls[key] for key in ("ja4", "ja4_o", "ja4_r", "ja4_ro")}
    assert ours == theirs
    assert ours["ja4"][3] == "d"  # connected by name
    if client.endswith("tls12"):
        assert ours["ja4"].startswith("t12d")
