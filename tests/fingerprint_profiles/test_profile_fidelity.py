"""
Every profile family against the real browser it is named after.

For the newest and an older profile of Chrome, Firefox, Safari (macOS) and Safari (iOS), and
for OkHttp, the local echo server must see the JA4, JA3N and Akamai HTTP/2 fingerprint that
real-browser captures published. Each reference below names its source next to the value.

Conventions (docs/fingerprint.md): JA4 exactly as FoxIO's spec (padding kept in part c, as
tls.browserleaks.com computes it); JA3N = JA3 with the extensions sorted; Akamai with numeric
setting ids (`8:1`, the browserleaks / curl-impersonate form). JA3 itself is asserted only for
browsers with a fixed extension order (Safari, OkHttp): Chrome permutes its extensions.

Where a profile of tls-client v1.15.1 differed from its browser, tls_requests ships a corrected
profile under the same name (go/internal/bridge/corrected_profiles.go, docs/profiles.md); these
tests run against the corrected ones.
"""

from __future__ import annotations

import dataclasses

import pytest

from tls_requests._profiles import default_headers

# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------

# scrape-hub/koon's fingerprint self-test: JA4/JA3N/JA3/Akamai of real browsers, captured with
# tls.browserleaks.com and raw ClientHello captures ("Reference captured from the real browser").
KOON = (
    "https://github.com/scrape-hub/koon/blob/061c347868711cc6aee0cd9e9fcc0553cde9537a/"
    "crates/core/src/verify.rs"
)
# FoxIO's JA4 mapping (real Chromium).
FOXIO = (
    "https://github.com/FoxIO-LLC/ja4/blob/09c1fac13ebcd2d99723439bee57927e410a47a7/"
    "ja4plus-mapping.csv"
)
# curl-impersonate's captured browser signatures (ClientHello, HTTP/2 frames, third-party
# JA3N/Akamai from tls.browserleaks.com) and its per-browser wrapper scripts.
CURL_IMPERSONATE = "https://github.com/lexiforest/curl-impersonate/blob/"
CHROME_131_YAML = (
    CURL_IMPERSONATE + "1f463412ebf175fa77a0647a35f5095cb479fa68/"
    "tests/signatures/chrome_131.0.6778.86.yaml"
)
CHROME_149_YAML = (
    CURL_IMPERSONATE + "796adf57aae5f443d35856ac8810d73f38eb59a7/"
    "tests/signatures/chrome_149.0.7827.102.yaml"
)
FIREFOX_133_TARGET = (
    CURL_IMPERSONATE + "280150fd4b7f63d9ac1e401df20ce3cfb1ce06aa/bin/curl_firefox133"
)
FIREFOX_147_TARGET = (
    CURL_IMPERSONATE + "280150fd4b7f63d9ac1e401df20ce3cfb1ce06aa/bin/curl_firefox147"
)
SAFARI_18_IOS_YAML = (
    CURL_IMPERSONATE + "3633069424b030cee6f33243095b1923b18bc50d/"
    "tests/signatures/safari_18.0_iOS.yaml"
)
LWTHIKER = "https://github.com/lwthiker/curl-impersonate/blob/"
SAFARI_15_5_YAML = (
    LWTHIKER
    + "63486b84739bda22b99e39936b2d718eb4b7ceb0/tests/signatures/safari_15.5_macos12.4.yaml"
)
SAFARI_17_2_IOS_YAML = (
    LWTHIKER + "a0ab4516cc863f651b7a83d10c331eb3c5626b58/tests/signatures/safari_17.2_iOS.yaml"
)
KOON_SAFARI_HEADERS = (
    "https://github.com/scrape-hub/koon/blob/061c347868711cc6aee0cd9e9fcc0553cde9537a/"
    "crates/core/src/profile/safari/headers.rs"
)
KOON_FIREFOX = (
    "https://github.com/scrape-hub/koon/blob/061c347868711cc6aee0cd9e9fcc0553cde9537a/"
    "crates/core/src/profile/firefox.rs"
)
OKHTTP_BRIDGE = (
    "https://github.com/square/okhttp/blob/0b5dbaff96ee65b02bfb93d0c3a4fe31dd192bb1/"
    "okhttp/src/main/kotlin/okhttp3/internal/http/BridgeInterceptor.kt"
)


@dataclasses.dataclass(frozen=True)
class Reference:
    ja4: str
    ja3n_hash: str
    akamai: str
    source: str
    ja3_hash: str | None = None  # only for browsers that do not permute extensions


