"""
Load sanity of the perf server. Bounds are deliberately generous: these prove concurrency
(requests overlap instead of queueing), not speed.
"""

from __future__ import annotations

import asyncio
import ssl
import time

import httpx

from tests.servers import HypercornServer


async def test_1000_concurrent_h2_streams_on_one_connection(
    perf_server: HypercornServer, client_ssl: ssl.SSLContext
) -> None:
    perf_server.reset_counts()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(
        verify=client_ssl, http2=True, limits=limits, timeout=60
    ) as client:
        started = time.monotonic()
        responses = await asyncio.gather(
            *(client.get(perf_server.url_for(f"/delay/0.5?i={i}")) for i in range(1000))
        )
        elapsed = time.monotonic() - started
    assert all(r.status_code == 200 and r.http_version == "HTTP/2" for r in responses)
    assert perf_server.connection_count() == 1
    assert elapsed < 30, f"1000 x 0.5 s requests took {elapsed:.1f} s: not concurrent"


async def test_200_concurrent_h1_connections(
    perf_server: HypercornServer, client_ssl: ssl.SSLContext
) -> None:
    perf_server.reset_counts()
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(verify=client_ssl, limits=limits, timeout=60) as client:
        started = time.monotonic()
        responses = await asyncio.gather(
            *(client.get(perf_server.url_for("/delay/0.5")) for _ in range(200))
        )
        elapsed = time.monotonic() - started
    assert all(r.status_code == 200 and r.http_version == "HTTP/1.1" for r in responses)
    assert perf_server.connection_count() == 200
    assert elapsed < 15, f"200 x 0.5 s requests took {elapsed:.1f} s: not concurrent"
