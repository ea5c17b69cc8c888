"""
Third-party proxy servers from PyPI, for interop tests (tests/integration/test_proxy_interop.py).

* **proxy.py** (abhinavsingh/proxy.py): an HTTP proxy; CONNECT with Basic auth (`--basic-auth`).
* **tiny-proxy** (romis2012/tiny-proxy, the proxy python-socks and httpx-socks test against):
  SOCKS5 with RFC 1929 username/password, and HTTP CONNECT with Basic auth.

Both are installed by the `test` extra. Our own strict, observable proxies stay in `proxies.py`;
these show that the client also works with maintained implementations it did not write.

Each proxy runs in a subprocess of its own, `python -m tests.servers.third_party_proxies ...`
(the runner at the bottom of this file), because:

* the proof that a request really went through the proxy is that the socket the origin server
  accepted belongs to the proxy's process (`local_addresses()`), not to the test process;
* proxy.py forks acceptor processes and installs signal handlers, and neither package's
  warnings or threads should run under pytest's `filterwarnings = error`;
* stopping is a SIGTERM to the one process we started, bounded, then SIGKILL by pid.

Each implementation runs with its own auth code untouched; the runner only adds a check that
refuses non-loopback targets (as `proxies.py` does), so a misconfigured test can never reach
another host through them. Credentials reach the runner through its environment, not argv.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import quote

import psutil

from ._lifecycle import Startable
from ._net import is_loopback_host

__all__ = ["ThirdPartyProxy"]

Implementation = Literal["proxy.py", "tiny-proxy"]
Kind = Literal["http", "socks5"]

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
LOG_TIMEOUT = 5.0
_USERNAME_ENV = "TLSR_THIRD_PARTY_PROXY_USERNAME"
_PASSWORD_ENV = "TLSR_THIRD_PARTY_PROXY_PASSWORD"


class ThirdPartyProxy(Startable):
    """
    A third-party proxy on 127.0.0.1 in a subprocess, requiring `username`/`password`.

    **Parameters:**

    * **implementation** - `"proxy.py"` (HTTP only) or `"tiny-proxy"` (HTTP or SOCKS5).
    * **kind** - `"http"` or `"socks5"`.
    """

    def __init__(
        self, implementation: Implementation, kind: Kind, *, username: str, password: str
    ) -> None:
        if implementation == "proxy.py" and kind != "http":
            raise ValueError("proxy.py serves HTTP proxying only")
        self.implementation = implementation
        self.kind = kind
        self.username = username
        self.password = password
        self.host = "127.0.0.1"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._directory: Path | None = None
        self._log: IO[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return f"{self.implementation} ({self.kind})"

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError(f"{self.name}: not started")
        return self._process.pid

    @property
    def _log_path(self) -> Path:
        if self._directory is None:
            raise RuntimeError(f"{self.name}: not started")
        return self._directory / "proxy.log"

    def start(self) -> ThirdPartyProxy:
        self._directory = Path(tempfile.mkdtemp(prefix="tlsr-third-party-proxy-"))
        ready = self._directory / "port"
        self._log = open(self._log_path, "wb")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, _USERNAME_ENV: self.username, _PASSWORD_ENV: self.password}
        env["PYTHONUNBUFFERED"] = "1"
        command = [sys.executable, "-m", __name__, self.implementation, self.kind]
        command += ["--ready-file", str(ready), "--data-dir", str(self._directory / "data")]
        try:
            self._process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            self.port = self._wait_ready(self._process, ready)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, process: subprocess.Popen[bytes], ready: Path) -> int:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {process.returncode} before listening:\n"
                    + self.log_text()[-4000:]
                )
            if ready.exists():  # written atomically by the runner once it serves
                return int(ready.read_text())
            time.sleep(0.05)
        raise RuntimeError(
            f"{self.name} did not start in {START_TIMEOUT}s:\n" + self.log_text()[-4000:]
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            try:
                children = psutil.Process(process.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                children = []
            if process.poll() is None:
                process.terminate()  # both runners shut down cleanly on SIGTERM
                try:
                    process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(STOP_TIMEOUT)
            # proxy.py's acceptor processes stop with it; should one not, end it by its pid.
            for child in children:
                with contextlib.suppress(psutil.NoSuchProcess):
                    child.kill()
            psutil.wait_procs(children, timeout=STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    # -- what tests use ----------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return self.kind

    @property
    def url(self) -> str:
        """Proxy URL with the right credentials, e.g. `socks5://user:pass@127.0.0.1:PORT`."""
        return self.url_with_auth(self.username, self.password)

    @property
    def url_without_auth(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url_with_auth(self, username: str, password: str, scheme: str | None = None) -> str:
        """The proxy URL with these (e.g. wrong) credentials, optionally another scheme."""
        auth = f"{quote(username, safe='')}:{quote(password, safe='')}"
        return f"{scheme or self.scheme}://{auth}@{self.host}:{self.port}"

    def local_addresses(self) -> set[tuple[str, int]]:
        """(ip, port) of every TCP socket the proxy's processes hold now, listening or not."""
        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return set()
        addresses: set[tuple[str, int]] = set()
        for process in processes:
            try:
                connections = process.net_connections(kind="tcp")
            except psutil.NoSuchProcess:
                continue
            addresses.update((c.laddr.ip, c.laddr.port) for c in connections if c.laddr)
        return addresses

    def log_text(self) -> str:
        """Everything the proxy logged so far (its access log and errors)."""
        try:
            return self._log_path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_mark(self) -> int:
        """A position in the log: pass it to `wait_for_log` to look only at later lines."""
        return len(self.log_text())

    def wait_for_log(self, pattern: str, since: int = 0, timeout: float = LOG_TIMEOUT) -> str:
        """
        The first later log line matching the regex `pattern`, waiting up to `timeout` (proxy.py
        writes its access log line when a tunnel closes); "" if none appeared.
        """
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log_text()[since:].splitlines():
                if regex.search(line):
                    return line
            if time.monotonic() >= deadline:
                return ""
            time.sleep(0.05)

    def tunnel_pattern(self, target_port: int) -> str:
        """A regex for the log line of a tunnel opened to `target_port` on any host."""
        if self.implementation == "proxy.py":
            # access log: "127.0.0.1:CLIENT_PORT - CONNECT localhost:PORT - N bytes - T ms",
            # where N (bytes from the target) is 0 when the proxy could not connect.
            return rf" - CONNECT [^ ]+:{target_port} - [1-9]\d* bytes"
        # tiny-proxy, before it connects: "CONNECT ('127.0.0.1', PROXY_PORT) -> ('localhost', PORT)"
        return rf"CONNECT \(.*\) -> \('[^']+', {target_port}\)"

    @property
    def refusal_pattern(self) -> str:
        """A regex for the log line of refused credentials (wrong or missing)."""
        if self.implementation == "proxy.py":
            return r"ProxyAuthenticationFailed"
        if self.kind == "http":
            return r"401 Unauthorized"  # tiny-proxy answers 401, not 407
        return r"Authentication failed|Not acceptable auth method"

    def __repr__(self) -> str:
        return f"<ThirdPartyProxy {self.name} {self.url_without_auth}>"


