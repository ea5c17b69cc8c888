"""
TLS material for the test servers, made with `trustme` (no files are checked in).

One CA signs a server certificate valid for `localhost`, `127.0.0.1` and `::1`, and a client
certificate for mutual-TLS tests. Everything is written as PEM files under one directory.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

__all__ = ["CLIENT_IDENTITY", "SERVER_IDENTITIES", "TLSMaterial", "make_tls_material"]

SERVER_IDENTITIES = ("localhost", "127.0.0.1", "::1")
CLIENT_IDENTITY = "client.tls-requests.test"


@dataclass(frozen=True)
class TLSMaterial:
    ca: trustme.CA
    ca_pem: Path  # CA certificate: the `verify=` bundle clients should trust
    server_pem: Path  # server key + certificate chain (one file)
    client_cert_pem: Path  # client certificate chain (no key)
    client_key_pem: Path  # client private key
    client_pem: Path  # client key + certificate chain (one file)

    def server_context(
        self, alpn: list[str], *, require_client_cert: bool = False
    ) -> ssl.SSLContext:
        """An SSLContext for servers we run ourselves (raw servers, proxies)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.server_pem)
        context.set_alpn_protocols(alpn)
        if require_client_cert:
            context.load_verify_locations(self.ca_pem)
            context.verify_mode = ssl.CERT_REQUIRED
        return context

    def client_context(self, alpn: list[str] | None = None) -> ssl.SSLContext:
        """A verifying client SSLContext trusting our CA (for self-tests with raw sockets)."""
        context = ssl.create_default_context(cafile=str(self.ca_pem))
        if alpn:
            context.set_alpn_protocols(alpn)
        return context


def make_tls_material(directory: Path) -> TLSMaterial:
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    server = ca.issue_cert(*SERVER_IDENTITIES)
    client = ca.issue_cert(CLIENT_IDENTITY)
    paths = {
        name: directory / f"{name}.pem"
        for name in ("ca", "server", "client_cert", "client_key", "client")
    }
    ca.cert_pem.write_to_path(paths["ca"])
    server.private_key_and_cert_chain_pem.write_to_path(paths["server"])
    client.private_key_pem.write_to_path(paths["client_key"])
    paths["client_cert"].write_bytes(b"".join(blob.bytes() for blob in client.cert_chain_pems))
    client.private_key_and_cert_chain_pem.write_to_path(paths["client"])
    return TLSMaterial(
        ca=ca,
        ca_pem=paths["ca"],
        server_pem=paths["server"],
        client_cert_pem=paths["client_cert"],
        client_key_pem=paths["client_key"],
        client_pem=paths["client"],
    )
