"""
Browser profiles: names, aliases, and the default headers each browser sends.

The Go library knows the TLS and HTTP/2 side of a profile. The headers a browser sends (and
their order) are not part of it, so they live here, per browser family, built from the
profile's version. The client sends them unless the user overrides them.
"""

from __future__ import annotations

import difflib
import re

from ._exceptions import UnsupportedProfile
from ._profile_names import CLIENT_IDENTIFIERS, ClientIdentifier

__all__ = [
    "CLIENT_IDENTIFIERS",
    "DEFAULT_CLIENT_IDENTIFIER",
    "PROFILE_ALIASES",
    "ClientIdentifier",
    "default_headers",
    "resolve_profile",
    "shuffles_extensions",
]

DEFAULT_CLIENT_IDENTIFIER: ClientIdentifier = "chrome_146"


def _newest(prefix: str) -> ClientIdentifier:
    # The highest version among `<prefix>_<digits>[_<digits>...]` (PSK and vendor variants
    # are not versions), so an alias follows the Go library when it adds a profile.
    pattern = re.compile(re.escape(prefix) + r"_(\d+(?:_\d+)*)")
    versions = {
        name: tuple(int(part) for part in match.group(1).split("_"))
        for name in CLIENT_IDENTIFIERS
        if (match := pattern.fullmatch(name))
    }
    return max(versions, key=versions.__getitem__)


# Aliases always mean the newest profile of the family that the Go library offers.
PROFILE_ALIASES: dict[str, ClientIdentifier] = {
    "chrome": _newest("chrome"),
    "firefox": _newest("firefox"),
    "safari": _newest("safari"),
    "safari_ios": _newest("safari_ios"),
    "brave": _newest("brave"),
    "opera": _newest("opera"),
    "okhttp": _newest("okhttp4_android"),
}


def resolve_profile(name: str) -> ClientIdentifier:
    """The canonical profile name for `name` (a profile or an alias); never falls back silently."""
    if name in PROFILE_ALIASES:
        return PROFILE_ALIASES[name]
    if name in CLIENT_IDENTIFIERS:
        return name
    candidates = [*CLIENT_IDENTIFIERS, *PROFILE_ALIASES]
    suggestions = difflib.get_close_matches(name, candidates, n=3, cutoff=0.5)
    raise UnsupportedProfile(name, suggestions)


def _version(name: str, default: str) -> str:
    numbers = re.findall(r"\d+", name)
    return ".".join(numbers) if numbers else default


_CHROME_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
_FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _chromium_headers(major: str, brand: str) -> list[tuple[str, str]]:
    # Chrome's navigation request, in Chrome's order (Windows desktop); on HTTP/1.1 Chrome
    # sends `Connection` right after `Host`.
    brands = f'"Chromium";v="{major}", "Not-A.Brand";v="24", "{brand}";v="{major}"'
    ua = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{major}.0.0.0 Safari/537.36"
    )
    return [
        ("Connection", "keep-alive"),
        ("sec-ch-ua", brands),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", '"Windows"'),
        ("Upgrade-Insecure-Requests", "1"),
        ("User-Agent", ua),
        ("Accept", _CHROME_ACCEPT),
        ("Sec-Fetch-Site", "none"),
        ("Sec-Fetch-Mode", "navigate"),
        ("Sec-Fetch-User", "?1"),
        ("Sec-Fetch-Dest", "document"),
        ("Accept-Encoding", "gzip, deflate, br, zstd"),
        ("Accept-Language", "en-US,en;q=0.9"),
        ("Priority", "u=0, i"),
    ]


def _firefox_headers(major: str) -> list[tuple[str, str]]:
    # Firefox's navigation, in Firefox's order. From 147 on Accept-Language is weighted in
    # 0.1 steps like Chrome's. (Over HTTP/2 Firefox also sends `te: trailers` last; it is
    # left out because these headers go out on HTTP/1.1 too, where Firefox does not send it.)
    ua = f"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{major}.0) Gecko/20100101 Firefox/{major}.0"
    language = "en-US,en;q=0.9" if int(major) >= 147 else "en-US,en;q=0.5"
    return [
        ("User-Agent", ua),
        ("Accept", _FIREFOX_ACCEPT),
        ("Accept-Language", language),
        ("Accept-Encoding", "gzip, deflate, br, zstd"),
        ("Connection", "keep-alive"),
        ("Upgrade-Insecure-Requests", "1"),
        ("Sec-Fetch-Dest", "document"),
        ("Sec-Fetch-Mode", "navigate"),
        ("Sec-Fetch-Site", "none"),
        ("Sec-Fetch-User", "?1"),
        ("Priority", "u=0, i"),
    ]


