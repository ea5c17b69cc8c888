from __future__ import annotations

import pickle

import pytest

import tls_requests
from tls_requests._exceptions import _NATIVE_ERRORS, map_native_error

EXPECTED = {
    "connect_timeout": tls_requests.ConnectTimeout,
    "read_timeout": tls_requests.ReadTimeout,
    "write_timeout": tls_requests.WriteTimeout,
    "pool_timeout": tls_requests.PoolTimeout,
    "connect": tls_requests.ConnectError,
    "read": tls_requests.ReadError,
    "write": tls_requests.WriteError,
    "proxy": tls_requests.ProxyError,
    "tls": tls_requests.TLSError,
    "protocol": tls_requests.RemoteProtocolError,
    "unsupported_protocol": tls_requests.UnsupportedProtocol,
    "invalid_config": tls_requests.LocalProtocolError,
    "cancelled": tls_requests.TransportError,
    "invalid_handle": tls_requests.TransportError,
    "internal": tls_requests.TransportError,
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_native_error_table(kind: str) -> None:
    request = tls_requests.Request("GET", "https://localhost/")
    exc = map_native_error(kind, "boom", request)
    assert type(exc) is EXPECTED[kind]
    assert isinstance(exc, tls_requests.TransportError)
    assert exc.request is request
    assert str(exc) == "boom"


def test_table_has_no_other_entries() -> None:
    assert set(_NATIVE_ERRORS) == set(EXPECTED)


def test_input_kinds_become_value_errors() -> None:
    assert isinstance(map_native_error("invalid_url", "bad"), tls_requests.InvalidURL)
    assert isinstance(map_native_error("invalid_profile", "x"), tls_requests.UnsupportedProfile)


def test_unknown_kind_maps_to_transport_error() -> None:
    exc = map_native_error("brand_new_kind", "?")
    assert type(exc) is tls_requests.TransportError


def test_hierarchy_matches_httpx() -> None:
    assert issubclass(tls_requests.ConnectTimeout, tls_requests.TimeoutException)
    assert issubclass(tls_requests.TimeoutException, tls_requests.TransportError)
    assert issubclass(tls_requests.TimeoutException, TimeoutError)
    assert issubclass(tls_requests.ConnectError, tls_requests.NetworkError)
    assert issubclass(tls_requests.TransportError, tls_requests.RequestError)
    assert issubclass(tls_requests.RequestError, tls_requests.HTTPError)
    assert issubclass(tls_requests.HTTPStatusError, tls_requests.HTTPError)
    assert issubclass(tls_requests.LibraryNotFound, ImportError)
    assert issubclass(tls_requests.InvalidURL, ValueError)


def test_unsupported_profile_pickles_and_suggests() -> None:
    exc = tls_requests.UnsupportedProfile("chrom_146", ["chrome_146"])
    assert "chrome_146" in str(exc)
    again = pickle.loads(pickle.dumps(exc))
    assert again.suggestions == ("chrome_146",)
