"""
Parse a raw TLS ClientHello into its fields.

The parser is pure: it takes bytes and returns a frozen `ClientHello`. The top-level
structure (record framing, handshake header, version, ciphers, extension list) is parsed
strictly and raises `ClientHelloError` when malformed. The bodies of individual
extensions are decoded leniently by the properties, because a fingerprinting server
must still report the extension list of a client that sends one odd extension.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "GREASE_VALUES",
    "EXTENSION_NAMES",
    "ClientHello",
    "ClientHelloError",
    "Extension",
    "is_grease",
    "read_client_hello",
]

# RFC 8701 reserves 0x?A?A with both bytes equal in every 16-bit TLS registry.
GREASE_VALUES: frozenset[int] = frozenset(
    (n << 12) | (0xA << 8) | (n << 4) | 0xA for n in range(16)
)

# Names of the extension code points a browser-like client sends (IANA registry), only
# to make the JSON readable: the fingerprints use the numbers.
EXTENSION_NAMES: dict[int, str] = {
    0: "server_name",
    1: "max_fragment_length",
    5: "status_request",
    10: "supported_groups",
    11: "ec_point_formats",
    13: "signature_algorithms",
    14: "use_srtp",
    15: "heartbeat",
    16: "application_layer_protocol_negotiation",
    17: "status_request_v2",
    18: "signed_certificate_timestamp",
    21: "padding",
    22: "encrypt_then_mac",
    23: "extended_master_secret",
    27: "compress_certificate",
    28: "record_size_limit",
    34: "delegated_credentials",
    35: "session_ticket",
    41: "pre_shared_key",
    42: "early_data",
    43: "supported_versions",
    44: "cookie",
    45: "psk_key_exchange_modes",
    47: "certificate_authorities",
    49: "post_handshake_auth",
    50: "signature_algorithms_cert",
    51: "key_share",
    57: "quic_transport_parameters",
    17513: "application_settings_old",
    17613: "application_settings",
    65037: "encrypted_client_hello",
    65281: "renegotiation_info",
}

_HANDSHAKE_RECORD = 0x16
_CLIENT_HELLO = 0x01
# A ClientHello with post-quantum key shares is about 2 KiB; anything near this limit
# is not a browser and would only let a client make the server buffer without bound.
_MAX_HELLO_SIZE = 64 * 1024


class ClientHelloError(ValueError):
    """The bytes are not a well-formed TLS ClientHello."""


def is_grease(value: int) -> bool:
    """
    Return True for an RFC 8701 GREASE value (`0x0a0a`, `0x1a1a`, ... `0xfafa`).
    """
    return value in GREASE_VALUES


class _Reader:
    """Bounds-checked big-endian reader over a byte string."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    @property
    def remaining(self) -> int:
        return len(self._data) - self._pos

    def take(self, n: int) -> bytes:
        if n > self.remaining:
            raise ClientHelloError(f"truncated: need {n} bytes, have {self.remaining}")
        chunk = self._data[self._pos : self._pos + n]
        self._pos += n
        return chunk

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def vector(self, length_size: int) -> bytes:
        return self.take(self.uint(length_size))

    def uint_list(self, length_size: int, item_size: int) -> tuple[int, ...]:
        body = self.vector(length_size)
        if len(body) % item_size:
            raise ClientHelloError("list length is not a multiple of its item size")
        return tuple(
            int.from_bytes(body[i : i + item_size], "big") for i in range(0, len(body), item_size)
        )


@dataclass(frozen=True)
class Extension:
    """One ClientHello extension: its code point and its raw body, in wire order."""

    type: int
    data: bytes

    @property
    def name(self) -> str:
        if is_grease(self.type):
            return "grease"
        return EXTENSION_NAMES.get(self.type, "unknown")


