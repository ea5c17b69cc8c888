"""
The real `tls_requests.Client` against the echo server. Expected values are the public ones
for tls-client's profiles: with shuffling turned off, chrome_131 keeps tls-client's fixed
extension order, so even its JA3 is stable.
"""

from __future__ import annotations

import importlib

import pytest

from tls_requests.fingerprint import fingerprint


@pytest.fixture(scope="module")
def real_client() -> None:
    # The native library is built by the install command: a missing one must fail, not skip.
    importlib.import_module("tls_requests").Client(client_identifier="chrome_131").close()


def test_chrome_131(real_client):
    # tls-client's chrome_131 order, unshuffled (real Chrome shuffles; see docs/profiles.md).
    doc = fingerprint("chrome_131", random_tls_extension_order=False)
    tls, http2 = doc["tls"], doc["http2"]
    assert doc["http_version"] == "h2"
    assert tls["ja4"] == "t13d1516h2_8daaf6152771_02713d6af862"
    assert tls["ja3_hash"].startswith("a19ab9f0")
    assert http2 is not None
    assert http2["akamai"] == "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p"
    assert http2["akamai_hash"] == "52d84b11737d980aef856699f885ca86"
    assert http2["headers_frame_priority"] == {
        "stream_id": 1,
        "exclusive": True,
        "depends_on": 0,
        "weight": 256,
    }


def test_http1_only(real_client):
    doc = fingerprint("chrome_131", http2=False)
    assert doc["http_version"] == "http/1.1"
    assert doc["tls"]["ja4"] == "t13d1516h1_8daaf6152771_02713d6af862"
    assert doc["headers"][0][0] == "Host"


@pytest.mark.parametrize("profile", ["chrome_133", "firefox_133", "safari_ios_18_0"])
def test_profiles_agree_with_ja4plus(real_client, ja4plus, profile):
    tls = fingerprint(profile)["tls"]
    raw = bytes.fromhex(tls["client_hello"]["raw"])
    records = b"\x16\x03\x01" + len(raw).to_bytes(2, "big") + raw
    assert ja4plus.fingerprints(records) == {k: tls[k] for k in ("ja4", "ja4_o", "ja4_r", "ja4_ro")}