# -- the runner (in the proxy's own process) ---------------------------------------------------


def _serving(ready_file: str, port: int, label: str) -> None:
    """Tell the test process we serve on `port`, and exit with it."""
    temporary = f"{ready_file}.tmp"
    with open(temporary, "w") as file:
        file.write(str(port))
    os.replace(temporary, ready_file)  # the test process never reads a partial file
    print(f"{label} listening on 127.0.0.1:{port}", flush=True)
    # SIGTERM ourselves once the test process is gone, so a killed pytest leaves no proxy.
    # Started only now: proxy.py has forked its acceptor process by this point.
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _run_proxy_py(username: str, password: str, ready_file: str, data_dir: str) -> None:
    import multiprocessing

    import proxy
    from proxy.http.exception import HttpRequestRejected
    from proxy.http.parser import HttpParser
    from proxy.http.proxy import HttpProxyBasePlugin

    class LoopbackOnly(HttpProxyBasePlugin):
        """Runs after proxy.py's own AuthPlugin: refuses (403) any non-loopback target."""

        def before_upstream_connection(self, request: HttpParser) -> HttpParser | None:
            host = (request.host or b"").decode("ascii", "replace")
            if not is_loopback_host(host):
                raise HttpRequestRejected(status_code=403, reason=b"Forbidden")
            return request

    # The plugin class is local, so acceptor processes must be forked, not spawned (Python
    # 3.14 makes forkserver the default on Linux).
    multiprocessing.set_start_method("fork", force=True)
    args = ["--hostname", "127.0.0.1", "--port", "0", "--basic-auth", f"{username}:{password}"]
    # One acceptor process, a thread per connection; logs (INFO: the access log) to stdout.
    args += ["--num-acceptors", "1", "--threaded", "--log-level", "INFO"]
    # Both default to ~/.proxy, which proxy.py creates even when nothing is cached.
    args += ["--data-dir", data_dir, "--cache-dir", os.path.join(data_dir, "cache")]
    with proxy.Proxy(args, plugins=[LoopbackOnly]) as server:
        _serving(ready_file, server.flags.port, "proxy.py")
        proxy.sleep_loop(server)  # SIGTERM: proxy.py's handler exits, closing the server


