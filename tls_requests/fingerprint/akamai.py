"""
The Akamai HTTP/2 fingerprint, computed from the raw bytes a client sends.

Shuster & Segal, "Passive Fingerprinting of HTTP/2 Clients" (Black Hat EU 2017), in the
rendering used by tls.peet.ws, tls-client and curl_cffi: `S|WU|P|PS` where

* **S** is the client's first SETTINGS frame, `id:value` pairs in wire order joined by
  `;` (duplicates and unknown ids kept, ids always numeric: ENABLE_CONNECT_PROTOCOL is
  `8:1` as on browserleaks and curl-impersonate, not peet's `:1`);
* **WU** is the increment of the first connection-level WINDOW_UPDATE, or `00`;
* **P** is the PRIORITY frames as `stream:exclusive:depends_on:weight` (weight is the
  wire byte + 1), joined by `,`, or `0`;
* **PS** is the pseudo-header order of the first HEADERS block, one letter each.

Only frames that arrive before the first HEADERS frame count, because that is all a
server has seen when it answers the first request. Priority data carried inside the
HEADERS frame is not part of the string; it is reported separately.

`Http2Recorder` is pure: feed it the bytes read from the connection, starting with the
client preface, and it parses frames, joins CONTINUATIONs and HPACK-decodes every header
block with one decoder per connection (the dynamic table spans requests).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import hpack

from .ja3 import md5_hex

__all__ = [
    "FRAME_TYPES",
    "PREFACE",
    "HeaderBlock",
    "Http2Error",
    "Http2Recorder",
    "Priority",
    "akamai_string",
]

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

FRAME_TYPES: dict[int, str] = {
    0: "DATA",
    1: "HEADERS",
    2: "PRIORITY",
    3: "RST_STREAM",
    4: "SETTINGS",
    5: "PUSH_PROMISE",
    6: "PING",
    7: "GOAWAY",
    8: "WINDOW_UPDATE",
    9: "CONTINUATION",
}

_DATA, _HEADERS, _PRIORITY, _SETTINGS, _WINDOW_UPDATE, _CONTINUATION = 0, 1, 2, 4, 8, 9
_FLAG_ACK = 0x1
_FLAG_END_STREAM = 0x1
_FLAG_END_HEADERS = 0x4
_FLAG_PADDED = 0x8
_FLAG_PRIORITY = 0x20
# The largest frame a client may send before it has seen our SETTINGS is 16 KiB; allow
# far more (up to the protocol maximum) but refuse to buffer without limit.
_MAX_FRAME_SIZE = (1 << 24) - 1
_MAX_HEADER_BLOCK = 1 << 20
# Frames listed in `frames` (the tls.peet.ws "sent_frames" view): enough for any
# browser's opening flight, bounded so a chatty client cannot grow the report.
_MAX_LISTED_FRAMES = 64


class Http2Error(ValueError):
    """The client's bytes are not valid HTTP/2 for this recorder."""


@dataclass(frozen=True)
class Priority:
    """A stream dependency, from a PRIORITY frame or a HEADERS frame's PRIORITY flag."""

    stream_id: int
    exclusive: bool
    depends_on: int
    weight: int  # 1..256: the wire byte + 1

    @classmethod
    def parse(cls, stream_id: int, data: bytes) -> Priority:
        if len(data) < 5:
            raise Http2Error("priority data shorter than 5 bytes")
        dependency = int.from_bytes(data[:4], "big")
        return cls(
            stream_id=stream_id,
            exclusive=bool(dependency >> 31),
            depends_on=dependency & 0x7FFFFFFF,
            weight=data[4] + 1,
        )

    def render(self) -> str:
        return f"{self.stream_id}:{int(self.exclusive)}:{self.depends_on}:{self.weight}"


@dataclass(frozen=True)
class HeaderBlock:
    """One decoded header block (HEADERS plus any CONTINUATION frames)."""

    stream_id: int
    headers: tuple[tuple[str, str], ...]
    priority: Priority | None
    end_stream: bool
    padded: bool

    @property
    def pseudo_headers(self) -> tuple[tuple[str, str], ...]:
        return tuple(h for h in self.headers if h[0].startswith(":"))

    @property
    def regular_headers(self) -> tuple[tuple[str, str], ...]:
        return tuple(h for h in self.headers if not h[0].startswith(":"))

    @property
    def pseudo_header_order(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.pseudo_headers)


def akamai_string(
    settings: list[tuple[int, int]],
    window_update: int | None,
    priorities: list[Priority],
    pseudo_header_order: tuple[str, ...] | list[str],
) -> str:
    """
    Render `S|WU|P|PS` from its parts, e.g. `1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p`.
    """
    s = ";".join(f"{ident}:{value}" for ident, value in settings)
    wu = "00" if window_update is None else str(window_update)
    p = ",".join(priority.render() for priority in priorities) or "0"
    ps = ",".join(name[1:2] for name in pseudo_header_order)
    return f"{s}|{wu}|{p}|{ps}"


@dataclass
class _PendingBlock:
    stream_id: int
    fragments: list[bytes]
    priority: Priority | None
    end_stream: bool
    padded: bool


