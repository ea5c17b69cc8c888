"""
Every ```python block in README.md and docs/*.md runs, unchanged except for host names,
against the local servers. This keeps the documentation true.

Conventions for writers of examples:
- `https://example.com` is the local HTTPS server (HTTP/1.1 + HTTP/2), `http://example.com`
  the plain HTTP one; `http://proxy.example:8080` is an HTTP proxy and
  `http://user:pass@proxy.example:8080` one that requires those credentials;
  `https://h3.example.com` is a local HTTPS server that also speaks HTTP/3 (QUIC);
  `https://user:pass@proxy.example:8443` an HTTP proxy reached over TLS (with credentials);
  `socks5://proxy.example:1080` is a SOCKS5 proxy (`socks5h://proxy.example:1080` the same
  proxy, resolving host names itself).
- The test CA is trusted through SSL_CERT_FILE (Go reads it for the system roots), so examples
  need no `verify=` argument.
- Each block runs in its own interpreter, in a temporary directory, with a time limit. A block
  that should not run (a fragment, or a shell session) uses another fence, e.g. ```pycon or
  ```text.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _examples() -> list[typing.Any]:
    params = []
    for document in DOCUMENTS:
        if not document.exists():
            continue
        text = document.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            name = f"{document.relative_to(ROOT)}:{line}"
            params.append(pytest.param(match.group(1), id=name))
    return params


def _rewrite(code: str, urls: dict[str, str]) -> str:
    # Longest placeholders first, so `http://user:pass@proxy.example:8080` wins over its suffix.
    for placeholder in sorted(urls, key=len, reverse=True):
        code = code.replace(placeholder, urls[placeholder])
    return code


@pytest.fixture(scope="module")
def example_urls(
    https_server,
    http3_server,
    http_server,
    http_proxy,
    http_proxy_auth,
    https_proxy,
    socks5_proxy,
) -> dict[str, str]:
    return {
        "https://h3.example.com": http3_server.url.rstrip("/"),
        "https://example.com": https_server.url.rstrip("/"),
        "http://example.com": http_server.url.rstrip("/"),
        "http://user:pass@proxy.example:8080": http_proxy_auth.url,
        "http://proxy.example:8080": http_proxy.url,
        "https://user:pass@proxy.example:8443": https_proxy.url,
        "socks5://proxy.example:1080": socks5_proxy.url,
        "socks5h://proxy.example:1080": socks5_proxy.url.replace("socks5://", "socks5h://"),
    }


@pytest.mark.parametrize("code", _examples())
def test_documentation_example(
    code: str, example_urls: dict[str, str], ca_bundle: str, tmp_path: Path
) -> None:
    script = tmp_path / "example.py"
    script.write_text(_rewrite(code, example_urls), encoding="utf-8")
    env = {**os.environ, "SSL_CERT_FILE": ca_bundle, "PYTHONPATH": str(ROOT)}
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"example failed:\n{result.stdout}\n{result.stderr}"
