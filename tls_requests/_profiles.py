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
]

DEFAULT_CLIENT_IDENTIFIER: ClientIdentifier = "chrome_146"

# Aliases always mean the newest profile of the family that the Go library offers.
PROFILE_ALIASES: dict[str, ClientIdentifier] = {
    "chrome": "chrome_146",
    "firefox": "firefox_148",
    "safari": "safari_16_0",
    "safari_ios": "safari_ios_26_0",
    "brave": "brave_146",
    "opera": "opera_91",
    "okhttp": "okhttp4_android_13",
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
    # Chrome's navigation request, in Chrome's order (Windows desktop).
    brands = f'"Chromium";v="{major}", "Not-A.Brand";v="24", "{brand}";v="{major}"'
    ua = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{major}.0.0.0 Safari/537.36"
    )
    return [
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
    ua = f"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{major}.0) Gecko/20100101 Firefox/{major}.0"
    return [
        ("User-Agent", ua),
        ("Accept", _FIREFOX_ACCEPT),
        ("Accept-Language", "en-US,en;q=0.5"),
        ("Accept-Encoding", "gzip, deflate, br, zstd"),
        ("Upgrade-Insecure-Requests", "1"),
        ("Sec-Fetch-Dest", "document"),
        ("Sec-Fetch-Mode", "navigate"),
        ("Sec-Fetch-Site", "none"),
        ("Sec-Fetch-User", "?1"),
        ("Priority", "u=0, i"),
    ]


def _safari_headers(version: str, ios: bool) -> list[tuple[str, str]]:
    if ios:
        platform = f"iPhone; CPU iPhone OS {version.replace('.', '_')} like Mac OS X"
        engine = f"AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{version} Mobile/15E148"
    else:
        platform = "Macintosh; Intel Mac OS X 10_15_7"
        engine = f"AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{version}"
    return [
        ("Accept", _FIREFOX_ACCEPT),
        ("Sec-Fetch-Site", "none"),
        ("Accept-Encoding", "gzip, deflate, br"),
        ("Sec-Fetch-Mode", "navigate"),
        ("User-Agent", f"Mozilla/5.0 ({platform}) {engine} Safari/604.1"),
        ("Accept-Language", "en-US,en;q=0.9"),
        ("Sec-Fetch-Dest", "document"),
        ("Priority", "u=0, i"),
    ]


def _app_headers(user_agent: str) -> list[tuple[str, str]]:
    # Mobile-app HTTP stacks (OkHttp, CFNetwork) send few headers.
    return [
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip"),
        ("User-Agent", user_agent),
    ]


def default_headers(profile: str) -> list[tuple[str, str]]:
    """The headers the browser behind `profile` sends on a navigation, in its order."""
    name = resolve_profile(profile)
    if name.startswith(("chrome", "cloudscraper")):
        return _chromium_headers(_version(name, "146").split(".")[0], "Google Chrome")
    if name.startswith("brave"):
        return _chromium_headers(_version(name, "146").split(".")[0], "Brave")
    if name.startswith("opera"):
        return _chromium_headers(str(int(_version(name, "91")) + 14), "Opera")
    if name.startswith("firefox"):
        return _firefox_headers(_version(name, "148").split(".")[0])
    if name.startswith(("safari_ios", "safari_ipad")):
        return _safari_headers(_version(name, "18.0"), ios=True)
    if name.startswith("safari"):
        return _safari_headers(_version(name, "16.0"), ios=False)
    if name.startswith("okhttp") or "android" in name:
        return _app_headers("okhttp/4.12.0")
    return _app_headers("CFNetwork/1496.0.7 Darwin/23.5.0")