@dataclass
class Http2Recorder:
    """
    Parse a client's HTTP/2 byte stream and keep what fingerprints it.

    Call `feed()` with every chunk read from the connection; it returns the header
    blocks completed by that chunk. Not thread-safe: use one per connection.
    """

    settings: list[tuple[int, int]] | None = None
    window_update: int | None = None
    priority_frames: list[Priority] = field(default_factory=list)
    first_headers: HeaderBlock | None = None
    frames: list[dict[str, int | str]] = field(default_factory=list)
    _buffer: bytearray = field(default_factory=bytearray, repr=False)
    _preface_seen: bool = field(default=False, repr=False)
    _pending: _PendingBlock | None = field(default=None, repr=False)
    _decoder: hpack.Decoder = field(default_factory=hpack.Decoder, repr=False)

    @property
    def akamai(self) -> str:
        order = self.first_headers.pseudo_header_order if self.first_headers else ()
        return akamai_string(self.settings or [], self.window_update, self.priority_frames, order)

    @property
    def akamai_hash(self) -> str:
        return md5_hex(self.akamai)

    def feed(self, data: bytes) -> list[HeaderBlock]:
        self._buffer += data
        if not self._preface_seen:
            if len(self._buffer) < len(PREFACE):
                if not PREFACE.startswith(bytes(self._buffer)):
                    raise Http2Error("bad HTTP/2 client preface")
                return []
            if not self._buffer.startswith(PREFACE):
                raise Http2Error("bad HTTP/2 client preface")
            del self._buffer[: len(PREFACE)]
            self._preface_seen = True
        blocks: list[HeaderBlock] = []
        while len(self._buffer) >= 9:
            length = int.from_bytes(self._buffer[:3], "big")
            if length > _MAX_FRAME_SIZE:
                raise Http2Error("frame too large")
            if len(self._buffer) < 9 + length:
                break
            frame_type = self._buffer[3]
            flags = self._buffer[4]
            stream_id = int.from_bytes(self._buffer[5:9], "big") & 0x7FFFFFFF
            payload = bytes(self._buffer[9 : 9 + length])
            del self._buffer[: 9 + length]
            block = self._frame(frame_type, flags, stream_id, payload)
            if block is not None:
                blocks.append(block)
        return blocks

    def _frame(
        self, frame_type: int, flags: int, stream_id: int, payload: bytes
    ) -> HeaderBlock | None:
        before_headers = self.first_headers is None
        if before_headers and len(self.frames) < _MAX_LISTED_FRAMES:
            self.frames.append(
                {
                    "type": FRAME_TYPES.get(frame_type, str(frame_type)),
                    "stream_id": stream_id,
                    "flags": flags,
                    "length": len(payload),
                }
            )
        if self._pending is not None and frame_type != _CONTINUATION:
            raise Http2Error("header block interrupted by another frame")
        if frame_type == _SETTINGS:
            if before_headers and self.settings is None and not flags & _FLAG_ACK:
                if len(payload) % 6:
                    raise Http2Error("SETTINGS payload is not a multiple of 6")
                self.settings = [
                    (
                        int.from_bytes(payload[i : i + 2], "big"),
                        int.from_bytes(payload[i + 2 : i + 6], "big"),
                    )
                    for i in range(0, len(payload), 6)
                ]
        elif frame_type == _WINDOW_UPDATE:
            if (
                before_headers
                and stream_id == 0
                and self.window_update is None
                and len(payload) == 4
            ):
                self.window_update = int.from_bytes(payload, "big") & 0x7FFFFFFF
        elif frame_type == _PRIORITY:
            if before_headers:
                self.priority_frames.append(Priority.parse(stream_id, payload))
        elif frame_type == _HEADERS:
            return self._headers(flags, stream_id, payload)
        elif frame_type == _CONTINUATION:
            if self._pending is None or self._pending.stream_id != stream_id:
                raise Http2Error("unexpected CONTINUATION frame")
            self._pending.fragments.append(payload)
            if flags & _FLAG_END_HEADERS:
                return self._finish()
        return None

    def _headers(self, flags: int, stream_id: int, payload: bytes) -> HeaderBlock | None:
        padded = bool(flags & _FLAG_PADDED)
        if padded:
            if not payload or payload[0] >= len(payload):
                raise Http2Error("bad HEADERS padding")
            payload = payload[1 : len(payload) - payload[0]]
        priority = None
        if flags & _FLAG_PRIORITY:
            priority = Priority.parse(stream_id, payload[:5])
            payload = payload[5:]
        self._pending = _PendingBlock(
            stream_id=stream_id,
            fragments=[payload],
            priority=priority,
            end_stream=bool(flags & _FLAG_END_STREAM),
            padded=padded,
        )
        if flags & _FLAG_END_HEADERS:
            return self._finish()
        return None

    def _finish(self) -> HeaderBlock:
        pending = self._pending
        assert pending is not None
        self._pending = None
        block_bytes = b"".join(pending.fragments)
        if len(block_bytes) > _MAX_HEADER_BLOCK:
            raise Http2Error("header block too large")
        try:
            decoded = self._decoder.decode(block_bytes, raw=True)
        except hpack.HPACKError as exc:
            raise Http2Error(f"HPACK decoding failed: {exc}") from exc
        headers = tuple((_text(name), _text(value)) for name, value in decoded)
        block = HeaderBlock(
            stream_id=pending.stream_id,
            headers=headers,
            priority=pending.priority,
            end_stream=pending.end_stream,
            padded=pending.padded,
        )
        if self.first_headers is None:
            self.first_headers = block
        return block


def _text(value: bytes | str) -> str:
    if isinstance(value, str):
        return value
    return value.decode("utf-8", "backslashreplace")
