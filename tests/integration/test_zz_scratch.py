import asyncio, time
import pytest
import tls_requests
from tls_requests import _ffi


async def ticker(stop, gaps):
    loop = asyncio.get_running_loop()
    last = loop.time()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = loop.time()
        gaps.append(now - last)
        last = now


@pytest.mark.parametrize("srv", ["https_server", "perf_server"])
@pytest.mark.parametrize("http2", [True, False])
async def test_conc(ca_bundle, srv, http2, request):
    server = request.getfixturevalue(srv)
    server.reset_counts()
    async with tls_requests.AsyncClient(verify=ca_bundle, http2=http2) as client:
        await client.get(server.url_for("/echo"))
        stop = asyncio.Event(); gaps = []
        t = asyncio.create_task(ticker(stop, gaps))
        t0 = time.perf_counter()
        rs = await asyncio.gather(*[client.get(server.url_for("/delay/0.5")) for _ in range(200)])
        el = time.perf_counter() - t0
        stop.set(); await t
    print(srv, http2, "elapsed", el, "maxgap", max(gaps), "conns", server.connection_count(), {r.http_version for r in rs})


@pytest.mark.parametrize("srv", ["https_server", "perf_server"])
async def test_scale(ca_bundle, srv, request):
    server = request.getfixturevalue(srv)
    server.reset_counts()
    async with tls_requests.AsyncClient(verify=ca_bundle) as client:
        t0 = time.perf_counter()
        rs = await asyncio.gather(*[client.get(server.url_for(f"/echo?i={i}")) for i in range(1000)])
        el = time.perf_counter() - t0
    print(srv, "scale elapsed", el, "conns", server.connection_count(), {r.status_code for r in rs})


async def test_cancel(ca_bundle, https_server):
    async with tls_requests.AsyncClient(verify=ca_bundle, limits=tls_requests.Limits(max_connections=4)) as client:
        tasks = [asyncio.create_task(client.get(https_server.url_for("/delay/10"))) for _ in range(4)]
        await asyncio.sleep(0.5)
        print("stats during", _ffi.debug_stats())
        t0 = time.perf_counter()
        for t in tasks: t.cancel()
        res = await asyncio.gather(*tasks, return_exceptions=True)
        print([type(r) for r in res])
        while _ffi.debug_stats()["requests"]:
            await asyncio.sleep(0.01)
        print("freed in", time.perf_counter() - t0)
        t0 = time.perf_counter()
        r = await client.get(https_server.url_for("/echo"))
        print("next request in", time.perf_counter() - t0)
        try:
            await asyncio.wait_for(client.get(https_server.url_for("/delay/10")), 0.3)
        except asyncio.TimeoutError:
            print("wait_for timeout")
        t0 = time.perf_counter()
        while _ffi.debug_stats()["requests"]:
            await asyncio.sleep(0.01)
        print("freed in", time.perf_counter() - t0)


async def test_aclose_inflight(ca_bundle, https_server):
    client = tls_requests.AsyncClient(verify=ca_bundle)
    tasks = [asyncio.create_task(client.get(https_server.url_for("/delay/10"))) for _ in range(20)]
    tasks += [asyncio.create_task(client.get(https_server.url_for("/bytes/50000000"))) for _ in range(5)]
    await asyncio.sleep(0.5)
    await client.aclose()
    res = await asyncio.gather(*tasks, return_exceptions=True)
    print([type(r).__name__ for r in res])
