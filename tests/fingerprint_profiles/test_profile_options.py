"""
Profile options seen from the server: aliases, and `random_tls_extension_order`.
"""

from __future__ import annotations

import pytest

from tls_requests._profiles import PROFILE_ALIASES
from tls_requests.fingerprint import TLSReport, is_grease


@pytest.mark.parametrize("alias", ["chrome", "firefox", "safari", "safari_ios", "okhttp"])
def test_alias_looks_like_its_profile(capture, alias: str) -> None:
    by_alias, by_name = capture(alias), capture(PROFILE_ALIASES[alias])
    for key in ("ja4", "ja3n_hash"):
        assert by_alias["tls"][key] == by_name["tls"][key]
    assert by_alias["http2"]["akamai"] == by_name["http2"]["akamai"]
    assert by_alias["headers"] == by_name["headers"]


@pytest.mark.parametrize("profile", ["chrome_146", "firefox_148", "safari_ios_26_0"])
def test_random_extension_order_changes_only_ja3(capture, profile: str) -> None:
    # Every capture is a fresh client, so a fresh Go session and connection (no resumption).
    fixed = [capture(profile, random_tls_extension_order=False)["tls"] for _ in range(3)]
    shuffled = [capture(profile, random_tls_extension_order=True)["tls"] for _ in range(6)]
    # With shuffling off, the profile's fixed order: one JA3.
    assert len({tls["ja3"] for tls in fixed}) == 1
    # Shuffled: the wire order (JA3, JA4_o) changes from connection to connection ...
    assert len({tls["ja3"] for tls in shuffled}) > 1
    assert len({tls["ja4_o"] for tls in shuffled}) > 1
    # ... while everything that sorts the extensions stays what the profile sends.
    for key in ("ja4", "ja3n_hash", "ja4_r"):
        assert {tls[key] for tls in shuffled} == {fixed[0][key]}

    # Same extensions, same ciphers: only the extension order differs.
    def content(tls: TLSReport) -> tuple[list[int], list[int]]:
        hello = tls["client_hello"]
        exts = sorted(e["type"] for e in hello["extensions"] if e["name"] != "grease")
        return exts, [c for c in hello["cipher_suites"] if not is_grease(c)]

    assert all(content(tls) == content(fixed[0]) for tls in shuffled)


@pytest.mark.parametrize(
    ("profile", "shuffles"),
    [("chrome_146", True), ("brave_146", True), ("chrome_103", False), ("firefox_148", False)],
)
def test_extension_order_follows_the_browser_by_default(
    capture, profile: str, shuffles: bool
) -> None:
    # Real Chrome (110+) shuffles its extensions on every connection; Firefox does not.
    ja3s = {capture(profile)["tls"]["ja3"] for _ in range(4)}
    assert (len(ja3s) > 1) is shuffles