def _safari_headers(version: str, ios: bool, ipad: bool = False) -> list[tuple[str, str]]:
    # Safari's header order comes from the OS network stack, so it changes with the release:
    # no fetch metadata before 16.4; the macOS 14 / iOS 17 order up to 17.x; the macOS 15 /
    # iOS 18 order (with `priority`) from 18 on; `zstd` from 26.3. Captured orders: Safari
    # 15.5 and iOS 17.2 (lwthiker/curl-impersonate tests/signatures), 18 and 26
    # (lexiforest/curl-impersonate tests/signatures, scrape-hub/koon safari/headers.rs).
    numbers = tuple(int(part) for part in version.split("."))
    if ios:
        # Safari 26 freezes the OS version in the User-Agent at 18_6.
        os_version = "18_6" if numbers >= (26,) else "_".join(map(str, numbers))
        platform = (
            f"iPad; CPU OS {os_version} like Mac OS X"
            if ipad
            else f"iPhone; CPU iPhone OS {os_version} like Mac OS X"
        )
        engine = f"AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{version} Mobile/15E148"
        user_agent = f"Mozilla/5.0 ({platform}) {engine} Safari/604.1"
    else:
        user_agent = (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            f"(KHTML, like Gecko) Version/{version} Safari/605.1.15"
        )
    encoding = "gzip, deflate, br, zstd" if numbers >= (26, 3) else "gzip, deflate, br"
    values = {
        "User-Agent": user_agent,
        "Accept": _FIREFOX_ACCEPT,
        "Accept-Language": "en-US,en;q=0.9",
        "Accept-Encoding": encoding,
        "Sec-Fetch-Site": "none",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Dest": "document",
        "Priority": "u=0, i",
    }
    if numbers < (16, 4):
        order = ["User-Agent", "Accept", "Accept-Language", "Accept-Encoding"]
    elif numbers < (18,):
        order = [
            "Accept",
            "Sec-Fetch-Site",
            "Accept-Encoding",
            "Sec-Fetch-Mode",
            "User-Agent",
            "Accept-Language",
            "Sec-Fetch-Dest",
        ]
    else:
        order = [
            "Sec-Fetch-Dest",
            "User-Agent",
            "Accept",
            "Sec-Fetch-Site",
            "Sec-Fetch-Mode",
            "Accept-Language",
            "Priority",
            "Accept-Encoding",
        ]
    return [(name, values[name]) for name in order]


def _app_headers(user_agent: str) -> list[tuple[str, str]]:
    # Mobile-app HTTP stacks (OkHttp, CFNetwork) send few headers.
    return [
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip"),
        ("User-Agent", user_agent),
    ]


def shuffles_extensions(profile: str) -> bool:
    """Whether the real browser shuffles its TLS extensions on every connection (Chrome 110+)."""
    name = resolve_profile(profile)
    if name.startswith("brave"):
        return True
    match = re.match(r"chrome_(\d+)", name)
    return match is not None and int(match.group(1)) >= 110


# Connection-specific headers: sent on HTTP/1.1 only. HTTP/2 forbids them (RFC 9113, 8.2.2)
# and the Go HTTP/2 transport leaves them out.
CONNECTION_SPECIFIC_HEADERS = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}
)


def default_headers(profile: str, *, http2: bool = False) -> list[tuple[str, str]]:
    """
    The headers the browser behind `profile` sends on a navigation, in its order: over
    HTTP/1.1 by default, or as they go out over HTTP/2 (`http2=True`).
    """
    headers = _navigation_headers(resolve_profile(profile))
    if http2:
        return [(k, v) for k, v in headers if k.lower() not in CONNECTION_SPECIFIC_HEADERS]
    return headers


def _navigation_headers(name: str) -> list[tuple[str, str]]:
    if name.startswith(("chrome", "cloudscraper")):
        return _chromium_headers(_version(name, "146").split(".")[0], "Google Chrome")
    if name.startswith("brave"):
        return _chromium_headers(_version(name, "146").split(".")[0], "Brave")
    if name.startswith("opera"):
        return _chromium_headers(str(int(_version(name, "91")) + 14), "Opera")
    if name.startswith("firefox"):
        return _firefox_headers(_version(name, "148").split(".")[0])
    if name.startswith(("safari_ios", "safari_ipad")):
        return _safari_headers(_version(name, "18.0"), ios=True, ipad="ipad" in name)
    if name.startswith("safari"):
        return _safari_headers(_version(name, "16.0"), ios=False)
    if name.startswith("okhttp") or "android" in name:
        # OkHttp's BridgeInterceptor adds only these, after Host.
        return [
            ("Connection", "Keep-Alive"),
            ("Accept-Encoding", "gzip"),
            ("User-Agent", "okhttp/4.12.0"),
        ]
    return _app_headers("CFNetwork/1496.0.7 Darwin/23.5.0")