CHROMIUM_AKAMAI = "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p"
FIREFOX_AKAMAI = "1:65536;2:0;4:131072;5:16384|12517377|0|m,p,a,s"
SAFARI_JA3N = "44f7ed5185d22c92b96da72dbe68d307"
SAFARI_JA3 = "773906b0efdefa24a7f2b8eb6985bf37"

REFERENCES: dict[str, Reference] = {
    # Newest Chrome. KOON CHROMIUM_NEW_ALPS: "Chromium 135-149 (ALPS codepoint 0x44CD): real
    # Chrome 135-140, Chrome 135-149 on Android ... captures". Chrome 146 itself: CHROME_149_YAML
    # (JA4 t13d1516h2_8daaf6152771_d8a2da3f94cd and Akamai hash 52d84b11... of a real Chrome 149
    # via tls.peet.ws; "byte-identical to Chrome 142/146").
    "chrome_146": Reference(
        ja4="t13d1516h2_8daaf6152771_d8a2da3f94cd",  # KOON CHROMIUM_NEW_ALPS; CHROME_149_YAML
        ja3n_hash="8e19337e7524d2573be54efb2b0784c9",  # KOON CHROMIUM_NEW_ALPS
        akamai=CHROMIUM_AKAMAI,  # KOON CHROMIUM_AKAMAI_TEXT; CHROME_149_YAML frames
        source=f"{KOON} (CHROMIUM_NEW_ALPS); {CHROME_149_YAML}",
    ),
    # Older Chrome. KOON CHROMIUM_OLD_ALPS: "real Chrome 131-134 captures".
    "chrome_131": Reference(
        ja4="t13d1516h2_8daaf6152771_02713d6af862",  # KOON CHROMIUM_OLD_ALPS; FOXIO "Chromium"
        ja3n_hash="dee19b855b658c6aa0f575eda2525e19",  # KOON; CHROME_131_YAML third_party
        akamai=CHROMIUM_AKAMAI,  # CHROME_131_YAML third_party.akamai_text
        source=f"{KOON} (CHROMIUM_OLD_ALPS); {FOXIO}; {CHROME_131_YAML}",
    ),
    # Newest Firefox: KOON FIREFOX_135, "Firefox 135-150: real Firefox captures" (the same
    # ClientHello in every one of these versions, so it covers 135, 147 and 148).
    "firefox_148": Reference(
        ja4="t13d1717h2_5b57614c22b0_3cbfd9057e0d",  # KOON FIREFOX_135
        ja3n_hash="e4147a4860c1f347354f0a84d8787c02",  # KOON FIREFOX_135
        akamai=FIREFOX_AKAMAI,  # KOON FIREFOX_AKAMAI_TEXT; FIREFOX_147_TARGET --http2-*
        source=f"{KOON} (FIREFOX_135); {FIREFOX_147_TARGET}",
    ),
    "firefox_147": Reference(
        ja4="t13d1717h2_5b57614c22b0_3cbfd9057e0d",  # KOON FIREFOX_135
        ja3n_hash="e4147a4860c1f347354f0a84d8787c02",  # KOON FIREFOX_135
        akamai=FIREFOX_AKAMAI,  # KOON FIREFOX_AKAMAI_TEXT
        source=f"{KOON} (FIREFOX_135); {FIREFOX_147_TARGET}",
    ),
    "firefox_135": Reference(
        ja4="t13d1717h2_5b57614c22b0_3cbfd9057e0d",  # KOON FIREFOX_135
        ja3n_hash="e4147a4860c1f347354f0a84d8787c02",  # KOON FIREFOX_135
        akamai=FIREFOX_AKAMAI,  # KOON FIREFOX_AKAMAI_TEXT
        source=f"{KOON} (FIREFOX_135)",
    ),
    # Older Firefox. No capture of desktop Firefox 133 publishes JA4/JA3N; the closest
    # documented one is KOON FIREFOX_ANDROID_146 ("Firefox 146-150 on Android (without
    # signed_certificate_timestamp)"): desktop Firefox's ClientHello without SCT, which is
    # exactly what FIREFOX_133_TARGET (curl-impersonate's Firefox 133.0.3 target: the same 17
    # ciphers, groups and signature algorithms, extension order
    # 0-23-65281-10-11-35-16-5-34-51-43-13-45-28-27-65037, no SCT) describes. The Akamai
    # string is desktop Firefox's (FIREFOX_133_TARGET --http2-settings/--http2-window-update/
    # --http2-pseudo-headers-order mpas), not Android's.
    "firefox_133": Reference(
        ja4="t13d1716h2_5b57614c22b0_eeeea6562960",  # KOON FIREFOX_ANDROID_146 (closest)
        ja3n_hash="90634f51dcf65fc506946108904d6913",  # KOON FIREFOX_ANDROID_146 (closest)
        akamai=FIREFOX_AKAMAI,  # FIREFOX_133_TARGET
        source=f"{KOON} (FIREFOX_ANDROID_146, closest documented); {FIREFOX_133_TARGET}",
    ),
    # Newest (and only-one-newer) macOS Safari profile, 16.0, and the older 15.6.1:
    # KOON SAFARI_MACOS_12_13, "real Safari 15.6 on macOS 12.5, 16.0
    # (Safari16.0MontereyAuto.pkg, Apple-signed) and 15.6.1 on macOS 12.6, and 16.1 on macOS 13.0".
    "safari_16_0": Reference(
        ja4="t13d2014h2_a09f3c656075_14788d8d241b",  # KOON SAFARI_SHA1_JA4
        ja3n_hash=SAFARI_JA3N,  # KOON SAFARI_JA3N
        akamai="4:4194304;3:100|10485760|0|m,s,p,a",  # KOON SAFARI_MACOS_12_13
        ja3_hash=SAFARI_JA3,  # KOON SAFARI_JA3
        source=f"{KOON} (SAFARI_MACOS_12_13)",
    ),
    "safari_15_6_1": Reference(
        ja4="t13d2014h2_a09f3c656075_14788d8d241b",  # KOON SAFARI_SHA1_JA4
        ja3n_hash=SAFARI_JA3N,  # KOON SAFARI_JA3N
        akamai="4:4194304;3:100|10485760|0|m,s,p,a",  # KOON SAFARI_MACOS_12_13
        ja3_hash=SAFARI_JA3,  # KOON SAFARI_JA3
        source=f"{KOON} (SAFARI_MACOS_12_13)",
    ),
    # Newest iOS Safari. KOON SAFARI_26: "real Safari 26.1 to 26.5, 26.6.2 and 27.0 on macOS
    # 26.1 to 27.0, and the iOS 26.0 to 27.0 simulators" (X25519MLKEM768, so the hello is
    # longer than 512 bytes and carries no padding: 13 extensions).
    "safari_ios_26_0": Reference(
        ja4="t13d2013h2_a09f3c656075_7f0f34a4126d",  # KOON SAFARI_26
        ja3n_hash="63eaa93caec132011d68ceb96955c1ee",  # KOON SAFARI_26
        akamai="2:0;3:100;4:2097152;9:1|10420225|0|m,s,a,p",  # KOON SAFARI_AKAMAI_TEXT
        ja3_hash="ecdf4f49dd59effc439639da29186671",  # KOON SAFARI_26
        source=f"{KOON} (SAFARI_26)",
    ),
    # KOON SAFARI_15_4: "the iOS 18.4 and 18.5 simulators" (no ecdsa_sha1).
    "safari_ios_18_5": Reference(
        ja4="t13d2014h2_a09f3c656075_e42f34c56612",  # KOON SAFARI_SEQUOIA_JA4
        ja3n_hash=SAFARI_JA3N,  # KOON SAFARI_JA3N
        akamai="2:0;3:100;4:2097152;9:1|10420225|0|m,s,a,p",  # KOON SAFARI_AKAMAI_TEXT
        ja3_hash=SAFARI_JA3,  # KOON SAFARI_JA3
        source=f"{KOON} (SAFARI_15_4)",
    ),
    # Older iOS Safari. KOON SAFARI_15_1: "the iOS 18.0 and 18.1 simulators (ecdsa_sha1,
    # ENABLE_CONNECT_PROTOCOL)". iOS 18.0 still sends ecdsa_sha1 (0x0203); Apple dropped it in
    # 18.2 (KOON SAFARI_15_2). SAFARI_18_IOS_YAML lists ten signature algorithms without it but
    # gives the extension length as 24 bytes, i.e. eleven; its JA3N and Akamai agree.
    "safari_ios_18_0": Reference(
        ja4="t13d2014h2_a09f3c656075_14788d8d241b",  # KOON SAFARI_SHA1_JA4
        ja3n_hash=SAFARI_JA3N,  # KOON SAFARI_JA3N; SAFARI_18_IOS_YAML third_party
        akamai="2:0;3:100;4:2097152;8:1;9:1|10420225|0|m,s,a,p",  # KOON; SAFARI_18_IOS_YAML
        ja3_hash=SAFARI_JA3,  # KOON SAFARI_JA3; SAFARI_18_IOS_YAML third_party
        source=f"{KOON} (SAFARI_15_1); {SAFARI_18_IOS_YAML}",
    ),
    # KOON SAFARI_IOS_17: "the iOS 17.0.1 and 17.5 simulators".
    "safari_ios_17_0": Reference(
        ja4="t13d2014h2_a09f3c656075_14788d8d241b",  # KOON SAFARI_SHA1_JA4
        ja3n_hash=SAFARI_JA3N,  # KOON; SAFARI_17_2_IOS_YAML third_party
        akamai="2:0;4:2097152;3:100|10485760|0|m,s,p,a",  # KOON; SAFARI_17_2_IOS_YAML
        ja3_hash=SAFARI_JA3,  # KOON; SAFARI_17_2_IOS_YAML third_party
        source=f"{KOON} (SAFARI_IOS_17); {SAFARI_17_2_IOS_YAML}",
    ),
    # Mobile app. KOON OKHTTP_4: "OkHttp 4.12.0 (default OkHttpClient) on a Pixel 9 Pro XL with
    # Android 17". Closest documented to okhttp4_android_13: the ClientHello is Conscrypt's
    # with OkHttp's cipher list, which koon found the same on Android 17.
    "okhttp4_android_13": Reference(
        ja4="t13d1513h2_8daaf6152771_eca864cca44a",  # KOON OKHTTP_JA4
        ja3n_hash="b6c462146270c94ed8e339bcf4fff25f",  # KOON OKHTTP_4
        akamai="4:16777216|16711681|0|m,p,a,s",  # KOON OKHTTP_AKAMAI_TEXT
        ja3_hash="f79b6bad2ad0641e1921aef10262856b",  # KOON OKHTTP_4
        source=f"{KOON} (OKHTTP_4, Android 17: closest documented)",
    ),
}

