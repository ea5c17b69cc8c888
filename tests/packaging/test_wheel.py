"""
The wheel `pip wheel .` makes: platform-tagged, carrying the library, loadable.

One build per session (it compiles go/, quickly once Go's build cache is warm), from a copy of
the source tree so the work tree gets no build/ or egg-info litter and a concurrent editable
build is not disturbed.
"""

from __future__ import annotations

import email.parser
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import build_lib
import gotoolchain

ROOT = gotoolchain.PROJECT_ROOT

_TOP_LEVEL_SKIP = {".git", "build", "dist", ".benchmarks"}
_ANYWHERE_SKIP = shutil.ignore_patterns(
    ".venv*", "__pycache__", "*.egg-info", ".*_cache", "*.so", "*.dylib", "*.dll"
)


def _ignore(directory: str, names: list[str]) -> set[str]:
    """Not copied: VCS data, environments, caches and build output of the work tree."""
    skipped = set(_ANYWHERE_SKIP(directory, names))
    here = Path(directory)
    if here == ROOT:
        skipped |= _TOP_LEVEL_SKIP & set(names)
    if here == ROOT / "tls_requests":
        skipped |= {"_lib"} & set(names)
    return skipped


def _expected_platform_tag() -> str:
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=_ignore)
    dist = work / "dist"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(dist),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _library_name() -> str:
    return build_lib.library_filename()


@pytest.mark.timeout(1800)
def test_wheel_is_tagged_py3_none_platform(wheel: Path) -> None:
    assert wheel.name.endswith(f"-py3-none-{_expected_platform_tag()}.whl"), wheel.name
    with zipfile.ZipFile(wheel) as zf:
        wheel_info = next(n for n in zf.namelist() if n.endswith(".dist-info/WHEEL"))
        meta = email.parser.Parser().parsestr(zf.read(wheel_info).decode())
    assert meta["Root-Is-Purelib"] == "false"
    assert meta.get_all("Tag") == [f"py3-none-{_expected_platform_tag()}"]


@pytest.mark.timeout(1800)
def test_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(zf.read(metadata_name).decode())
    # The package sits at the wheel root (platlib), not under .data/.
    assert f"tls_requests/_lib/{_library_name()}" in names
    assert "tls_requests/py.typed" in names
    assert "tls_requests/__init__.py" in names
    assert "tls_requests/_platform.py" in names
    # Only the library leaves the Go build: no cgo header, no sources, no build scripts.
    assert [n for n in names if n.startswith("tls_requests/_lib/")] == [
        f"tls_requests/_lib/{_library_name()}"
    ]
    assert not [n for n in names if n.endswith((".h", ".go"))]
    assert not [n for n in names if n.split("/")[0] in ("go", "build_scripts", "tests")]
    requires = metadata.get_all("Requires-Dist") or []
    assert any(r.startswith("cffi") for r in requires), requires


@pytest.mark.timeout(1800)
def test_wheel_library_loads(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        library = Path(zf.extract(f"tls_requests/_lib/{_library_name()}", tmp_path))
    # In a child process: one process should host one Go runtime, and the tests' own
    # process may have loaded the editable install's copy already.
    probe = (
        "import ctypes, sys\n"
        "lib = ctypes.CDLL(sys.argv[1])\n"
        "lib.tlsr_abi_version.restype = ctypes.c_uint32\n"
        "print(lib.tlsr_abi_version())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(library)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    header = (ROOT / "go" / "tlsrequests.h").read_text(encoding="utf-8")
    assert f"#define TLSR_ABI_VERSION {result.stdout.strip()}\n" in header
