"""Bad input and network failures raise typed exceptions; nothing leaks, nothing crashes."""

from __future__ import annotations

import socket

import pytest

import tls_requests


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unknown_profile_raises_with_suggestions(ca_bundle: str) -> None:
    with pytest.raises(tls_requests.UnsupportedProfile) as info:
        tls_requests.Client(client_identifier="chrome_1466", verify=ca_bundle)
    assert "chrome_146" in info.value.suggestions


def test_invalid_url(client: tls_requests.Client) -> None:
    with pytest.raises(tls_requests.InvalidURL):
        client.get("https://exa mple.org/")
    with pytest.raises(tls_requests.InvalidURL):
        client.get("https://")


def test_unsupported_protocol(client: tls_requests.Client) -> None:
    with pytest.raises(tls_requests.UnsupportedProtocol):
        client.get("ftp://localhost/file")


@pytest.mark.parametrize(
    "headers", [{"X-Bad": "a\r\nInjected: 1"}, {"X-Bad\r\n": "a"}, {"X-Bad": "a\nb"}]
)
def test_crlf_in_header_is_refused(client: tls_requests.Client, https_server, headers) -> None:
    with pytest.raises(tls_requests.LocalProtocolError):
        client.get(https_server.url_for("/echo"), headers=headers)


def test_closed_client_raises(ca_bundle: str, https_server) -> None:
    client = tls_requests.Client(verify=ca_bundle)
    client.close()
    client.close()  # idempotent
    with pytest.raises(tls_requests.ClientClosed):
        client.get(https_server.url_for("/echo"))


def test_connection_refused_raises_connect_error(client: tls_requests.Client) -> None:
    with pytest.raises(tls_requests.ConnectError):
        client.get(f"https://localhost:{_free_port()}/")


def test_network_error_is_never_a_status_zero_response(client: tls_requests.Client) -> None:
    with pytest.raises(tls_requests.TransportError):
        client.get(f"http://127.0.0.1:{_free_port()}/")


def test_untrusted_certificate_raises_tls_error(https_server) -> None:
    with tls_requests.Client() as client, pytest.raises(tls_requests.TLSError):
        client.get(https_server.url_for("/echo"))


def test_verify_false_skips_verification(https_server) -> None:
    with tls_requests.Client(verify=False) as client:
        assert client.get(https_server.url_for("/echo")).status_code == 200


def test_read_timeout(client: tls_requests.Client, https_server) -> None:
    with pytest.raises(tls_requests.ReadTimeout):
        client.get(https_server.url_for("/delay/3"), timeout=0.3)


def test_read_timeout_while_streaming_body(client: tls_requests.Client, https_server) -> None:
    url = https_server.url_for("/stall_body?seconds=5")
    with client.stream("GET", url, timeout=0.5) as r, pytest.raises(tls_requests.ReadTimeout):
        for _ in r.iter_bytes():
            pass


def test_connect_timeout(ca_bundle: str, blackhole_server) -> None:
    timeout = tls_requests.Timeout(5.0, connect=0.3)
    with (
        tls_requests.Client(verify=ca_bundle, timeout=timeout) as client,
        pytest.raises(tls_requests.ConnectTimeout),
    ):
        client.get(f"https://localhost:{blackhole_server.port}/")


def test_client_level_timeout_applies(ca_bundle: str, https_server) -> None:
    with tls_requests.Client(verify=ca_bundle, timeout=0.3) as client:  # noqa: SIM117
        with pytest.raises(tls_requests.ReadTimeout):
            client.get(https_server.url_for("/delay/3"))
        # A per-request override wins.
        assert client.get(https_server.url_for("/delay/0.5"), timeout=5).status_code == 200


def test_garbage_response_raises_protocol_error(
    client: tls_requests.Client, garbage_server
) -> None:
    with pytest.raises((tls_requests.ProtocolError, tls_requests.ReadError)):
        client.get(f"http://127.0.0.1:{garbage_server.port}/")


def test_unreachable_proxy_raises_proxy_error(ca_bundle: str, https_server, dead_proxy_url) -> None:
    with (
        tls_requests.Client(verify=ca_bundle, proxy=dead_proxy_url) as client,
        pytest.raises(tls_requests.ProxyError),
    ):
        client.get(https_server.url_for("/echo"))


def test_missing_library_raises_library_not_found(tmp_path, monkeypatch) -> None:
    import subprocess
    import sys

    code = (
        "import tls_requests\n"
        "try:\n"
        "    tls_requests.Client()\n"
        "except tls_requests.LibraryNotFound as exc:\n"
        "    print('MISSING', exc)\n"
    )
    env = {"TLS_REQUESTS_LIBRARY": str(tmp_path / "nope.so"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert "MISSING" in result.stdout
    assert "nope.so" in result.stdout