# Header order of a top-level navigation as the real browser sends it (names lower-cased).
CHROME_ORDER = [  # CHROME_131_YAML and CHROME_149_YAML, HEADERS frame
    "sec-ch-ua",
    "sec-ch-ua-mobile",
    "sec-ch-ua-platform",
    "upgrade-insecure-requests",
    "user-agent",
    "accept",
    "sec-fetch-site",
    "sec-fetch-mode",
    "sec-fetch-user",
    "sec-fetch-dest",
    "accept-encoding",
    "accept-language",
    "priority",
]
# FIREFOX_147_TARGET -H order; KOON_FIREFOX firefox_headers. Firefox sends `te: trailers`
# after `priority` on HTTP/2 only; tls_requests leaves it out (docs/profiles.md).
FIREFOX_ORDER = [
    "user-agent",
    "accept",
    "accept-language",
    "accept-encoding",
    "upgrade-insecure-requests",
    "sec-fetch-dest",
    "sec-fetch-mode",
    "sec-fetch-site",
    "sec-fetch-user",
    "priority",
]
SAFARI_15_ORDER = ["user-agent", "accept", "accept-language", "accept-encoding"]  # SAFARI_15_5_YAML
SAFARI_17_ORDER = [  # SAFARI_17_2_IOS_YAML; KOON_SAFARI_HEADERS (Sonoma, fetch metadata)
    "accept",
    "sec-fetch-site",
    "accept-encoding",
    "sec-fetch-mode",
    "user-agent",
    "accept-language",
    "sec-fetch-dest",
]
SAFARI_18_ORDER = [  # SAFARI_18_IOS_YAML; KOON_SAFARI_HEADERS (macOS 15 / iOS 18 and later)
    "sec-fetch-dest",
    "user-agent",
    "accept",
    "sec-fetch-site",
    "sec-fetch-mode",
    "accept-language",
    "priority",
    "accept-encoding",
]
OKHTTP_ORDER = ["accept-encoding", "user-agent"]  # OKHTTP_BRIDGE (after Host, Connection)


