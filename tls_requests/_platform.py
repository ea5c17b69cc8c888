"""
Name and location of the native library (the Go core) for the running interpreter.

One naming scheme serves the build and the loader: `build_scripts/build_lib.py` loads this file
by path, without importing the package, to name what it compiles, and `_ffi.py` imports it to
find what it loads. Keep it stdlib-only and free of package imports for that reason.

The file is `libtlsrequests-<os>-<arch>.<ext>`, e.g. `libtlsrequests-linux-x86_64.so`,
`libtlsrequests-darwin-arm64.dylib`, `libtlsrequests-windows-x86_64.dll`.
"""

from __future__ import annotations

import platform
import re
import struct
import sys
from pathlib import Path

__all__ = ["library_filename", "library_path", "platform_tag"]

_ARCH_ALIASES = {
    "amd64": "x86_64",
    "x64": "x86_64",
    "x86_64": "x86_64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "x86",
    "i486": "x86",
    "i586": "x86",
    "i686": "x86",
    "x86": "x86",
}

# A 32-bit interpreter on a 64-bit kernel reports the kernel's machine; it loads only 32-bit code.
_NARROW = {"x86_64": "x86", "arm64": "arm"}


def _os_name() -> str:
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform == "darwin":
        return "darwin"
    if sys.platform in ("win32", "cygwin"):
        return "windows"
    # freebsd14 -> freebsd, etc.
    return re.sub(r"\d+$", "", sys.platform) or sys.platform


def _arch() -> str:
    machine = platform.machine().lower()
    arch = _ARCH_ALIASES.get(machine, machine or "unknown")
    if struct.calcsize("P") == 4:
        arch = _NARROW.get(arch, arch)
    return arch


def platform_tag() -> str:
    """`<os>-<arch>` of the running interpreter, e.g. `linux-x86_64`."""
    return f"{_os_name()}-{_arch()}"


def library_filename() -> str:
    """File name of the native library for the running interpreter."""
    os_name = _os_name()
    suffix = {"darwin": ".dylib", "windows": ".dll"}.get(os_name, ".so")
    return f"libtlsrequests-{platform_tag()}{suffix}"


def library_path() -> Path:
    """Where the package keeps the native library: `<package dir>/_lib/<library_filename()>`."""
    return Path(__file__).resolve().parent / "_lib" / library_filename()
