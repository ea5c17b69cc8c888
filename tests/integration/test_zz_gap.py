import asyncio, time
import tls_requests

async def test_gap(ca_bundle, perf_server):
    url = perf_server.url_for("/delay/1")
    loop = asyncio.get_running_loop()
    gaps = []
    async def tick():
        last = loop.time()
        while True:
            await asyncio.sleep(0.01)
            now = loop.time(); gaps.append((round(now-last,3), round(last-t0,3))); last = now
    async with tls_requests.AsyncClient(verify=ca_bundle, limits=tls_requests.Limits(max_connections=200)) as client:
        t0 = loop.time()
        t = asyncio.create_task(tick()); await asyncio.sleep(0.05)
        await asyncio.gather(*(client.get(url) for _ in range(200)))
        t.cancel()
    print(sorted(gaps, reverse=True)[:5])
