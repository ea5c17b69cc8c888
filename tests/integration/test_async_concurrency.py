"""
AsyncClient under load: the event loop never blocks, requests really overlap, cancellation
aborts the Go request and frees its worker, and `aclose()` fails what is still in flight.

Bounds are deliberately generous (this runs on 2 shared cores, next to the test servers in the
same process); each one is far from what the broken behaviour would give, stated next to it.
The load tests use `perf_server` over HTTP/2, so hundreds of requests share one connection
(a Go client dials new connections one at a time, see FIELD_NOTES; the session keeps Go
clients per origin, see docs/internals/ffi.md).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import pytest

import tls_requests
from tests.servers import RawServer
from tls_requests import _ffi

T = TypeVar("T")


def in_flight() -> int:
    """Request handles open in Go right now."""
    return _ffi.debug_stats()["requests"]


async def wait_until(condition: Callable[[], bool], timeout: float) -> float:
    """Poll `condition` until it holds; return how long that took (fails after `timeout`)."""
    started = time.monotonic()
    while not condition():
        elapsed = time.monotonic() - started
        assert elapsed < timeout, f"condition not met within {timeout} s"
        await asyncio.sleep(0.005)
    return time.monotonic() - started


class Ticker:
    """A coroutine that wakes every 10 ms and records each gap between wake-ups."""

    def __init__(self) -> None:
        self.gaps: list[tuple[float, float]] = []  # (asleep since, woke up at), loop time
        self._task: asyncio.Task[None] | None = None

    def max_gap(self, since: float = 0.0) -> float:
        """The longest gap among those that started at `since` or later."""
        return max((end - start for start, end in self.gaps if start >= since), default=0.0)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(0.01)
            now = loop.time()
            self.gaps.append((last, now))
            last = now

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *args: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def timed(awaitable: Awaitable[object]) -> float:
    started = time.monotonic()
    await awaitable
    return time.monotonic() - started


# -- the event loop never blocks; requests really overlap ---------------------------------------


async def test_event_loop_never_blocks(ca_bundle: str, perf_server) -> None:
    """200 requests in flight, each delayed 1 s: the loop keeps ticking every ~10 ms.

    If a blocking native call ran on the loop, a gap would last at least a whole 1 s delay.
    Two phases are measured:
    - once all 200 are in flight in Go, until the burst of 200 responses has been handled
      (measured 0.01-0.06 s here; bound 0.15 s);
    - the whole run, which includes dispatching the burst: 200 requests are built and handed to
      the pool in one loop iteration, Python work of a few hundred microseconds per request on
      these busy cores (measured 0.1-0.45 s, once 0.5 s; bound 0.75 s, still below the 1 s a
      single blocking call would take).
    """
    url = perf_server.url_for("/delay/1")
    limits = tls_requests.Limits(max_connections=200)
    loop = asyncio.get_running_loop()
    async with (
        tls_requests.AsyncClient(verify=ca_bundle, limits=limits) as client,
        Ticker() as ticker,
    ):
        tasks = [asyncio.create_task(client.get(url)) for _ in range(200)]
        await wait_until(lambda: in_flight() == 200, timeout=5)
        all_in_flight = loop.time()
        responses = await asyncio.gather(*tasks)
    assert all(r.status_code == 200 for r in responses)
    in_flight_gap = ticker.max_gap(since=all_in_flight)
    overall_gap = ticker.max_gap()
    assert sum(start >= all_in_flight for start, _ in ticker.gaps) > 30  # it ticked throughout
    print(f"max gap: overall {overall_gap:.3f} s, once all were in flight {in_flight_gap:.3f} s")
    assert overall_gap < 0.75, f"dispatching stalled the event loop for {overall_gap:.3f} s"
    assert in_flight_gap < 0.15, f"the event loop stalled for {in_flight_gap:.3f} s"


@pytest.mark.parametrize("http2", [True, False], ids=["h2", "h1"])
async def test_requests_run_concurrently(ca_bundle: str, perf_server, http2: bool) -> None:
    """N=200 requests that each wait d=0.5 s finish in about d (default limits: 2 rounds of 100),
    not N*d = 100 s; asyncio's default executor (6 workers here) would need about 17 s."""
    url = perf_server.url_for("/delay/0.5")
    async with tls_requests.AsyncClient(verify=ca_bundle, http2=http2) as client:
        started = time.monotonic()
        responses = await asyncio.gather(*(client.get(url) for _ in range(200)))
        elapsed = time.monotonic() - started
    assert {r.http_version for r in responses} == {"HTTP/2" if http2 else "HTTP/1.1"}
    assert all(r.json()["delay"] == 0.5 for r in responses)
    print(f"200 x 0.5 s in {elapsed:.2f} s")
    assert elapsed < 5, f"200 x 0.5 s took {elapsed:.2f} s: not concurrent"


