"""
The servers the benchmarks talk to, both on 127.0.0.1 only, both serving the same routes:

* `/bytes/{n}` - the first n bytes of `payloads.pattern_bytes` (expected sha256 known here);
* `/json` - `payloads.JSON_DOC`; `/echo` - reads the body, replies with its length and sha256;
* `/delay/{s}` - replies after s seconds.

`GoServer` (default) is a small Go standard-library server built from `goserver/main.go`; it
serves from memory near 1 GB/s, so the numbers measure the clients. `HypercornBench` is the
test suite's own Python server (`tests.servers.HypercornServer`), which caps a download near
130 MB/s (HTTP/1.1) and 65 MB/s (HTTP/2) on two cores: useful as a cross-check only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from tests.servers import HypercornServer, TestApp, make_tls_material, payloads
from tests.servers._lifecycle import Startable

__all__ = ["BenchServer", "GoServer", "HypercornBench", "make_server"]

GO_SOURCE = Path(__file__).resolve().parent / "goserver" / "main.go"
START_TIMEOUT = 60.0


class BenchServer(Startable):
    """A started server: `url_for(path)`, `ca_pem`, and counts of accepted TCP connections."""

    name = "server"

    def __init__(self, workdir: Path, max_body: int) -> None:
        self.workdir = workdir
        self.max_body = max_body
        self.tls = make_tls_material(workdir / "tls")
        self.ca_pem = str(self.tls.ca_pem)
        self.port = 0

    def url_for(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def connection_count(self) -> int:
        raise NotImplementedError

    def reset_counts(self) -> None:
        raise NotImplementedError


class GoServer(BenchServer):
    name = "go"

    def __init__(self, workdir: Path, max_body: int) -> None:
        super().__init__(workdir, max_body)
        self._process: subprocess.Popen[str] | None = None
        self._control = ""

    def _build(self) -> Path:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "build_scripts"))
        import gotoolchain

        go = gotoolchain.find_go()
        binary = self.workdir / "benchserver"
        subprocess.run(
            [go.executable, "build", "-o", str(binary), str(GO_SOURCE)],
            cwd=GO_SOURCE.parent,
            env=go.env(GOFLAGS="", CGO_ENABLED="0"),
            check=True,
            timeout=300,
        )
        return binary

    def start(self) -> GoServer:
        binary = self._build()
        body = self.workdir / "body.bin"
        body.write_bytes(payloads.pattern_bytes(self.max_body))
        doc = self.workdir / "doc.json"
        doc.write_bytes(json.dumps(payloads.JSON_DOC, sort_keys=True).encode())
        command = [str(binary), "-cert", str(self.tls.server_pem)]
        command += ["-body", str(body), "-json", str(doc)]
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().split()
        if len(line) != 3 or line[0] != "READY":
            self.stop()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.port = int(line[1])
        self._control = f"http://127.0.0.1:{line[2]}"
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()  # the server exits when its stdin closes
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if process.stdout is not None:
            process.stdout.close()

    def _stats(self, path: str) -> dict[str, Any]:
        with urllib.request.urlopen(self._control + path, timeout=10) as response:
            return dict(json.load(response))

    def connection_count(self) -> int:
        return int(self._stats("/stats")["connections"])

    def reset_counts(self) -> None:
        self._stats("/reset")


class _CachedBytesApp:
    """`TestApp` with `/bytes/{n}` served from memory (the generator costs ~0.4 s per 100 MiB)."""

    CHUNK = 1024 * 1024

    def __init__(self, body: bytes) -> None:
        self.body = memoryview(body)
        self.inner = TestApp()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/bytes/"):
            await self.inner(scope, receive, send)
            return
        n = int(path.rsplit("/", 1)[1])
        headers = [(b"content-type", b"application/octet-stream")]
        headers.append((b"content-length", str(n).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for start in range(0, n, self.CHUNK):
            piece = self.body[start : min(n, start + self.CHUNK)]
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class HypercornBench(BenchServer):
    name = "hypercorn"

    def __init__(self, workdir: Path, max_body: int) -> None:
        super().__init__(workdir, max_body)
        app = _CachedBytesApp(payloads.pattern_bytes(max_body))
        self._server = HypercornServer(
            app, tls=self.tls, h2_max_concurrent_streams=2048, backlog=2048, name="bench"
        )

    def start(self) -> HypercornBench:
        self._server.start()
        self.port = self._server.port
        return self

    def stop(self) -> None:
        self._server.stop()

    def connection_count(self) -> int:
        return self._server.connection_count()

    def reset_counts(self) -> None:
        self._server.reset_counts()


def make_server(kind: str, max_body: int) -> BenchServer:
    workdir = Path(tempfile.mkdtemp(prefix="tlsr-bench-"))
    servers: dict[str, type[BenchServer]] = {"go": GoServer, "hypercorn": HypercornBench}
    return servers[kind](workdir, max_body)
