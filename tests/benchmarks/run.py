"""
The benchmark harness: `python -m tests.benchmarks [--repeat N] [--only a,b] [--clients x,y]`.

It starts a loopback server (see `servers.py`), then for every repetition runs every scenario
once per client, each run in a fresh worker process (`worker.py`) so memory is per library.
Clients are interleaved within a repetition, so a burst of load from other work on the machine
spreads over all of them instead of landing on one. It prints one table per scenario: medians,
the spread of the repetitions, and ratios against tls_requests with the same HTTP version.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from tests.benchmarks.report import Row, render_markdown, render_text
from tests.benchmarks.scenarios import SCENARIOS, Scenario
from tests.benchmarks.servers import BenchServer, make_server
from tests.benchmarks.worker import RESULT_PREFIX

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 300.0
# Nothing from the environment may send a client elsewhere than the loopback server.
_DROPPED_ENV = {
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSLKEYLOGFILE",
}
PACKAGES = ["tls_requests", "httpx", "h2", "requests", "curl_cffi", "tls_client", "aiohttp"]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument(
        "--only", default="", help=f"comma-separated scenarios (default all: {','.join(SCENARIOS)})"
    )
    parser.add_argument("--clients", default="", help="comma-separated client ids to keep")
    parser.add_argument(
        "--server",
        choices=("go", "hypercorn"),
        default="go",
        help="go: fast stdlib server (default); hypercorn: the test suite's Python server",
    )
    parser.add_argument("--json", type=Path, help="also write every run's raw result here")
    parser.add_argument("--markdown", type=Path, help="also write the tables as Markdown here")
    return parser.parse_args(argv)


def _missing(modules: tuple[str, ...]) -> str:
    absent = [m for m in modules if importlib.util.find_spec(m) is None]
    return f"skipped: {', '.join(absent)} not installed" if absent else ""


def _worker_env(server: BenchServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in _DROPPED_ENV}
    # tls-client (PyPI) has no CA option; Go reads SSL_CERT_FILE for its system roots.
    env["SSL_CERT_FILE"] = server.ca_pem
    env["NO_PROXY"] = "*"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _run_worker(server: BenchServer, scenario: Scenario, client: str) -> dict[str, Any]:
    spec = {
        "scenario": scenario.name,
        "client": client,
        "base_url": server.url_for("/"),
        "ca": server.ca_pem,
    }
    server.reset_counts()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.worker", json.dumps(spec)],
            cwd=ROOT,
            env=_worker_env(server),
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {WORKER_TIMEOUT:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"ok": False, "error": f"worker exited {done.returncode}: {' | '.join(tail)}"}
    result: dict[str, Any] = json.loads(lines[-1][len(RESULT_PREFIX) :])
    result["connections"] = server.connection_count()
    return result


def _versions() -> str:
    found = []
    for name in PACKAGES:
        dist = {"tls_client": "tls-client", "curl_cffi": "curl_cffi"}.get(name, name)
        try:
            found.append(f"{name} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (absent)")
    return ", ".join(found)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {memory:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    names = [n for n in args.only.split(",") if n] or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(unknown)}")
    keep = {c for c in args.clients.split(",") if c}
    scenarios = [SCENARIOS[n] for n in names]
    rows = [Row(s, client) for s in scenarios for client in s.clients if not keep or client in keep]
    for row in rows:
        row.skipped = _missing(row.info.modules)

    print(f"machine: {_machine()}")
    print(f"versions: {_versions()}")
    print(f"server: {args.server}; repetitions: {args.repeat}; load average at start: {_load()}")
    max_body = max([s.size for s in scenarios if s.kind in ("content", "stream")] or [1])
    started = time.monotonic()
    server = make_server(args.server, max_body)
    try:
        with server:
            for repetition in range(args.repeat):
                for row in rows:
                    if row.skipped:
                        continue
                    result = _run_worker(server, row.scenario, row.client)
                    row.runs.append(result)
                    status = "ok" if result.get("ok") else f"FAILED {result.get('error')}"
                    seconds = result.get("seconds")
                    timing = f"{seconds:.3f} s" if seconds is not None else ""
                    print(
                        f"[{repetition + 1}/{args.repeat}] {row.scenario.name:<11} "
                        f"{row.client:<20} {timing:>10}  {status}",
                        flush=True,
                    )
    finally:
        shutil.rmtree(server.workdir, ignore_errors=True)

    elapsed = time.monotonic() - started
    print(f"\nfinished in {elapsed:.0f} s; load average at end: {_load()}")
    print(render_text(rows))
    if args.markdown:
        header = (
            f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, server {args.server}, "
            f"{args.repeat} repetitions, medians.\n\nMachine: {_machine()}.\n\n"
            f"Versions: {_versions()}.\n"
        )
        args.markdown.write_text(header + render_markdown(rows), encoding="utf-8")
    if args.json:
        raw = [
            {"scenario": r.scenario.name, "client": r.client, "skipped": r.skipped, "runs": r.runs}
            for r in rows
        ]
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 1 if any(r.error for r in rows) else 0
