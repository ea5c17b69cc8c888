"""
Exceptions raised by tls_requests.

The hierarchy mirrors httpx, so code written against httpx catches the same things:

* HTTPError
  x RequestError
    + TransportError
      - TimeoutException
        · ConnectTimeout
        · ReadTimeout
        · WriteTimeout
        · PoolTimeout
      - NetworkError
        · ConnectError
          · TLSError
        · ReadError
        · WriteError
        · CloseError
      - ProtocolError
        · LocalProtocolError
        · RemoteProtocolError
      - ProxyError
      - UnsupportedProtocol
    + DecodingError
    + TooManyRedirects
    + ClientClosed (also a RuntimeError)
  x HTTPStatusError
* InvalidURL
* UnsupportedProfile
* StreamError
  x StreamConsumed
  x StreamClosed
  x ResponseNotRead
  x RequestNotRead
* LibraryNotFound (an ImportError)
* ForkedProcessError (a RuntimeError)

Go reports failures as a stable *kind* string; `_NATIVE_ERRORS` below is the one table that
turns a kind into an exception class.
"""

from __future__ import annotations

import typing

if typing.TYPE_CHECKING:
    from ._models import Request, Response

__all__ = [
    "ClientClosed",
    "CloseError",
    "ConnectError",
    "ConnectTimeout",
    "DecodingError",
    "ForkedProcessError",
    "HTTPError",
    "HTTPStatusError",
    "InvalidURL",
    "LibraryNotFound",
    "LocalProtocolError",
    "NetworkError",
    "PoolTimeout",
    "ProtocolError",
    "ProxyError",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "RequestError",
    "RequestNotRead",
    "ResponseNotRead",
    "StreamClosed",
    "StreamConsumed",
    "StreamError",
    "TLSError",
    "TimeoutException",
    "TooManyRedirects",
    "TransportError",
    "UnsupportedProfile",
    "UnsupportedProtocol",
    "WriteError",
    "WriteTimeout",
]