@dataclass(frozen=True)
class ClientHello:
    """
    The fields of a TLS ClientHello, in wire order, GREASE included.

    Build one with `ClientHello.parse(handshake_message)` or, from bytes read off a
    socket, with `read_client_hello(data)`. Fingerprint functions apply their own
    GREASE rules, so nothing is filtered here.
    """

    legacy_version: int
    random: bytes
    session_id: bytes
    cipher_suites: tuple[int, ...]
    compression_methods: tuple[int, ...]
    extensions: tuple[Extension, ...]
    raw: bytes
    record_version: int | None = None

    @classmethod
    def parse(cls, message: bytes, *, record_version: int | None = None) -> ClientHello:
        """
        Parse one handshake message (`01 <len:3> <body>`), without the record header.
        """
        reader = _Reader(message)
        if reader.uint(1) != _CLIENT_HELLO:
            raise ClientHelloError("handshake message is not a ClientHello")
        body = _Reader(reader.vector(3))
        if reader.remaining:
            raise ClientHelloError("trailing bytes after the ClientHello")
        legacy_version = body.uint(2)
        random = body.take(32)
        session_id = body.vector(1)
        cipher_suites = body.uint_list(2, 2)
        compression_methods = tuple(body.vector(1))
        extensions: list[Extension] = []
        # A hello without an extension block is legal (SSL 3.0 / old TLS 1.0 stacks).
        if body.remaining:
            block = _Reader(body.vector(2))
            while block.remaining:
                ext_type = block.uint(2)
                extensions.append(Extension(ext_type, block.vector(2)))
        if body.remaining:
            raise ClientHelloError("trailing bytes after the extension block")
        return cls(
            legacy_version=legacy_version,
            random=random,
            session_id=session_id,
            cipher_suites=cipher_suites,
            compression_methods=compression_methods,
            extensions=tuple(extensions),
            raw=bytes(message),
            record_version=record_version,
        )

    # Extension access ------------------------------------------------------------

    @property
    def extension_types(self) -> tuple[int, ...]:
        return tuple(ext.type for ext in self.extensions)

    def extension(self, ext_type: int) -> bytes | None:
        """Return the body of the first extension of this type, or None."""
        for ext in self.extensions:
            if ext.type == ext_type:
                return ext.data
        return None

    def _uint_list(self, ext_type: int, length_size: int, item_size: int) -> tuple[int, ...]:
        data = self.extension(ext_type)
        if data is None:
            return ()
        try:
            return _Reader(data).uint_list(length_size, item_size)
        except ClientHelloError:
            return ()

    # Decoded extension bodies ----------------------------------------------------

    @property
    def server_name(self) -> str | None:
        """The first host_name entry of the SNI extension, or None."""
        data = self.extension(0)
        if data is None:
            return None
        try:
            entries = _Reader(_Reader(data).vector(2))
            while entries.remaining:
                name_type = entries.uint(1)
                name = entries.vector(2)
                if name_type == 0:
                    return name.decode("ascii", "backslashreplace")
        except ClientHelloError:
            pass
        return None

    @property
    def alpn_protocols(self) -> tuple[bytes, ...]:
        """ALPN protocol names as raw bytes, in the client's preference order."""
        return _protocol_name_list(self.extension(16))

    @property
    def supported_versions(self) -> tuple[int, ...]:
        return self._uint_list(43, 1, 2)

    @property
    def supported_groups(self) -> tuple[int, ...]:
        return self._uint_list(10, 2, 2)

    @property
    def ec_point_formats(self) -> tuple[int, ...]:
        return self._uint_list(11, 1, 1)

    @property
    def signature_algorithms(self) -> tuple[int, ...]:
        return self._uint_list(13, 2, 2)

    @property
    def signature_algorithms_cert(self) -> tuple[int, ...]:
        return self._uint_list(50, 2, 2)

    @property
    def delegated_credentials(self) -> tuple[int, ...]:
        return self._uint_list(34, 2, 2)

    @property
    def psk_key_exchange_modes(self) -> tuple[int, ...]:
        return self._uint_list(45, 1, 1)

    @property
    def compress_certificate_algorithms(self) -> tuple[int, ...]:
        return self._uint_list(27, 1, 2)

    @property
    def key_share_groups(self) -> tuple[int, ...]:
        """Groups of the key_share entries (GREASE included), without the key bytes."""
        data = self.extension(51)
        if data is None:
            return ()
        groups: list[int] = []
        try:
            shares = _Reader(_Reader(data).vector(2))
            while shares.remaining:
                groups.append(shares.uint(2))
                shares.vector(2)
        except ClientHelloError:
            pass
        return tuple(groups)

    @property
    def application_settings(self) -> tuple[bytes, ...]:
        """ALPS protocols (17613, else the pre-Chrome-133 code point 17513)."""
        data = self.extension(17613)
        if data is None:
            data = self.extension(17513)
        return _protocol_name_list(data)

    @property
    def record_size_limit(self) -> int | None:
        data = self.extension(28)
        if data is None or len(data) != 2:
            return None
        return int.from_bytes(data, "big")

    @property
    def padding_length(self) -> int | None:
        """Length of the padding extension body (its bytes are zeros), or None."""
        data = self.extension(21)
        return None if data is None else len(data)


def _protocol_name_list(data: bytes | None) -> tuple[bytes, ...]:
    if data is None:
        return ()
    names: list[bytes] = []
    try:
        items = _Reader(_Reader(data).vector(2))
        while items.remaining:
            names.append(items.vector(1))
    except ClientHelloError:
        pass
    return tuple(names)


def read_client_hello(data: bytes) -> tuple[ClientHello, int] | None:
    """
    Extract the first ClientHello from bytes read off a TLS connection.

    The handshake message may be split over several records and the records over
    several reads, so call this again with more bytes while it returns None.

    Returns `(hello, consumed)`, where `consumed` is the number of bytes of `data`
    that carried the hello, or None when more bytes are needed. Raises
    `ClientHelloError` as soon as the bytes cannot be a TLS ClientHello (for example
    plain HTTP sent to the HTTPS port).
    """
    pos = 0
    fragments: list[bytes] = []
    record_version: int | None = None
    while True:
        if len(data) - pos < 5:
            _check_prefix(data[pos:])
            return None
        length = int.from_bytes(data[pos + 3 : pos + 5], "big")
        if data[pos] != _HANDSHAKE_RECORD or data[pos + 1] != 0x03:
            raise ClientHelloError("not a TLS handshake record")
        if record_version is None:
            record_version = int.from_bytes(data[pos + 1 : pos + 3], "big")
        fragment = data[pos + 5 : pos + 5 + length]
        # Check the handshake header even in a partial record, to fail fast.
        message = b"".join(fragments) + fragment
        if message and message[0] != _CLIENT_HELLO:
            raise ClientHelloError("first handshake message is not a ClientHello")
        needed = 4 + int.from_bytes(message[1:4], "big") if len(message) >= 4 else None
        if needed is not None and needed > _MAX_HELLO_SIZE:
            raise ClientHelloError("ClientHello too large")
        if len(fragment) < length:
            return None
        fragments.append(fragment)
        pos += 5 + length
        if needed is not None and len(message) >= needed:
            hello = ClientHello.parse(message[:needed], record_version=record_version)
            return hello, pos
        if pos > _MAX_HELLO_SIZE:
            raise ClientHelloError("ClientHello too large")


def _check_prefix(prefix: bytes) -> None:
    # Fail fast on the first bytes so a plain-HTTP client is not left waiting.
    if prefix and prefix[0] != _HANDSHAKE_RECORD:
        raise ClientHelloError("not a TLS handshake record")
    if len(prefix) >= 2 and prefix[1] != 0x03:
        raise ClientHelloError("not a TLS handshake record")