def http1_order(profile: str) -> list[str]:
    """
    The order on HTTP/1.1, where browsers also send `Connection: keep-alive` (HTTP/2 forbids
    it): Chrome right after Host (Chromium HttpNetworkTransaction::BuildRequestHeaders; every
    Chrome HTTP/1.1 capture), Firefox after Accept-Encoding (nsHttpHandler
    AddStandardRequestHeaders), OkHttp after Host (OKHTTP_BRIDGE). No public Safari HTTP/1.1
    capture was found, so Safari keeps its HTTP/2 order.
    """
    order = REAL_HEADER_ORDER[profile]
    if profile.startswith(("chrome", "okhttp")):
        return ["connection", *order]
    if profile.startswith("firefox"):
        at = order.index("accept-encoding") + 1
        return [*order[:at], "connection", *order[at:]]
    return order


REAL_HEADER_ORDER: dict[str, list[str]] = {
    "chrome_146": CHROME_ORDER,
    "chrome_131": CHROME_ORDER,
    "firefox_148": FIREFOX_ORDER,
    "firefox_147": FIREFOX_ORDER,
    "firefox_135": FIREFOX_ORDER,
    "firefox_133": FIREFOX_ORDER,
    "safari_16_0": SAFARI_15_ORDER,  # no fetch metadata before Safari 16.4 (KOON_SAFARI_HEADERS)
    "safari_15_6_1": SAFARI_15_ORDER,
    "safari_ios_26_0": SAFARI_18_ORDER,
    "safari_ios_18_5": SAFARI_18_ORDER,
    "safari_ios_18_0": SAFARI_18_ORDER,
    "safari_ios_17_0": SAFARI_17_ORDER,
    "okhttp4_android_13": OKHTTP_ORDER,
}