async def test_1000_requests_on_one_client(ca_bundle: str, perf_server) -> None:
    perf_server.reset_counts()
    async with tls_requests.AsyncClient(verify=ca_bundle) as client:
        responses = await asyncio.gather(
            *(client.get(perf_server.url_for(f"/echo?i={i}")) for i in range(1000))
        )
    assert [r.json()["query"] for r in responses] == [f"i={i}" for i in range(1000)]
    assert {r.http_version for r in responses} == {"HTTP/2"}
    assert perf_server.connection_count() == 1  # every stream multiplexed on one connection


# -- new connections: one slow host does not hold up the others --------------------------------


async def test_connections_to_different_hosts_open_in_parallel(
    ca_bundle: str, https_server
) -> None:
    """4 hosts whose handshakes each take 0.4 s: about 0.4 s together, not 1.6 s (a Go client
    makes its connections one at a time, so the session keeps one per host)."""
    delay = 0.4
    with contextlib.ExitStack() as stack:
        relays = [
            stack.enter_context(RawServer.slow_relay(https_server.port, delay)) for _ in range(4)
        ]
        async with tls_requests.AsyncClient(verify=ca_bundle) as client:
            urls = [f"{relay.https_url}echo" for relay in relays]
            started = time.monotonic()
            responses = await asyncio.gather(*(client.get(url) for url in urls))
            elapsed = time.monotonic() - started
    assert [r.status_code for r in responses] == [200] * 4
    print(f"4 hosts with a {delay} s handshake each: {elapsed:.2f} s")
    assert elapsed < 3 * delay, f"the handshakes ran one after another: {elapsed:.2f} s"


async def test_a_burst_to_one_http1_host_opens_connections_in_parallel(
    ca_bundle: str, https_h1_server
) -> None:
    """HTTP/1.1 needs a connection per request in flight. With a 0.25 s handshake, 12 requests
    open their connections 6 at a time: all 12 have begun within about 0.5 s of the first, not
    one after another (11 x 0.25 s = 2.75 s)."""
    with RawServer.slow_relay(https_h1_server.port, 0.25) as relay:
        async with tls_requests.AsyncClient(verify=ca_bundle) as client:
            url = f"{relay.https_url}delay/1.5"  # no connection is free again before all opened
            responses = await asyncio.gather(*(client.get(url) for _ in range(12)))
        accepted = list(relay.accepted_at)
    assert {r.http_version for r in responses} == {"HTTP/1.1"}
    assert all(r.status_code == 200 for r in responses)
    spread = accepted[-1] - accepted[0]
    print(f"12 HTTP/1.1 requests, 0.25 s handshake: {len(accepted)} connections in {spread:.2f} s")
    assert len(accepted) == 12
    assert spread < 1.25, f"connections opened one after another, over {spread:.2f} s"


async def test_a_hanging_host_does_not_block_requests_to_others(
    ca_bundle: str, https_server, blackhole_server
) -> None:
    async with tls_requests.AsyncClient(verify=ca_bundle) as client:
        hanging = asyncio.create_task(client.get(blackhole_server.https_url, timeout=2.0))
        await asyncio.sleep(0.2)  # its TLS handshake is now waiting for an answer
        elapsed = await timed(client.get(https_server.url_for("/echo")))
        assert elapsed < 1.0, f"a request to another host waited {elapsed:.2f} s"
        with pytest.raises(tls_requests.ConnectTimeout):
            await hanging


# -- the executor: the client's own, sized by Limits --------------------------------------------


async def test_limits_cap_requests_in_flight(ca_bundle: str, https_server) -> None:
    """max_connections=2: 4 x 0.5 s run two at a time, so they take about 1 s, not 0.5 s."""
    url = https_server.url_for("/delay/0.5")
    peak = 0

    async def watch() -> None:
        nonlocal peak
        while True:
            peak = max(peak, in_flight())
            await asyncio.sleep(0.005)

    limits = tls_requests.Limits(max_connections=2)
    async with tls_requests.AsyncClient(verify=ca_bundle, limits=limits) as client:
        watcher = asyncio.create_task(watch())
        elapsed = await timed(asyncio.gather(*(client.get(url) for _ in range(4))))
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        workers = client._transport._pool._workers  # type: ignore[attr-defined]
    assert workers == 2  # the client's own threads, as many as the limit
    print(f"4 x 0.5 s with 2 workers: {elapsed:.2f} s, peak {peak} in flight")
    assert peak == 2
    assert 0.9 < elapsed < 5, f"4 x 0.5 s with 2 workers took {elapsed:.2f} s"


