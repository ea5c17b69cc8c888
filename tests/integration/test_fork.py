"""
The Go runtime does not survive fork(): in a child forked after the library was loaded, every
Go call would hang for ever. The library must refuse there with a clear error instead, stay
quiet when inherited clients are garbage-collected, and work in `spawn` children.

Each case runs in a fresh interpreter (the script below), so the fork happens in a plain
process rather than inside pytest's, and a hang is caught by the subprocess timeout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import multiprocessing
import os
import sys
import warnings

import tls_requests

# Python 3.12+ warns itself about fork() in a process with threads (Go's); that is the point.
warnings.filterwarnings("ignore", r"This process .* is multi-threaded", DeprecationWarning)

URL, CA = sys.argv[1], sys.argv[2]


def fetch(url):
    with tls_requests.Client(verify=CA) as client:
        return client.get(url).status_code


def in_forked_child(action):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            result = action()
        except BaseException as exc:
            result = f"{type(exc).__name__}: {exc}"
        os.write(write_end, str(result).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        result = pipe.read()
    os.waitpid(pid, 0)
    return result


if __name__ == "__main__":
    case = sys.argv[3]
    if case == "fork-before-use":  # the library is not loaded yet: the child loads its own
        print(in_forked_child(lambda: fetch(URL)))
    elif case == "fork-after-use":
        inherited = tls_requests.Client(verify=CA)
        assert inherited.get(URL).status_code == 200
        print(in_forked_child(lambda: fetch(URL)))  # must raise, not hang
        print(in_forked_child(lambda: None))  # the inherited client is collected quietly
        print(inherited.get(URL).status_code)  # the parent is unaffected
        inherited.close()
    elif case == "spawn-after-use":
        assert fetch(URL) == 200
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            print(pool.map(fetch, [URL, URL]))
"""


def _run(tmp_path: Path, url: str, ca: str, case: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "fork_case.py"
    script.write_text(SCRIPT)
    return subprocess.run(
        [sys.executable, str(script), url, ca, case],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_a_child_forked_after_use_gets_a_clear_error(
    tmp_path: Path, https_server, ca_bundle: str
) -> None:
    result = _run(tmp_path, https_server.url_for("/echo"), ca_bundle, "fork-after-use")
    assert result.returncode == 0, result.stderr
    refused, collected, parent = result.stdout.splitlines()
    assert refused.startswith("ForkedProcessError: ")
    assert "spawn" in refused
    assert collected == "None"
    assert parent == "200"
    assert result.stderr == ""  # no "Exception ignored" from an inherited client's finalizer


def test_a_child_forked_before_any_use_works(tmp_path: Path, https_server, ca_bundle: str) -> None:
    result = _run(tmp_path, https_server.url_for("/echo"), ca_bundle, "fork-before-use")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "200"


def test_spawn_children_work_after_use(tmp_path: Path, https_server, ca_bundle: str) -> None:
    result = _run(tmp_path, https_server.url_for("/echo"), ca_bundle, "spawn-after-use")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[200, 200]"
