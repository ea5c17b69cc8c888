"""
One-shot helpers: `tls_requests.get(url)` and friends. Each opens a `Client`, sends one
request and closes it; reuse a `Client` for many requests to the same host.
"""

from __future__ import annotations

import contextlib
import typing

from ._client import Client
from ._config import DEFAULT_TIMEOUT_CONFIG

if typing.TYPE_CHECKING:
    from ._models import Response
    from ._types import URLTypes

__all__ = ["delete", "get", "head", "options", "patch", "post", "put", "request", "stream"]

_CLIENT_ARGS = (
    "auth", "cookies", "verify", "cert", "http2", "http3", "proxy", "trust_env",
    "client_identifier", "random_tls_extension_order", "fingerprint", "server_name",
    "follow_redirects", "timeout",
)  # fmt: skip


def _split(kwargs: dict[str, typing.Any]) -> tuple[dict[str, typing.Any], dict[str, typing.Any]]:
    client_kwargs = {k: kwargs.pop(k) for k in _CLIENT_ARGS if k in kwargs}
    client_kwargs.setdefault("timeout", DEFAULT_TIMEOUT_CONFIG)
    # These belong to the client; the request uses the client's value.
    kwargs.pop("follow_redirects", None)
    return client_kwargs, kwargs


def request(method: str, url: URLTypes, **kwargs: typing.Any) -> Response:
    """
    Send one request with a fresh client and return the read response.

    Keyword arguments are those of `Client(...)` (e.g. `client_identifier`, `proxy`,
    `verify`, `timeout`, `follow_redirects`) and of `Client.request(...)`.

    ```python
    response = tls_requests.get("https://example.org", client_identifier="firefox")
    ```
    """
    client_kwargs, request_kwargs = _split(kwargs)
    with Client(**client_kwargs) as client:
        return client.request(method, url, **request_kwargs)


@contextlib.contextmanager
def stream(method: str, url: URLTypes, **kwargs: typing.Any) -> typing.Iterator[Response]:
    """Stream one response with a fresh client: `with tls_requests.stream("GET", url) as r:`."""
    client_kwargs, request_kwargs = _split(kwargs)
    with (
        Client(**client_kwargs) as client,
        client.stream(method, url, **request_kwargs) as response,
    ):
        yield response


def get(url: URLTypes, **kwargs: typing.Any) -> Response:
    """Send a GET request (see `request`)."""
    return request("GET", url, **kwargs)


def options(url: URLTypes, **kwargs: typing.Any) -> Response:
    """Send an OPTIONS request (see `request`)."""
    return request("OPTIONS", url, **kwargs)


def head(url: URLTypes, **kwargs: typing.Any) -> Response:
    """Send a HEAD request (see `request`)."""
    return request("HEAD", url, **kwargs)


def post(url: URLTypes, **kwargs: typing.Any) -> Response:
    """Send a POST request (see `request`)."""
    return request("POST", url, **kwargs)


def put(url: URLTypes, **kwargs: typing.Any) -> Response:
    """Send a PUT request (see `request`)."""
    return request("PUT", url, **kwargs)


def patch(url: URLTypes, **kwargs: typing.Any) -> Response:
    """Send a PATCH request (see `request`)."""
    return request("PATCH", url, **kwargs)


def delete(url: URLTypes, **kwargs: typing.Any) -> Response:
    """Send a DELETE request (see `request`)."""
    return request("DELETE", url, **kwargs)
