"""
`CustomFingerprint`: a TLS + HTTP/2 fingerprint built by hand instead of a browser profile.
"""

from __future__ import annotations

import dataclasses
import typing

if typing.TYPE_CHECKING:
    from ._wire import CustomProfileConfig

__all__ = ["CustomFingerprint", "PriorityFrame"]


@dataclasses.dataclass(frozen=True)
class PriorityFrame:
    """An HTTP/2 PRIORITY frame sent after the preface (weight 1..256, as Akamai shows it)."""

    stream_id: int
    depends_on: int = 0
    weight: int = 256
    exclusive: bool = False


@dataclasses.dataclass(frozen=True)
class CustomFingerprint:
    """
    A fingerprint from its parts, instead of a browser profile. Only `ja3` is required.

    * **ja3** - `SSLVersion,Ciphers,Extensions,EllipticCurves,EcPointFormats`: which cipher
      suites and extensions are sent, in this order (no GREASE).
    * **h2_settings** - HTTP/2 SETTINGS in wire order, e.g. `[("HEADER_TABLE_SIZE", 65536)]`;
      a setting id may be given as a decimal string (`("8", 1)`).
    * **connection_flow** - the connection WINDOW_UPDATE increment.
    * **priority_frames** - PRIORITY frames sent before the first request.
    * **header_priority** - the priority carried in the HEADERS frame (its `stream_id` is not
      used: the request's stream is the next free one).
    * **pseudo_header_order** - e.g. `(":method", ":authority", ":scheme", ":path")`.
    * **signature_algorithms**, **supported_versions**, **key_share_curves**,
      **cert_compression_algos**, **alpn_protocols**, **alps_protocols** - the contents of the
      extensions the JA3 names (names as tls-client spells them, e.g.
      `"ECDSAWithP256AndSHA256"`, `"1.3"`, `"X25519"`, `"brotli"`). An empty one gets
      Chrome's contents; an unknown name raises `ValueError` when the client starts.

    * **headers** - the default headers in their order, sent instead of the profile's browser
      headers (a request's headers then override them in place, as usual).

    Regular headers go out in request order: the default headers (the profile's browser
    headers unless `headers` is given), then the ones a request adds, in the order given.
    docs/fingerprints.md shows each part on the wire.

    ```python
    ja3 = "771,4865-4866-4867,0-23-65281-10-11-35-16-5-13-18-51-45-43-27,29-23-24,0"
    fp = CustomFingerprint(ja3=ja3)
    client = tls_requests.Client(fingerprint=fp)
    ```
    """

    ja3: str
    h2_settings: tuple[tuple[str, int], ...] = ()
    connection_flow: int | None = None
    priority_frames: tuple[PriorityFrame, ...] = ()
    header_priority: PriorityFrame | None = None
    pseudo_header_order: tuple[str, ...] = ()
    signature_algorithms: tuple[str, ...] = ()
    supported_versions: tuple[str, ...] = ()
    key_share_curves: tuple[str, ...] = ()
    cert_compression_algos: tuple[str, ...] = ()
    alpn_protocols: tuple[str, ...] = ()
    alps_protocols: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()

    def to_native(self) -> CustomProfileConfig:
        config: CustomProfileConfig = {"ja3": self.ja3}
        if self.h2_settings:
            config["h2_settings"] = [(str(k), int(v)) for k, v in self.h2_settings]
        if self.connection_flow is not None:
            config["connection_flow"] = self.connection_flow
        if self.priority_frames:
            config["priority_frames"] = [dataclasses.asdict(p) for p in self.priority_frames]
        if self.header_priority is not None:
            # The HEADERS frame carries its own stream id, so only the priority fields go.
            priority = dataclasses.asdict(self.header_priority)
            del priority["stream_id"]
            config["header_priority"] = priority
        for name in (
            "pseudo_header_order",
            "signature_algorithms",
            "supported_versions",
            "key_share_curves",
            "cert_compression_algos",
            "alpn_protocols",
            "alps_protocols",
        ):
            values = getattr(self, name)
            if values:
                config[name] = list(values)
        return config
