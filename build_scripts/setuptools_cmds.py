"""
setuptools commands that put the Go library into the package (wired up in `setup.py`).

- `build_go`: a `build` sub-command that compiles `go/` (see `build_lib.py`). For a wheel it
  writes `<build_lib>/tls_requests/_lib/<lib>`; for an editable install (setuptools sets
  `editable_mode`) it writes `tls_requests/_lib/<lib>` in the source tree, which is where the
  editable package is imported from. It is its own command, not a `build_py` override, because
  setuptools' editable build turns a failing custom `build_py` into a mere warning.
- `build`: runs `build_go` after the standard sub-commands.
- `bdist_wheel`: the wheel holds a native library but no CPython extension, so it is tagged
  `py3-none-<platform>`: not pure, and not tied to one Python version or ABI.
- `BinaryDistribution` (setup.py's `distclass`): tells setuptools the distribution is
  platform-specific, so the package lands at the root of the wheel (platlib) rather than under
  `.data/purelib/`, and the build directory is per platform.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from setuptools import Command, Distribution
from setuptools.command.build import build as _build
from setuptools.errors import ExecError, PlatformError

import build_lib
import gotoolchain

try:  # setuptools >= 70.1 ships bdist_wheel itself
    from setuptools.command.bdist_wheel import bdist_wheel as _bdist_wheel
except ImportError:  # pragma: no cover - older setuptools with the wheel package
    from wheel.bdist_wheel import bdist_wheel as _bdist_wheel  # type: ignore[no-redef,import-not-found,unused-ignore]

__all__ = ["BdistWheel", "BinaryDistribution", "Build", "BuildGo", "cmdclass"]

_LIB_SUBDIR = Path("tls_requests", "_lib")


class BuildGo(Command):
    """Compile the Go core into `tls_requests/_lib/`."""

    description = "compile go/ into tls_requests/_lib/<library>"
    user_options: ClassVar[list[tuple[str, str | None, str]]] = [
        ("build-lib=", "b", "directory for the built package tree"),
    ]

    editable_mode: bool = False
    build_lib: str | None

    def initialize_options(self) -> None:
        self.build_lib = None

    def finalize_options(self) -> None:
        self.set_undefined_options("build_py", ("build_lib", "build_lib"))

    def _project_dir(self) -> Path:
        return gotoolchain.PROJECT_ROOT

    def _build_output(self) -> Path:
        assert self.build_lib is not None
        return Path(self.build_lib) / _LIB_SUBDIR / build_lib.library_filename()

    def _inplace_output(self) -> Path:
        return self._project_dir() / _LIB_SUBDIR / build_lib.library_filename()

    def run(self) -> None:
        target = self._inplace_output() if self.editable_mode else self._build_output()
        try:
            build_lib.build_library(target.parent, log=self.announce_info)
        except gotoolchain.GoToolchainError as exc:
            raise PlatformError(str(exc)) from exc
        except build_lib.GoBuildError as exc:
            raise ExecError(str(exc)) from exc

    def announce_info(self, message: str) -> None:
        # `announce` at level INFO (20); pip shows it with -v and on failure.
        self.announce(message, level=20)

    def get_source_files(self) -> list[str]:
        # Also makes `sdist` carry the Go sources.
        root = self._project_dir()
        go_root = root / "go"
        patterns = ("go.mod", "go.sum", "**/*.go", "**/*.h", "**/*.c", "**/*.s")
        files = {path for pattern in patterns for path in go_root.glob(pattern) if path.is_file()}
        return sorted(path.relative_to(root).as_posix() for path in files)

    def get_outputs(self) -> list[str]:
        return [str(self._build_output())]

    def get_output_mapping(self) -> dict[str, str]:
        if not self.editable_mode:
            return {}
        return {str(self._build_output()): str(self._inplace_output())}


class Build(_build):
    """`build`, plus `build_go` after the standard sub-commands."""

    sub_commands = [*_build.sub_commands, ("build_go", None)]


class BinaryDistribution(Distribution):
    """A distribution with platform-specific content (the Go library), though no extension."""

    def has_ext_modules(self) -> bool:
        return True


class BdistWheel(_bdist_wheel):
    """Tag the wheel `py3-none-<platform>`."""

    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False  # BinaryDistribution implies it; stated for the reader

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", platform


cmdclass = {
    "bdist_wheel": BdistWheel,
    "build": Build,
    "build_go": BuildGo,
}
