"""The cffi cdef in _ffi.py must be the function list of go/tlsrequests.h, verbatim."""

from __future__ import annotations

import re
from pathlib import Path

from tls_requests import _ffi

HEADER = Path(__file__).resolve().parents[2] / "go" / "tlsrequests.h"


def _prototypes(text: str) -> list[str]:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return [" ".join(p.split()) for p in re.findall(r"[^;{}]+\([^;]*\)\s*;", text)]


def test_cdef_matches_header() -> None:
    assert _prototypes(_ffi.CDEF) == _prototypes(HEADER.read_text())


def test_header_abi_version_matches_python() -> None:
    match = re.search(r"#define TLSR_ABI_VERSION (\d+)", HEADER.read_text())
    assert match is not None
    assert int(match.group(1)) == _ffi.ABI_VERSION


def test_ownership_rule_is_written_in_both_places() -> None:
    header = " ".join(HEADER.read_text().replace("*", " ").split())
    docstring = " ".join((_ffi.__doc__ or "").split())
    for sentence in (
        "Go copies what it needs during the call and retains no pointer after returning.",
        "must release it exactly once with tlsr_free(ptr).",
    ):
        assert sentence in header
        assert sentence in docstring