async def test_waiting_longer_than_the_pool_timeout_raises_pool_timeout(
    ca_bundle: str, https_server
) -> None:
    """One place, taken by a slow request: the next waits `Timeout.pool`, then fails typed,
    while the first still succeeds. A streamed response holds its place until closed."""
    limits = tls_requests.Limits(max_connections=1)
    timeout = tls_requests.Timeout(5.0, pool=0.2)
    async with tls_requests.AsyncClient(verify=ca_bundle, limits=limits, timeout=timeout) as client:
        slow = asyncio.create_task(client.get(https_server.url_for("/delay/1")))
        await wait_until(lambda: in_flight() == 1, timeout=5)
        with pytest.raises(tls_requests.PoolTimeout) as info:
            await timed(client.get(https_server.url_for("/echo")))
        assert info.value.request.url.path == "/echo"
        assert (await slow).status_code == 200

        async with client.stream("GET", https_server.url_for("/echo")) as held:
            started = time.monotonic()
            with pytest.raises(tls_requests.PoolTimeout):
                await client.get(https_server.url_for("/echo"))
            waited = time.monotonic() - started
            await held.aread()
        assert 0.15 < waited < 2, f"waited {waited:.2f} s for a 0.2 s pool timeout"
        assert (await client.get(https_server.url_for("/echo"))).status_code == 200


async def test_default_limits_allow_100_in_flight(ca_bundle: str, perf_server) -> None:
    url = perf_server.url_for("/delay/1")
    async with tls_requests.AsyncClient(verify=ca_bundle) as client:
        tasks = [asyncio.create_task(client.get(url)) for _ in range(120)]
        await wait_until(lambda: in_flight() >= 100, timeout=5)
        responses = await asyncio.gather(*tasks)
    assert all(r.status_code == 200 for r in responses)


async def test_asyncio_default_executor_is_not_used(ca_bundle: str, https_server) -> None:
    class Refusing(concurrent.futures.ThreadPoolExecutor):
        def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
            raise AssertionError("the default executor was used")

    loop = asyncio.get_running_loop()
    loop.set_default_executor(Refusing(max_workers=1))
    async with tls_requests.AsyncClient(verify=ca_bundle) as client:
        responses = await asyncio.gather(
            *(client.get(https_server.url_for("/delay/0.2")) for _ in range(20))
        )
    assert all(r.status_code == 200 for r in responses)


