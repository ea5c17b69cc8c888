import asyncio, time, sys
import pytest
import tls_requests
from tls_requests import _ffi


async def ticker(stop, gaps, t0):
    loop = asyncio.get_running_loop()
    last = loop.time()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = loop.time()
        gaps.append((round(now - last,3), round(last - t0,3)))
        last = now


@pytest.mark.parametrize("http2", [True, False])
async def test_conc(ca_bundle, https_server, http2):
    server = https_server
    async with tls_requests.AsyncClient(verify=ca_bundle, http2=http2) as client:
        await client.get(server.url_for("/echo"))
        for rnd in range(3):
            stop = asyncio.Event(); gaps = []
            loop = asyncio.get_running_loop()
            t = asyncio.create_task(ticker(stop, gaps, loop.time()))
            await asyncio.sleep(0.05)
            t0 = time.perf_counter()
            rs = await asyncio.gather(*[client.get(server.url_for("/delay/0.5")) for _ in range(200)])
            el = time.perf_counter() - t0
            stop.set(); await t
            print(http2, rnd, "elapsed", round(el,3), sorted(gaps, reverse=True)[:4])
