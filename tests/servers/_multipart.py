"""
A small, strict multipart/form-data parser (RFC 7578) so the /multipart route can report
exactly what a client encoded, and fail loudly (400) on malformed bodies.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

__all__ = ["Part", "parse_header_params", "parse_multipart"]

_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def parse_header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split `type/sub; a=1; b="x"` into ("type/sub", {"a": "1", "b": "x"})."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(";" + rest):
        raw = match.group(2).strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[match.group(1).lower()] = raw
    return main.strip().lower(), params


@dataclass
class Part:
    headers: list[tuple[str, str]]
    name: str | None
    filename: str | None
    content_type: str | None
    data: bytes

    def describe(self) -> dict[str, object]:
        info: dict[str, object] = {
            "name": self.name,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
            "headers": [[k, v] for k, v in self.headers],
        }
        if self.filename is None:
            info["value"] = self.data.decode("utf-8", errors="replace")
        return info


def _parse_part(raw: bytes) -> Part:
    head, sep, data = raw.partition(b"\r\n\r\n")
    if not sep:
        if raw.startswith(b"\r\n"):  # a part with no headers at all
            head, data = b"", raw[2:]
        else:
            raise ValueError("part without header/body separator")
    headers: list[tuple[str, str]] = []
    for line in head.split(b"\r\n"):
        if not line:
            continue
        name, colon, value = line.decode("utf-8", errors="replace").partition(":")
        if not colon:
            raise ValueError(f"bad part header line {line!r}")
        headers.append((name.strip(), value.strip()))
    lookup = {k.lower(): v for k, v in headers}
    disposition, params = parse_header_params(lookup.get("content-disposition", ""))
    if disposition != "form-data":
        raise ValueError(f"part disposition is {disposition!r}, not form-data")
    return Part(
        headers, params.get("name"), params.get("filename"), lookup.get("content-type"), data
    )


def parse_multipart(body: bytes, boundary: str) -> list[Part]:
    """Parse a complete multipart body; raises ValueError on any framing error."""
    if not boundary:
        raise ValueError("missing boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    position = body.find(delimiter)
    if position != 0 and (position < 0 or body[position - 2 : position] != b"\r\n"):
        raise ValueError("first boundary not found")
    position += len(delimiter)
    parts: list[Part] = []
    while True:
        if body[position : position + 2] == b"--":
            return parts  # close-delimiter; an epilogue may follow and is ignored
        line_end = body.find(b"\r\n", position)
        if line_end < 0 or body[position:line_end].strip(b" \t"):
            raise ValueError("boundary line not followed by CRLF")
        start = line_end + 2
        end = body.find(b"\r\n" + delimiter, start)
        if end < 0:
            raise ValueError("unterminated part (missing closing boundary)")
        parts.append(_parse_part(body[start:end]))
        position = end + 2 + len(delimiter)