async def test_every_path_gives_its_place_back(ca_bundle: str, https_server) -> None:
    """With room for 2 requests, 20 that end in every possible way leave the client usable."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        refused = f"https://127.0.0.1:{sock.getsockname()[1]}/"
    limits = tls_requests.Limits(max_connections=2)
    async with tls_requests.AsyncClient(verify=ca_bundle, limits=limits) as client:
        for _ in range(4):
            with pytest.raises(tls_requests.ConnectError):
                await client.get(refused)
            with pytest.raises(tls_requests.ReadTimeout):
                await client.get(https_server.url_for("/delay/3"), timeout=0.1)
            assert (await client.get(https_server.url_for("/status/503"))).status_code == 503
            async with client.stream("GET", https_server.url_for("/bytes/10000000")) as response:
                async for _ in response.aiter_bytes():
                    break  # leave with most of the body unread
            task = asyncio.create_task(client.get(https_server.url_for("/delay/10")))
            await asyncio.sleep(0.05)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        responses = await asyncio.wait_for(
            asyncio.gather(*(client.get(https_server.url_for("/echo")) for _ in range(4))), 5
        )
    assert [r.status_code for r in responses] == [200] * 4


# -- cancellation -------------------------------------------------------------------------------


async def _assert_pool_is_free(client: tls_requests.AsyncClient, https_server) -> None:
    # A worker still stuck in a cancelled /delay/10 would hold this back for ~10 s.
    elapsed = await timed(asyncio.wait_for(client.get(https_server.url_for("/echo")), 5))
    print(f"next request after cancelling: {elapsed:.3f} s")
    assert elapsed < 2, f"a new request needed {elapsed:.2f} s: workers were not freed"


async def test_task_cancel_aborts_the_go_request(ca_bundle: str, https_server) -> None:
    limits = tls_requests.Limits(max_connections=4)
    async with tls_requests.AsyncClient(verify=ca_bundle, limits=limits) as client:
        url = https_server.url_for("/delay/10")
        tasks = [asyncio.create_task(client.get(url)) for _ in range(4)]
        await wait_until(lambda: in_flight() == 4, timeout=5)
        await asyncio.sleep(0.2)  # all four are now waiting for their response in Go
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        freed = await wait_until(lambda: in_flight() == 0, timeout=2)
        await _assert_pool_is_free(client, https_server)
    print(f"4 cancelled requests released in {freed:.3f} s")


async def test_wait_for_timeout_aborts_the_go_request(ca_bundle: str, https_server) -> None:
    limits = tls_requests.Limits(max_connections=4)
    async with tls_requests.AsyncClient(verify=ca_bundle, limits=limits) as client:
        url = https_server.url_for("/delay/10")
        results = await asyncio.gather(
            *(asyncio.wait_for(client.get(url), 0.5) for _ in range(4)), return_exceptions=True
        )
        assert all(isinstance(r, asyncio.TimeoutError) for r in results), results
        freed = await wait_until(lambda: in_flight() == 0, timeout=2)
        await _assert_pool_is_free(client, https_server)
    print(f"4 timed-out requests released in {freed:.3f} s")


async def test_cancel_while_streaming_the_body(ca_bundle: str, https_server) -> None:
    async with tls_requests.AsyncClient(verify=ca_bundle) as client:
        url = https_server.url_for("/stall_body?seconds=30")

        async def read_all() -> None:
            async with client.stream("GET", url) as response:
                async for _ in response.aiter_bytes():
                    pass

        task = asyncio.create_task(read_all())
        await wait_until(lambda: in_flight() == 1, timeout=5)
        await asyncio.sleep(0.3)  # the first chunk arrived; the read now stalls in Go
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await wait_until(lambda: in_flight() == 0, timeout=2)
        await _assert_pool_is_free(client, https_server)


async def test_cancel_a_request_still_queued_for_a_worker(ca_bundle: str, https_server) -> None:
    limits = tls_requests.Limits(max_connections=1)
    async with tls_requests.AsyncClient(verify=ca_bundle, limits=limits) as client:
        busy = asyncio.create_task(client.get(https_server.url_for("/delay/10")))
        await wait_until(lambda: in_flight() == 1, timeout=5)
        queued = asyncio.create_task(client.get(https_server.url_for("/echo")))
        await asyncio.sleep(0.1)
        assert not queued.done()
        queued.cancel()
        busy.cancel()
        results = await asyncio.gather(busy, queued, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        await wait_until(lambda: in_flight() == 0, timeout=2)
        await _assert_pool_is_free(client, https_server)


async def test_cancellation_at_every_moment_leaks_nothing(ca_bundle: str, https_server) -> None:
    """Cancel after 0, 1, 2, ... loop iterations: before the worker picks the request up, while
    it is starting in Go, and while it waits. Every path must close its Go handle."""
    async with tls_requests.AsyncClient(verify=ca_bundle) as client:
        url = https_server.url_for("/delay/10")
        for spins in range(40):
            task = asyncio.create_task(client.get(url))
            for _ in range(spins):
                await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        await wait_until(lambda: in_flight() == 0, timeout=2)
        await _assert_pool_is_free(client, https_server)


# -- aclose() with requests in flight -------------------------------------------------------------


async def test_aclose_fails_requests_in_flight(ca_bundle: str, https_server) -> None:
    limits = tls_requests.Limits(max_connections=20)
    client = tls_requests.AsyncClient(verify=ca_bundle, limits=limits)
    waiting = [client.get(https_server.url_for("/delay/10")) for _ in range(20)]
    downloading = [client.get(https_server.url_for("/bytes/100000000")) for _ in range(3)]
    tasks = [asyncio.create_task(c) for c in [*waiting, *downloading]]  # 3 wait for a worker
    await wait_until(lambda: in_flight() >= 20, timeout=5)
    await asyncio.sleep(0.3)
    closing = await timed(client.aclose())
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    assert all(isinstance(r, tls_requests.ClientClosed) for r in results), results
    print(f"aclose() with 23 requests in flight took {closing:.3f} s")
    assert closing < 2
    await wait_until(lambda: not any(_ffi.debug_stats().values()), timeout=2)


async def test_aclose_during_body_download_fails_the_read(ca_bundle: str, https_server) -> None:
    client = tls_requests.AsyncClient(verify=ca_bundle)
    received = 0

    async def download() -> None:
        nonlocal received
        async with client.stream("GET", https_server.url_for("/bytes/200000000")) as response:
            async for chunk in response.aiter_bytes():
                received += len(chunk)

    task = asyncio.create_task(download())
    await wait_until(lambda: received > 0, timeout=5)
    await client.aclose()
    with pytest.raises(tls_requests.ClientClosed):
        await asyncio.wait_for(task, 5)
    await wait_until(lambda: not any(_ffi.debug_stats().values()), timeout=2)