class HTTPError(Exception):
    """Base class for `RequestError` and `HTTPStatusError`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self._request: Request | None = None

    @property
    def request(self) -> Request:
        if self._request is None:
            raise RuntimeError("The .request property has not been set.")
        return self._request

    @request.setter
    def request(self, request: Request) -> None:
        self._request = request


class RequestError(HTTPError):
    """An error occurred while issuing a request."""

    def __init__(self, message: str, *, request: Request | None = None) -> None:
        super().__init__(message)
        self._request = request


class TransportError(RequestError):
    """An error occurred at the level of the transport (the Go core)."""


class TimeoutException(TransportError, TimeoutError):
    """A timeout expired; also a builtin `TimeoutError`."""


class ConnectTimeout(TimeoutException):
    """The connection (TCP, proxy and TLS handshake) was not ready in time."""


class ReadTimeout(TimeoutException):
    """The server did not send data in time."""


class WriteTimeout(TimeoutException):
    """The request body could not be sent in time."""


class PoolTimeout(TimeoutException):
    """No connection could be taken from the pool in time."""


class NetworkError(TransportError):
    """A network operation failed."""


class ConnectError(NetworkError):
    """The connection could not be established (refused, unreachable, DNS)."""


class TLSError(ConnectError):
    """The TLS handshake or the certificate verification failed."""


class ReadError(NetworkError):
    """The connection broke while the response was being received."""


class WriteError(NetworkError):
    """The connection broke while the request was being sent."""


class CloseError(NetworkError):
    """Closing a connection failed."""


class ProxyError(TransportError):
    """The proxy refused the request, rejected its credentials or was unreachable."""


class UnsupportedProtocol(TransportError):
    """The URL scheme is not http or https."""


class ProtocolError(TransportError):
    """The peer violated HTTP/1.1 or HTTP/2."""


class LocalProtocolError(ProtocolError):
    """The request could not be sent because it would violate the protocol."""


class RemoteProtocolError(ProtocolError):
    """The server violated the protocol."""


class DecodingError(RequestError):
    """The response body could not be decoded with its Content-Encoding."""


class TooManyRedirects(RequestError):
    """More redirects than `max_redirects` were received."""


class HTTPStatusError(HTTPError):
    """`raise_for_status()` found a 4xx or 5xx response."""

    def __init__(self, message: str, *, request: Request, response: Response) -> None:
        super().__init__(message)
        self._request = request
        self.response = response


class InvalidURL(ValueError):
    """The URL is malformed."""


class UnsupportedProfile(ValueError):
    """The browser profile (client_identifier) is unknown; `suggestions` holds close matches."""

    def __init__(
        self, name: str, suggestions: typing.Sequence[str] = (), message: str | None = None
    ) -> None:
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(message or f"Unknown client_identifier {name!r}.{hint}")
        self.name = name
        self.suggestions = tuple(suggestions)

    def __reduce__(self) -> tuple[typing.Any, ...]:
        return (type(self), (self.name, self.suggestions, str(self)))


class ClientClosed(RequestError, RuntimeError):
    """The client was used after `close()` / `aclose()`, or closed while requests were in flight."""


class LibraryNotFound(ImportError):
    """The native library (built from go/ at install time) could not be found or loaded."""


class ForkedProcessError(RuntimeError):
    """
    This process was forked after the native library was loaded in its parent. The Go runtime
    does not survive fork(), so the child cannot use it (every call would hang).
    """


class StreamError(RuntimeError):
    """Base class for misuse of request or response streams."""


class StreamConsumed(StreamError):
    """The stream was already read and cannot be read again."""

    def __init__(self) -> None:
        super().__init__(
            "The content of this stream has already been consumed. Use `.read()` "
            "before iterating if you need the content more than once."
        )


class StreamClosed(StreamError):
    """The stream was closed before it was read."""

    def __init__(self) -> None:
        super().__init__("The stream was closed before it was read.")


class ResponseNotRead(StreamError):
    """`.content` was accessed on a streamed response that was not read."""

    def __init__(self) -> None:
        super().__init__(
            "Attempted to access streaming response content without having called `read()`."
        )


class RequestNotRead(StreamError):
    """`.content` was accessed on a request whose streamed body was not read."""

    def __init__(self) -> None:
        super().__init__(
            "Attempted to access streaming request content without having called `read()`."
        )


# The one table from Go error kinds (go/internal/bridge/errors.go, docs/internals/ffi.md)
# to exception classes. Kinds that mean a programming error on our side map to the base class.
_NATIVE_ERRORS: dict[str, type[TransportError]] = {
    "connect_timeout": ConnectTimeout,
    "read_timeout": ReadTimeout,
    "write_timeout": WriteTimeout,
    "pool_timeout": PoolTimeout,
    "connect": ConnectError,
    "read": ReadError,
    "write": WriteError,
    "proxy": ProxyError,
    "tls": TLSError,
    "protocol": RemoteProtocolError,
    "unsupported_protocol": UnsupportedProtocol,
    "invalid_config": LocalProtocolError,
    "cancelled": TransportError,
    "invalid_handle": TransportError,
    "internal": TransportError,
}


def map_native_error(kind: str, message: str, request: Request | None = None) -> Exception:
    """
    Turn a Go error (kind + message) into the exception to raise.

    `invalid_url` and `invalid_profile` are input errors, so they become `InvalidURL` and
    `UnsupportedProfile` (ValueErrors) rather than transport errors. Unknown kinds map to
    `TransportError`, never to a bare Exception.
    """
    if kind == "invalid_url":
        return InvalidURL(message)
    if kind == "invalid_profile":
        # Python validates profile names first, so this is a custom fingerprint Go refused.
        return UnsupportedProfile("custom", message=f"Invalid fingerprint: {message}")
    exc_class = _NATIVE_ERRORS.get(kind, TransportError)
    return exc_class(message, request=request)
