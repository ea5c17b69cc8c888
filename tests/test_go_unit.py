"""
The Go core's own checks, run with the Go toolchain the build uses (build_scripts/gotoolchain.py):
`gofmt`, `go vet` and `go test -race` over every package in go/.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import gotoolchain

GO_DIR = gotoolchain.PROJECT_ROOT / "go"


@pytest.fixture(scope="module")
def go() -> gotoolchain.GoToolchain:
    # A missing toolchain fails rather than skips: the build needs it anyway.
    return gotoolchain.find_go(gotoolchain.minimum_go_version(GO_DIR))


def _run(go: gotoolchain.GoToolchain, *args: str, timeout: float) -> str:
    result = subprocess.run(
        [go.executable, *args],
        cwd=GO_DIR,
        env=go.env(CGO_ENABLED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"go {' '.join(args)} failed:\n{result.stdout}"
    return result.stdout


def test_gofmt(go: gotoolchain.GoToolchain) -> None:
    goroot = Path(_run(go, "env", "GOROOT", timeout=120).strip())
    gofmt = goroot / "bin" / "gofmt"
    result = subprocess.run(
        [str(gofmt), "-l", "."], cwd=GO_DIR, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", (
        f"files not gofmt-formatted (run `gofmt -w .` in go/):\n{result.stdout}"
    )


@pytest.mark.timeout(1800)
def test_go_vet(go: gotoolchain.GoToolchain) -> None:
    _run(go, "vet", "./...", timeout=1700)


@pytest.mark.timeout(2400)
def test_go_test_race(go: gotoolchain.GoToolchain) -> None:
    gotoolchain.check_cgo(go, GO_DIR)  # -race needs cgo
    _run(go, "test", "-race", "-count=1", "./...", timeout=2300)
