"""
Fixtures for the profile fidelity tests: one loopback echo server for the whole directory, and
a helper that makes one request with a fresh `tls_requests.Client` (so a fresh Go session and
TCP connection, never a resumed TLS session) and returns what the server saw.

The client connects to `https://localhost:PORT/`: by name, so SNI is sent, and always the same
name, so the hello length (and with it Safari's and OkHttp's padding) is the same on every run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import tls_requests
from tls_requests import _ffi
from tls_requests.fingerprint import FingerprintDocument, FingerprintServer

Capture = Callable[..., FingerprintDocument]


@pytest.fixture(scope="session")
def profile_server() -> Iterator[FingerprintServer]:
    with FingerprintServer() as server:
        yield server


@pytest.fixture
def capture(profile_server: FingerprintServer) -> Capture:
    """`capture(profile=None, path="/", headers=None, **client_kwargs)` -> the server's document."""

    def run(
        profile: str | None = None,
        *,
        path: str = "/",
        headers: Any = None,
        **client_kwargs: Any,
    ) -> FingerprintDocument:
        if profile is not None:
            client_kwargs["client_identifier"] = profile
        seen = len(profile_server.captures)
        with tls_requests.Client(verify=profile_server.ca_path, **client_kwargs) as client:
            client.get(profile_server.url + path.lstrip("/"), headers=headers)
        return profile_server.wait_for_capture(seen + 1)

    return run


def _native_counts(timeout: float = 5.0) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    stats = _ffi.debug_stats()
    while time.monotonic() < deadline and any(stats.values()):
        time.sleep(0.02)
        stats = _ffi.debug_stats()
    return stats


@pytest.fixture(autouse=True)
def no_native_leaks() -> Iterator[None]:
    """Every test leaves no Go session, request handle or buffer behind."""
    assert _native_counts() == {"sessions": 0, "requests": 0, "buffers": 0}
    yield
    assert _native_counts() == {"sessions": 0, "requests": 0, "buffers": 0}
