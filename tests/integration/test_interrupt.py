"""
Ctrl+C during a blocking request. A thread blocked inside a C call cannot run Python's signal
handlers, so the client waits for the response head in short slices: KeyboardInterrupt must
arrive promptly even with no timeout, release the request, and leave the client usable.

The script runs in a fresh interpreter so a real SIGINT cannot reach pytest itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import os
import signal
import sys
import threading
import time

import tls_requests
from tls_requests import _ffi

SILENT, OK_URL, CA = sys.argv[1], sys.argv[2], sys.argv[3]

with tls_requests.Client(verify=CA, timeout=None) as client:
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    started = time.monotonic()
    try:
        client.get(SILENT)  # the server never answers, and there is no timeout
        print("no interrupt")
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - started:.2f} s")
    print(_ffi.debug_stats()["requests"])
    print(client.get(OK_URL).status_code)
"""


def test_ctrl_c_interrupts_a_request_waiting_for_its_response(
    tmp_path: Path, blackhole_server, https_server, ca_bundle: str
) -> None:
    script = tmp_path / "interrupt.py"
    script.write_text(SCRIPT)
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            blackhole_server.url,
            https_server.url_for("/echo"),
            ca_bundle,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    interrupted, open_requests, status = result.stdout.splitlines()
    waited = float(interrupted.split()[2])
    assert 0.4 < waited < 1.5, interrupted  # SIGINT at 0.5 s, handled within a 0.1 s slice
    assert open_requests == "0"  # the interrupted request's Go handle was released
    assert status == "200"
