"""
Compile the Go core (`go/`) into the shared library that `tls_requests/_ffi.py` loads.

    go build -buildmode=c-shared -trimpath -buildvcs=false -ldflags "-s -w" -o <tmp>/<lib> .

runs in `go/` with CGO_ENABLED=1, in a temporary directory so the header cgo writes beside the
library never reaches the package; only the library is copied (atomically) to its destination.
Go modules come from the module proxy and the build cache is Go's default (`go env GOCACHE`),
so a rebuild after the first is quick.

The setuptools build runs this (`setuptools_cmds.build_go`); a developer can too, to refresh the
library of an editable install after changing Go code:

    python build_scripts/build_lib.py            # -> tls_requests/_lib/<lib>
    python build_scripts/build_lib.py -o DIR     # -> DIR/<lib>
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

# Loaded as a top-level module: this directory is on sys.path as the backend path, or as the
# script's own directory when run directly.
import gotoolchain

__all__ = ["GoBuildError", "build_library", "library_filename", "load_platform_module", "main"]

PACKAGE_DIR = gotoolchain.PROJECT_ROOT / "tls_requests"


class GoBuildError(RuntimeError):
    """`go build` failed; the message carries its output."""


def load_platform_module() -> ModuleType:
    # By path: importing the package would need its dependencies (cffi) in the build environment.
    path = PACKAGE_DIR / "_platform.py"
    spec = importlib.util.spec_from_file_location("_tls_requests_platform", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def library_filename() -> str:
    """`tls_requests._platform.library_filename()`, without importing the package."""
    name = load_platform_module().library_filename()
    assert isinstance(name, str)
    return name


def build_library(
    dest_dir: Path,
    *,
    module_dir: Path | None = None,
    toolchain: gotoolchain.GoToolchain | None = None,
    log: Callable[[str], None] = print,
) -> Path:
    """
    Build the library into `dest_dir/<library_filename()>` and return that path.

    Raises `gotoolchain.GoToolchainError` when Go or the C compiler is missing and
    `GoBuildError` when the compile fails.
    """
    module_dir = module_dir or gotoolchain.go_dir()
    if not (module_dir / "go.mod").is_file():
        raise GoBuildError(f"{module_dir} has no go.mod: nothing to build the library from.")
    go = toolchain or gotoolchain.find_go(gotoolchain.minimum_go_version(module_dir))
    gotoolchain.check_cgo(go, module_dir)

    name = library_filename()
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / name
    log(f"tls_requests: building {name} from {module_dir} with {go.describe()}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tlsr-go-build-") as tmp:
        out = Path(tmp) / name
        command = [
            go.executable,
            "build",
            "-buildmode=c-shared",
            "-trimpath",
            # VCS stamping runs git, fails in some checkouts, and changes the output per commit.
            "-buildvcs=false",
            "-ldflags",
            "-s -w",
            "-o",
            str(out),
            ".",
        ]
        result = subprocess.run(
            command,
            cwd=str(module_dir),
            env=go.env(CGO_ENABLED="1"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        if result.stdout:
            log(result.stdout.rstrip())
        if result.returncode != 0 or not out.is_file():
            raise GoBuildError(
                f"`go build` failed (exit {result.returncode}) in {module_dir}:\n"
                f"{result.stdout.rstrip()}\ncommand: {' '.join(command)}"
            )
        # Copy then rename: a process that has the old library mapped keeps its (unlinked) copy.
        partial = dest.with_name(dest.name + ".partial")
        shutil.copyfile(out, partial)
        os.replace(partial, dest)
    log(f"tls_requests: built {dest} in {time.monotonic() - started:.1f}s")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compile go/ into the tls_requests library.")
    parser.add_argument(
        "-o",
        "--out-dir",
        type=Path,
        default=PACKAGE_DIR / "_lib",
        help="directory for the library (default: tls_requests/_lib)",
    )
    args = parser.parse_args(argv)
    try:
        build_library(args.out_dir)
    except (gotoolchain.GoToolchainError, GoBuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
