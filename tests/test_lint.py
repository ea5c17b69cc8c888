"""
Lint, format and type checks over the whole project, with the configuration in pyproject.toml.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import gotoolchain

ROOT = gotoolchain.PROJECT_ROOT


def _run(*args: str, timeout: float) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}"


def test_ruff_check() -> None:
    _run("ruff", "check", ".", timeout=240)


def test_ruff_format() -> None:
    _run("ruff", "format", "--check", "--diff", ".", timeout=240)


@pytest.mark.timeout(1200)
def test_mypy() -> None:
    # Files and strictness come from [tool.mypy].
    _run("mypy", timeout=1100)