@pytest.mark.parametrize("profile", sorted(REFERENCES))
def test_profile_matches_the_real_browser(capture, profile: str) -> None:
    reference = REFERENCES[profile]
    doc = capture(profile)
    tls, http2 = doc["tls"], doc["http2"]
    assert tls["client_hello"]["server_name"] == "localhost"
    measured = {
        "ja4": tls["ja4"],
        "ja3n_hash": tls["ja3n_hash"],
        "akamai": http2 and http2["akamai"],
    }
    expected = {"ja4": reference.ja4, "ja3n_hash": reference.ja3n_hash, "akamai": reference.akamai}
    assert measured == expected, reference.source
    if reference.ja3_hash is not None:
        assert tls["ja3_hash"] == reference.ja3_hash, reference.source


@pytest.mark.parametrize("profile", sorted(REAL_HEADER_ORDER))
@pytest.mark.parametrize("http2", [True, False], ids=["h2", "http1"])
def test_headers_go_out_in_the_browser_order(capture, profile: str, http2: bool) -> None:
    doc = capture(profile, http2=http2)
    assert doc["http_version"] == ("h2" if http2 else "http/1.1")
    sent = [name for name, _ in doc["headers"]]
    if http2:
        assert [name.lower() for name in sent] == REAL_HEADER_ORDER[profile]
        return
    assert sent[0] == "Host"
    sent = sent[1:]
    # HTTP/1.1 keeps the spelling the browser uses (Chrome: `sec-ch-ua` but `User-Agent`).
    assert sent == [name for name, _ in default_headers(profile)]
    assert [name.lower() for name in sent] == http1_order(profile)


@pytest.mark.parametrize("profile", ["chrome_133", "chrome_133_PSK"])
def test_chrome_133_offers_h2_over_tcp_even_with_http3(capture, profile: str) -> None:
    # tls-client's chrome_133 offers ALPN h3,h2,http/1.1 (and ALPS h3,h2) whenever HTTP/3 is
    # not disabled, so with http3=True its TCP JA4 said "h3". Chrome never offers h3 over TCP:
    # CHROME_131_YAML / CHROME_149_YAML alpn_list h2, http/1.1; alps h2.
    hello = capture(profile, http3=True)["tls"]
    assert hello["client_hello"]["alpn"] == ["h2", "http/1.1"]
    assert hello["client_hello"]["application_settings"] == ["h2"]
    assert hello["ja4"] == "t13d1516h2_8daaf6152771_d8a2da3f94cd"


@pytest.mark.parametrize("profile", ["firefox_133", "firefox_135", "firefox_147", "firefox_148"])
def test_firefox_headers_frame(capture, profile: str) -> None:
    # Firefox opens its first request on stream 3 with priority exclusive=0, weight 42
    # (KOON_FIREFOX firefox_http2: initial_stream_id 3, HeadersPriority::Firefox).
    priority = capture(profile)["http2"]["headers_frame_priority"]
    assert priority == {"stream_id": 3, "exclusive": False, "depends_on": 0, "weight": 42}


def test_references_cover_every_family() -> None:
    families = {name.split("_")[0] for name in REFERENCES}
    assert families == {"chrome", "firefox", "safari", "okhttp4"}
    assert {"safari_16_0", "safari_15_6_1", "safari_ios_26_0", "safari_ios_18_0"} <= set(REFERENCES)
