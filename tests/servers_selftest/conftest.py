"""Reference-client helpers for the server self-tests (httpx stands in for tls_requests)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from tests.servers import TLSMaterial


@pytest.fixture(scope="session")
def client_ssl(tls_material: TLSMaterial) -> ssl.SSLContext:
    """Verifying client context trusting the test CA (httpx deprecates `verify=<path>`)."""
    return tls_material.client_context()


@pytest.fixture
def h1_client(client_ssl: ssl.SSLContext) -> Iterator[httpx.Client]:
    with httpx.Client(verify=client_ssl, timeout=10.0) as client:
        yield client


@pytest.fixture
def h2_client(client_ssl: ssl.SSLContext) -> Iterator[httpx.Client]:
    with httpx.Client(verify=client_ssl, http2=True, timeout=10.0) as client:
        yield client
