"""
One measurement in a fresh process: `python -m tests.benchmarks.worker '<spec json>'`.

The process builds one client, warms it up with one GET /json (library loaded, connection
open), records its RSS as the baseline, runs the scenario once and checks every answer
(status, protocol, body length and sha256), so a broken client cannot "win". It prints one
line, `RESULT {json}`: seconds, CPU seconds (all threads, Go's included), baseline and peak
RSS, and details.

Peak RSS is the kernel's high-water mark (VmHWM), reset to the current RSS at the baseline
through /proc/self/clear_refs, so it is the peak of the measured operation alone. (getrusage's
ru_maxrss would not do: Linux carries the parent's high-water mark into a vforked child.)
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import os
import resource
import sys
import time
import traceback
from typing import Any

from tests.benchmarks.clients import ASYNC_CLIENTS, SYNC_CLIENTS, AsyncAdapter, Reply, SyncAdapter
from tests.benchmarks.scenarios import SCENARIOS, Scenario
from tests.servers import payloads

__all__ = ["RESULT_PREFIX", "main"]

RESULT_PREFIX = "RESULT "
JSON_BODY = json.dumps(payloads.JSON_DOC, sort_keys=True).encode()


class Failed(Exception):
    """The client gave a wrong answer."""


class Sink:
    """A stream consumer: hashes what it gets (~1.5 GB/s here), as a real consumer does work."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.length = 0
        self.chunks = 0

    def __call__(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.length += len(chunk)
        self.chunks += 1


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak_rss() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # reset VmHWM to VmRSS (Linux 4.0+)
    except OSError:
        pass  # then the peak also covers start-up; the baseline is still subtracted


def _peak_rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _check(reply: Reply, expected_proto: str, status: int = 200) -> None:
    if reply.status != status:
        raise Failed(f"status {reply.status}, expected {status}")
    if reply.proto != "?" and not reply.proto.startswith(expected_proto):
        raise Failed(f"spoke {reply.proto}, expected {expected_proto}")


def _check_body(body: bytes, length: int, sha256: str) -> None:
    if len(body) != length:
        raise Failed(f"body is {len(body)} bytes, expected {length}")
    if hashlib.sha256(body).hexdigest() != sha256:
        raise Failed("body sha256 differs from the served bytes")


def _check_echo(reply: Reply, length: int, sha256: str) -> None:
    echo = json.loads(reply.body)
    if (echo["body_len"], echo["body_sha256"]) != (length, sha256):
        raise Failed(f"server received {echo['body_len']} bytes with another sha256")


class Measurement:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.scenario: Scenario = SCENARIOS[spec["scenario"]]
        self.base = str(spec["base_url"]).rstrip("/")
        self.ca = str(spec["ca"])
        self.url = self.base + self.scenario.path
        self.json_url = self.base + "/json"
        self.result: dict[str, Any] = {"ok": True, "details": {}}
        self._start = 0.0
        self._cpu = 0.0

    def begin(self) -> None:
        gc.collect()
        self.result["rss_base"] = _rss()
        _reset_peak_rss()
        self._cpu = _cpu()
        self._start = time.perf_counter()

    def end(self) -> None:
        self.result["seconds"] = time.perf_counter() - self._start
        self.result["cpu_seconds"] = _cpu() - self._cpu
        self.result["rss_peak"] = _peak_rss()

    # -- sync --------------------------------------------------------------------------------

    def run_sync(self, adapter: SyncAdapter, proto: str) -> None:
        s = self.scenario
        _check(adapter.get(self.json_url), proto)  # warm-up: library loaded, connection open
        if s.kind == "content":
            self.begin()
            reply = adapter.get(self.url)
            self.end()
            _check(reply, proto)
            _check_body(reply.body, s.size, payloads.pattern_sha256(s.size))
        elif s.kind == "stream":
            sink = Sink()
            self.begin()
            reply = adapter.stream(self.url, sink)
            self.end()
            _check(reply, proto)
            if (sink.length, sink.digest.hexdigest()) != (s.size, payloads.pattern_sha256(s.size)):
                raise Failed(f"streamed {sink.length} bytes, or a wrong sha256")
            self.result["details"]["chunks"] = sink.chunks
        elif s.kind in ("sequential", "oneshot"):
            self.begin()
            for _ in range(s.count):
                reply = adapter.get(self.url)
                _check(reply, proto)
                if reply.body != JSON_BODY:
                    raise Failed("wrong /json body")
            self.end()
        elif s.kind == "upload":
            data = os.urandom(s.size)
            sha256 = hashlib.sha256(data).hexdigest()
            self.begin()
            reply = adapter.post(self.url, data)
            self.end()
            _check(reply, proto)
            _check_echo(reply, s.size, sha256)
        else:
            raise ValueError(f"unknown scenario kind {s.kind}")
        adapter.close()

    # -- async -------------------------------------------------------------------------------

    async def run_async(self, adapter: AsyncAdapter, proto: str) -> None:
        await adapter.open()
        try:
            _check(await adapter.get(self.json_url), proto)
            self.begin()
            replies = await asyncio.gather(
                *(adapter.get(self.url) for _ in range(self.scenario.count))
            )
            self.end()
        finally:
            await adapter.aclose()
        for reply in replies:
            _check(reply, proto)
            if self.scenario.path == "/json" and reply.body != JSON_BODY:
                raise Failed("wrong /json body")


def run(spec: dict[str, Any]) -> dict[str, Any]:
    measurement = Measurement(spec)
    scenario = measurement.scenario
    clients = ASYNC_CLIENTS if scenario.is_async else SYNC_CLIENTS
    info = clients[spec["client"]]
    proto = "HTTP/2" if info.http2 else "HTTP/1.1"
    adapter = info.factory(measurement.ca, info.http2)
    if scenario.is_async:
        asyncio.run(measurement.run_async(adapter, proto))
    else:
        measurement.run_sync(adapter, proto)
    return measurement.result


def main(argv: list[str]) -> int:
    try:
        result = run(json.loads(argv[1]))
    except Failed as exc:
        result = {"ok": False, "error": f"wrong answer: {exc}"}
    except Exception as exc:
        traceback.print_exc()
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
