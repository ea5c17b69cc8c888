"""
RFC 7616 HTTP Digest authentication, server side (challenge + full response verification).

Supports algorithms MD5, MD5-sess, SHA-256, SHA-256-sess, qop "auth", "auth-int" and the legacy
RFC 2069 form without qop ("none"), plus `userhash=true`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

__all__ = ["ALGORITHMS", "QOPS", "DigestVerifier", "parse_auth_params"]

ALGORITHMS = {"MD5": "md5", "MD5-SESS": "md5", "SHA-256": "sha256", "SHA-256-SESS": "sha256"}
QOPS = ("auth", "auth-int", "none")
REALM = "tls_requests-test@localhost"

_PARAM = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)')


def parse_auth_params(value: str) -> dict[str, str]:
    """Parse `k=v, k="quoted"` auth-params (RFC 9110 section 11.2) into a dict."""
    params: dict[str, str] = {}
    for match in _PARAM.finditer(value):
        raw = match.group(2)
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[match.group(1).lower()] = raw
    return params


@dataclass
class DigestVerifier:
    """Issues nonces and checks `Authorization: Digest` responses for one server."""

    realm: str = REALM
    opaque: str = field(default_factory=lambda: secrets.token_hex(16))
    _nonces: set[str] = field(default_factory=set)

    def challenge(self, qop: str, algorithm: str, stale: bool = False) -> str:
        nonce = secrets.token_hex(16)
        self._nonces.add(nonce)
        parts = [f'realm="{self.realm}"']
        if qop != "none":
            parts.append(f'qop="{qop}"')
        parts += [f'nonce="{nonce}"', f'opaque="{self.opaque}"', f"algorithm={algorithm}"]
        if stale:
            parts.append("stale=TRUE")
        return "Digest " + ", ".join(parts)

    def verify(
        self,
        authorization: str | None,
        *,
        method: str,
        uri: str,
        body: bytes,
        qop: str,
        algorithm: str,
        user: str,
        password: str,
    ) -> str | None:
        """Return None when the response is valid, else a short reason (for debugging)."""
        if not authorization:
            return "missing Authorization"
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() != "digest":
            return f"scheme {scheme!r} is not Digest"
        p = parse_auth_params(rest)
        hname = ALGORITHMS[algorithm.upper()]

        def h(data: str) -> str:
            return hashlib.new(hname, data.encode()).hexdigest()

        if p.get("algorithm", "MD5").upper() != algorithm.upper():
            return f"algorithm {p.get('algorithm')!r} != {algorithm!r}"
        if p.get("realm") != self.realm:
            return "wrong realm"
        if p.get("nonce") not in self._nonces:
            return "unknown nonce"
        if p.get("opaque") != self.opaque:
            return "wrong opaque"
        if p.get("uri") != uri:
            return f"uri {p.get('uri')!r} != request target {uri!r}"
        expected_user = h(f"{user}:{self.realm}") if p.get("userhash") == "true" else user
        if p.get("username") != expected_user:
            return "wrong username"
        ha1 = h(f"{user}:{self.realm}:{password}")
        if algorithm.upper().endswith("-SESS"):
            ha1 = h(f"{ha1}:{p['nonce']}:{p.get('cnonce', '')}")
        if qop == "auth-int":
            ha2 = h(f"{method}:{uri}:{hashlib.new(hname, body).hexdigest()}")
        else:
            ha2 = h(f"{method}:{uri}")
        if qop == "none":
            if "qop" in p:
                return "qop sent but none was offered"
            expected = h(f"{ha1}:{p['nonce']}:{ha2}")
        else:
            if p.get("qop") != qop or not p.get("nc") or not p.get("cnonce"):
                return "qop/nc/cnonce missing or wrong"
            expected = h(f"{ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:{qop}:{ha2}")
        if not hmac.compare_digest(expected, p.get("response", "")):
            return "wrong response hash"
        return None
