"""
The `fingerprint()` helper and `python -m tls_requests.fingerprint`.

The real `tls_requests.Client` needs the native library, so these tests stand a small
stand-in client (Python's ssl, HTTP/1.1) in for it; what is under test is the plumbing:
server start, URL, CA path passed as `verify`, result, client closed.
"""

from __future__ import annotations

import importlib
import json
import os
import queue
import signal
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import tls_requests.fingerprint
from tls_requests.fingerprint import fingerprint
from tls_requests.fingerprint.__main__ import main


def _get(url: str, verify: Any, user_agent: str) -> bytes:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context = ssl.create_default_context(cafile=verify)
    context.set_alpn_protocols(["http/1.1"])
    request = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"User-Agent: {user_agent}\r\nConnection: close\r\n\r\n"
    )
    raw = socket.create_connection((parts.hostname, parts.port), timeout=5)
    with raw, context.wrap_socket(raw, server_hostname=parts.hostname) as tls:
        tls.sendall(request.encode("ascii"))
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
    return data


class FakeClient:
    instances: list[FakeClient] = []

    def __init__(self, client_identifier: str, verify: Any = True, **kwargs: Any) -> None:
        self.client_identifier = client_identifier
        self.verify = verify
        self.kwargs = kwargs
        self.closed = False
        FakeClient.instances.append(self)

    def get(self, url: str) -> bytes:
        return _get(url, self.verify, f"fake/{self.client_identifier}")

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_client(monkeypatch):
    FakeClient.instances = []
    package = importlib.import_module("tls_requests")
    monkeypatch.setattr(package, "Client", FakeClient, raising=False)
    return FakeClient


def test_fingerprint_helper(fake_client):
    doc = fingerprint("chrome_131", path="/probe", timeout=7)
    (client,) = fake_client.instances
    assert client.closed
    assert client.client_identifier == "chrome_131"
    assert client.kwargs == {"timeout": 7}
    assert isinstance(client.verify, str) and client.verify.endswith("ca.pem")
    assert not os.path.exists(client.verify)  # the server cleaned up after itself
    assert doc["path"] == "/probe"
    assert ["User-Agent", "fake/chrome_131"] in doc["headers"]
    assert doc["tls"]["ja4"].startswith("t13d")


def test_fingerprint_helper_verify_false(fake_client):
    doc = fingerprint("firefox_133", verify=False)
    assert fake_client.instances[0].verify is False
    assert doc["http_version"] == "http/1.1"


def test_cli_one_line(fake_client, capsys):
    assert main(["chrome_131"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.startswith("chrome_131 http=http/1.1 ja4=t13d")
    assert "ja3n=" in out and "akamai=-" in out


def test_cli_json_and_options(fake_client, capsys):
    assert (
        main(["safari_ios_18_0", "--json", "-o", "timeout=5", "-o", "label=x", "--insecure"]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["tls"]["ja4"].startswith("t13d")
    (client,) = fake_client.instances
    assert client.kwargs == {"timeout": 5, "label": "x"}
    assert client.verify is False


def test_cli_needs_a_profile(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "client_identifier is required" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="stops the server with SIGINT")
def test_cli_serve():
    package_root = Path(tls_requests.fingerprint.__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(package_root)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tls_requests.fingerprint", "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        listening = lines.get(timeout=30)
        assert listening.startswith("Listening on https://localhost:"), listening
        url = listening.split()[2]
        ca_line = lines.get(timeout=5)
        assert ca_line.startswith("CA certificate: ")
        ca_path = ca_line.split(": ", 1)[1].strip()
        assert lines.get(timeout=5).startswith("Try: curl")
        response = _get(url + "served", ca_path, "served/1")
        assert response.startswith(b"HTTP/1.1 200 OK")
        summary = lines.get(timeout=10)
        assert summary.startswith("http=http/1.1 ja4=t13d"), summary
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        assert not os.path.exists(ca_path)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
        proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
