from __future__ import annotations

import typing

import pytest

import tls_requests
from tls_requests._profiles import PROFILE_ALIASES, default_headers, resolve_profile


def test_literal_and_tuple_agree() -> None:
    assert typing.get_args(tls_requests.ClientIdentifier) == tls_requests.CLIENT_IDENTIFIERS


def test_aliases_point_at_real_profiles() -> None:
    for target in PROFILE_ALIASES.values():
        assert target in tls_requests.CLIENT_IDENTIFIERS
    assert resolve_profile("chrome") == tls_requests.DEFAULT_CLIENT_IDENTIFIER


def test_unknown_profile_suggests() -> None:
    with pytest.raises(tls_requests.UnsupportedProfile) as info:
        resolve_profile("chrome_1466")
    assert "chrome_146" in info.value.suggestions


@pytest.mark.parametrize("profile", tls_requests.CLIENT_IDENTIFIERS)
def test_every_profile_has_default_headers(profile: str) -> None:
    headers = dict((k.lower(), v) for k, v in default_headers(profile))
    assert headers["user-agent"]
    assert "accept-encoding" in headers


def test_chrome_headers_in_browser_order() -> None:
    names = [k.lower() for k, _ in default_headers("chrome_146")]
    assert names.index("sec-ch-ua") < names.index("user-agent") < names.index("accept")
    assert names.index("accept-encoding") < names.index("accept-language")


@pytest.mark.parametrize("profile", ["chrome_146", "firefox_148", "okhttp4_android_13"])
def test_connection_header_is_for_http1_only(profile: str) -> None:
    # Browsers send `Connection: keep-alive` on HTTP/1.1; HTTP/2 forbids the header.
    http1 = [k.lower() for k, _ in default_headers(profile)]
    http2 = [k.lower() for k, _ in default_headers(profile, http2=True)]
    assert "connection" in http1
    assert http2 == [k for k in http1 if k != "connection"]
