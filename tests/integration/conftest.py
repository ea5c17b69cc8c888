"""
Fixtures for tests that run the real shared library against the local servers.

There is deliberately no skip when the library is missing: it is built by the install
command, and a missing library must fail the run rather than hide every integration test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import psutil
import pytest

import tls_requests
from tests.integration._modes import ClientMode
from tls_requests import _ffi


def wait_for_native_idle(timeout: float = 5.0) -> dict[str, int]:
    """Native objects are released by worker threads too; give them a bounded moment."""
    deadline = time.monotonic() + timeout
    stats = _ffi.debug_stats()
    while time.monotonic() < deadline and any(stats.values()):
        time.sleep(0.02)
        stats = _ffi.debug_stats()
    return stats


def open_client_connections(timeout: float = 2.0) -> list[str]:
    """
    This process's established TCP connections to its own listening sockets (the local test
    servers and proxies all run in-process): connections a closed client failed to close.
    Closing is asynchronous on both sides, so give it a bounded moment.
    """
    deadline = time.monotonic() + timeout
    while True:
        conns = psutil.Process().net_connections(kind="tcp")
        listening = {c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN}
        leaked = [
            f"{c.laddr.ip}:{c.laddr.port} -> {c.raddr.ip}:{c.raddr.port}"
            for c in conns
            if c.status == psutil.CONN_ESTABLISHED and c.raddr and c.raddr.port in listening
        ]
        if not leaked or time.monotonic() >= deadline:
            return leaked
        time.sleep(0.02)


@pytest.fixture(autouse=True)
def no_native_leaks() -> Iterator[None]:
    """
    Every integration test must leave no session, request handle or buffer behind, and no
    open connection.
    """
    before = wait_for_native_idle()
    assert before == {"sessions": 0, "requests": 0, "buffers": 0}, before
    yield
    after = wait_for_native_idle()
    assert after == {"sessions": 0, "requests": 0, "buffers": 0}, after
    assert open_client_connections() == []


@pytest.fixture
def client(ca_bundle: str) -> Iterator[tls_requests.Client]:
    with tls_requests.Client(verify=ca_bundle) as client:
        yield client


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest, ca_bundle: str) -> ClientMode:
    """Run the test once with `Client` and once with `AsyncClient` (see `_modes.py`)."""
    return ClientMode(request.param, ca_bundle)
