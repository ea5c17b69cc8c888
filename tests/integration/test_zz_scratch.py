import asyncio, time
import pytest
import tls_requests
from tls_requests import _ffi


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