def _run_tiny_proxy(kind: Kind, username: str, password: str, ready_file: str) -> None:
    import logging

    import anyio
    import anyio.abc
    import tiny_proxy  # type: ignore[import-untyped]

    logging.basicConfig(
        level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(message)s"
    )

    class LoopbackSocks5(tiny_proxy.Socks5Proxy):  # type: ignore[misc]
        async def negotiate(self) -> tuple[str, int]:
            host, port = await super().negotiate()  # authenticates first
            if not is_loopback_host(host):
                # RFC 1928 reply 0x02: connection not allowed by ruleset.
                await self.stream.send(bytes([5, 2, 0, 1, 0, 0, 0, 0, 0, 0]))
                raise tiny_proxy.ProxyError(f"non-loopback target {host!r} refused")
            return host, port

    class LoopbackHttp(tiny_proxy.HttpProxy):  # type: ignore[misc]
        async def negotiate(self) -> tuple[str, int]:
            host, port = await super().negotiate()  # authenticates first
            if not is_loopback_host(host):
                await self.respond(403, "Forbidden")  # raises ProxyError
            return host, port

    base: Any = tiny_proxy.Socks5ProxyHandler if kind == "socks5" else tiny_proxy.HttpProxyHandler
    proxy_class = LoopbackSocks5 if kind == "socks5" else LoopbackHttp

    class Handler(base):  # type: ignore[misc]
        def create_proxy(self, stream: Any) -> Any:
            return proxy_class(stream=stream, username=username, password=password)

    handler = Handler(username=username, password=password)

    async def serve() -> None:
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        async with listener, anyio.create_task_group() as group:
            group.start_soon(listener.serve, handler.handle)
            with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
                _serving(ready_file, port, f"tiny-proxy {kind}")
                async for _ in signals:
                    group.cancel_scope.cancel()
                    break

    anyio.run(serve)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a third-party proxy for the tests.")
    parser.add_argument("implementation", choices=["proxy.py", "tiny-proxy"])
    parser.add_argument("kind", choices=["http", "socks5"])
    parser.add_argument("--ready-file", required=True, help="gets the port once serving")
    parser.add_argument("--data-dir", required=True, help="proxy.py's data directory")
    args = parser.parse_args(argv)
    username, password = os.environ[_USERNAME_ENV], os.environ[_PASSWORD_ENV]
    if args.implementation == "proxy.py":
        _run_proxy_py(username, password, args.ready_file, args.data_dir)
    else:
        _run_tiny_proxy(args.kind, username, password, args.ready_file)


if __name__ == "__main__":
    main()
