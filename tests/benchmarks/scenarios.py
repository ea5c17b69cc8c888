"""What is measured: each scenario, its size, and which clients run it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MiB", "SCENARIOS", "Scenario"]

MiB = 1024 * 1024

_DOWNLOADERS = (
    "tls_requests-h2",
    "tls_requests-h1",
    "httpx-h2",
    "httpx-h1",
    "requests-h1",
    "curl_cffi-h2",
    "curl_cffi-h1",
)
_TLS_CLIENT = ("tls_client-h2", "tls_client-h1")
_ASYNC = (
    "tls_requests-h2",
    "tls_requests-h1",
    "httpx-h2",
    "httpx-h1",
    "curl_cffi-h2",
    "aiohttp-h1",
    "tls_client-h2",
)


@dataclass(frozen=True)
class Scenario:
    """
    One measurement, run once per client per repetition, each in a fresh process.

    kind: "content" (GET, whole body into memory), "stream" (GET, read in chunks), "sequential"
    (`count` GETs one after another on one client), "oneshot" (`count` module-level GETs),
    "upload" (POST `size` bytes), "async" (`count` GETs at once with asyncio.gather).
    """

    name: str
    title: str
    kind: str
    path: str
    clients: tuple[str, ...]
    size: int = 0
    count: int = 1

    @property
    def unit(self) -> str:
        return "MB/s" if self.kind in ("content", "stream", "upload") else "req/s"

    @property
    def is_async(self) -> bool:
        return self.kind == "async"

    def rate(self, seconds: float) -> float:
        """Throughput of one run: MB/s (10^6 bytes) or requests per second."""
        if self.unit == "MB/s":
            return self.size / seconds / 1e6
        return self.count / seconds


DOWNLOAD_SIZE = 100 * MiB
UPLOAD_SIZE = 50 * MiB

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "download",
            "100 MiB download, whole body (`.content`)",
            "content",
            f"/bytes/{DOWNLOAD_SIZE}",
            _DOWNLOADERS + _TLS_CLIENT,
            size=DOWNLOAD_SIZE,
        ),
        Scenario(
            "stream",
            "100 MiB download, streamed in chunks",
            "stream",
            f"/bytes/{DOWNLOAD_SIZE}",
            _DOWNLOADERS,
            size=DOWNLOAD_SIZE,
        ),
        Scenario(
            "sequential",
            "2,000 sequential GET /json on one client",
            "sequential",
            "/json",
            _DOWNLOADERS + _TLS_CLIENT,
            count=2000,
        ),
        Scenario(
            "oneshot",
            "200 module-level GET /json (a new client per call)",
            "oneshot",
            "/json",
            ("tls_requests.get-h2", "httpx.get-h1", "requests.get-h1", "curl_cffi.get-h2"),
            count=200,
        ),
        Scenario(
            "upload",
            "50 MiB POST /echo (server hashes the body)",
            "upload",
            "/echo",
            _DOWNLOADERS + _TLS_CLIENT,
            size=UPLOAD_SIZE,
        ),
        Scenario(
            "async-delay",
            "500 concurrent GET /delay/0.05 on one async client",
            "async",
            "/delay/0.05",
            _ASYNC,
            count=500,
        ),
        Scenario(
            "async-json",
            "500 concurrent GET /json on one async client",
            "async",
            "/json",
            _ASYNC,
            count=500,
        ),
    )
}
