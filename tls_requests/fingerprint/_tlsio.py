"""
Server-side TLS over a plain socket through `ssl.MemoryBIO`.

The server must see the ClientHello bytes before OpenSSL does. Reading them off the
socket and then feeding them to an `SSLObject` is portable and exact, where `MSG_PEEK`
would need a busy loop (peek returns at once once any byte is buffered) or Linux-only
flags.
"""

from __future__ import annotations

import contextlib
import socket
import ssl

__all__ = ["TLSStream"]

_READ_SIZE = 65536


class TLSStream:
    """A blocking TLS server connection whose first bytes were already read."""

    def __init__(self, sock: socket.socket, context: ssl.SSLContext, initial: bytes) -> None:
        self._sock = sock
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._tls = context.wrap_bio(self._incoming, self._outgoing, server_side=True)
        self._incoming.write(initial)
        self._pushed_back = b""
        self._eof = False

    def _flush(self) -> None:
        data = self._outgoing.read()
        if data:
            self._sock.sendall(data)

    def _fill(self) -> bool:
        data = self._sock.recv(_READ_SIZE)
        if not data:
            self._incoming.write_eof()
            self._eof = True
            return False
        self._incoming.write(data)
        return True

    def handshake(self) -> None:
        while True:
            try:
                self._tls.do_handshake()
            except ssl.SSLWantReadError:
                self._flush()
                if not self._fill():
                    raise ConnectionError(
                        "peer closed the connection during the handshake"
                    ) from None
            else:
                self._flush()
                return

    def recv(self, size: int = _READ_SIZE) -> bytes:
        """Return up to `size` decrypted bytes, or b"" at end of stream."""
        if self._pushed_back:
            data, self._pushed_back = self._pushed_back[:size], self._pushed_back[size:]
            return data
        while True:
            try:
                return self._tls.read(size)
            except ssl.SSLWantReadError:
                if self._eof:
                    return b""
                self._flush()
                # After EOF, loop once more so OpenSSL can return what it still holds.
                self._fill()
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""

    def push_back(self, data: bytes) -> None:
        """Make the next `recv()` return `data` first (used to sniff the protocol)."""
        self._pushed_back = data + self._pushed_back

    def sendall(self, data: bytes) -> None:
        if data:
            self._tls.write(data)
            self._flush()

    @property
    def alpn_protocol(self) -> str | None:
        return self._tls.selected_alpn_protocol()

    @property
    def version(self) -> str | None:
        return self._tls.version()

    @property
    def cipher(self) -> str | None:
        cipher = self._tls.cipher()
        return cipher[0] if cipher else None

    def close(self) -> None:
        # A polite close_notify; the peer may already be gone, which is fine.
        with contextlib.suppress(OSError, ssl.SSLError):
            self._tls.unwrap()
        with contextlib.suppress(OSError):
            self._flush()
