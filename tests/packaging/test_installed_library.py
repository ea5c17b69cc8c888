"""
The library the install step built is where the package looks for it.

Integration tests skip when the library is missing, so this is the test that fails instead:
after `pip install -e .` (or `python build_scripts/build_lib.py`) the file must be there.
"""

from __future__ import annotations

import subprocess
import sys

import build_lib

# By path, like the build: these tests must not depend on the package importing.
_platform = build_lib.load_platform_module()


def test_library_is_built_into_the_package() -> None:
    path = _platform.library_path()
    assert path.is_file(), (
        f"{path} is missing: install with `python -m pip install -e .` "
        "or build it with `python build_scripts/build_lib.py`"
    )


def test_no_cgo_header_in_the_package() -> None:
    assert not list(_platform.library_path().parent.glob("*.h"))


def test_library_exports_the_abi_version() -> None:
    # In a child process: the tests' own process may host another copy of the Go runtime.
    probe = (
        "import ctypes, sys\n"
        "lib = ctypes.CDLL(sys.argv[1])\n"
        "lib.tlsr_abi_version.restype = ctypes.c_uint32\n"
        "print(lib.tlsr_abi_version())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(_platform.library_path())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 1
