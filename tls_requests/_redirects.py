"""
Redirect computation: the next request of a redirect chain, as browsers and httpx build it.

Pure functions; the clients call `build_redirect_request` in their (bounded) redirect loops.
"""

from __future__ import annotations

from ._exceptions import RemoteProtocolError
from ._models import Headers, Request, Response
from ._streams import ByteStream
from ._urls import URL

__all__: list[str] = []


def redirect_method(request: Request, response: Response) -> str:
    method = request.method
    # RFC 9110 15.4.4: 303 turns anything but HEAD into GET.
    if response.status_code == 303 and method != "HEAD":
        return "GET"
    # Browsers turn a POST into GET on 302 and 301 (RFC 9110 allows it); 307/308 keep it.
    if response.status_code in (301, 302) and method == "POST":
        return "GET"
    return method


def redirect_url(request: Request, response: Response) -> URL:
    location = response.headers["Location"]
    try:
        url = URL(location)
    except Exception as exc:
        raise RemoteProtocolError(
            f"Invalid URL in location header: {exc}.", request=request
        ) from None
    if url.scheme and not url.host:
        url = url.copy_with(host=request.url.host)
    url = request.url.join(url) if url.is_relative_url else url
    # A fragment on the original URL carries over unless the Location has its own.
    if request.url.fragment and not url.fragment:
        url = url.copy_with(fragment=request.url.fragment)
    return url


def _same_origin(url: URL, other: URL) -> bool:
    return url.origin == other.origin


def _is_https_upgrade(url: URL, location: URL) -> bool:
    return (
        url.scheme == "http"
        and location.scheme == "https"
        and url.host == location.host
        and url.origin[2] == 80
        and location.origin[2] == 443
    )


def redirect_headers(request: Request, url: URL, method: str) -> Headers:
    headers = request.headers.copy()
    if not _same_origin(url, request.url) and not _is_https_upgrade(request.url, url):
        # Never leak credentials to another origin.
        for name in ("Authorization", "Proxy-Authorization"):
            if name in headers:
                del headers[name]
    if method != request.method and method == "GET":
        for name in ("Content-Length", "Transfer-Encoding", "Content-Type"):
            if name in headers:
                del headers[name]
    # The jar supplies the cookies for the new URL when the hop is sent.
    if "Cookie" in headers:
        del headers["Cookie"]
    return headers


def build_redirect_request(request: Request, response: Response) -> Request:
    """The request that follows `response` (a 3xx with Location), keeping extensions
    (timeout, proxy, profile) so every hop is sent like the first."""
    method = redirect_method(request, response)
    url = redirect_url(request, response)
    headers = redirect_headers(request, url, method)
    stream = ByteStream(b"") if method != request.method and method == "GET" else request.stream
    return Request(method, url, headers=headers, stream=stream, extensions=request.extensions)
