"""
See what a server sees for a `tls_requests` profile, without any network.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._report import FingerprintDocument
from .server import FingerprintServer

__all__ = ["fingerprint", "summary_line"]


def fingerprint(
    client_identifier: str, *, path: str = "/", **client_kwargs: Any
) -> FingerprintDocument:
    """
    Make one request with a `tls_requests.Client` to a fresh local echo server and
    return what the server saw.

    **Parameters:**

    * **client_identifier** - the browser profile, e.g. `"chrome_131"`.
    * **path** - *(optional)* request path, `/` by default.
    * **client_kwargs** - *(optional)* more `tls_requests.Client` arguments. `verify`
      defaults to the server's CA file; pass `verify=False` to skip verification.

    ```python
    >>> doc = fingerprint("chrome_131")
    >>> doc["tls"]["ja4"], doc["http2"]["akamai"]
    ```
    """
    # Imported here, not at module level: the fingerprint package must import (and its
    # server must run) even where the client's native library is not built.
    tls_requests = importlib.import_module("tls_requests")
    with FingerprintServer() as server:
        client_kwargs.setdefault("verify", server.ca_path)
        client = tls_requests.Client(client_identifier=client_identifier, **client_kwargs)
        try:
            client.get(server.url + path.lstrip("/"))
        finally:
            client.close()
        return server.wait_for_capture()


def summary_line(document: FingerprintDocument) -> str:
    """Render the fingerprints of a document on one line."""
    tls = document["tls"]
    http2 = document["http2"]
    parts = [
        f"http={document['http_version']}",
        f"ja4={tls['ja4']}",
        f"ja3n={tls['ja3n_hash']}",
        f"ja3={tls['ja3_hash']}",
        f"akamai={http2['akamai'] if http2 else '-'}",
    ]
    return " ".join(parts)
