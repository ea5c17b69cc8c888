"""
`Headers`, `Request` and `Response`.

These are plain data plus pure helpers; they never touch the network. A `Response` reads its
body through a byte stream that a transport gave it, so the same class serves `Client` and
`AsyncClient` (`read`/`aread`, `iter_bytes`/`aiter_bytes`, ...).
"""

from __future__ import annotations

import datetime
import email.message
import io
import json as jsonlib
import re
import time
import typing
from http import HTTPStatus

from ._content import encode_request
from ._decoders import (
    ByteChunker,
    LineDecoder,
    TextChunker,
    TextDecoder,
    decoder_for,
)
from ._exceptions import (
    HTTPStatusError,
    RequestNotRead,
    ResponseNotRead,
    StreamClosed,
    StreamConsumed,
)
from ._multipart import get_multipart_boundary_from_content_type
from ._streams import AsyncByteStream, ByteStream, SyncByteStream
from ._urls import URL

if typing.TYPE_CHECKING:
    from ._cookies import Cookies
    from ._types import (
        HeaderTypes,
        QueryParamTypes,
        RequestContent,
        RequestData,
        RequestExtensions,
        RequestFiles,
        ResponseContent,
        ResponseExtensions,
        URLTypes,
    )

__all__ = ["Headers", "Request", "Response"]


def _to_str(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


class Headers(typing.MutableMapping[str, str]):
    """
    Ordered, case-insensitive, multi-valued HTTP headers.

    Names keep the case and the order they were given in, because both are part of a browser's
    fingerprint on the wire. Lookups ignore case; `headers["a"]` joins repeated values with
    ", " and `headers.get_list("a")` returns them separately.
    """

    def __init__(self, headers: HeaderTypes | None = None) -> None:
        self._list: list[tuple[str, str]] = []
        if headers is None:
            return
        if isinstance(headers, Headers):
            self._list = list(headers._list)
        elif isinstance(headers, typing.Mapping):
            self._list = [(_to_str(k), _to_str(v)) for k, v in headers.items()]
        else:
            self._list = [(_to_str(k), _to_str(v)) for k, v in headers]

    def keys(self) -> typing.KeysView[str]:
        return {k.lower(): None for k, _ in self._list}.keys()

    def multi_items(self) -> list[tuple[str, str]]:
        """Every (name, value) pair, names lower-cased, in order."""
        return [(k.lower(), v) for k, v in self._list]

    @property
    def raw(self) -> list[tuple[str, str]]:
        """Every (name, value) pair as given: original case and order."""
        return list(self._list)

    def get_list(self, key: str, split_commas: bool = False) -> list[str]:
        lower = key.lower()
        values = [v for k, v in self._list if k.lower() == lower]
        if not split_commas:
            return values
        return [item.strip() for value in values for item in value.split(",")]

    def update(self, headers: HeaderTypes | None = None, **_: typing.Any) -> None:  # type: ignore[override]
        """Replace every header named in `headers`, keeping the position of the first one."""
        other = Headers(headers)
        for key in other:
            values = other.get_list(key)
            self._replace(key, values, other._original_name(key))

    def copy(self) -> Headers:
        return Headers(self)

    def _original_name(self, key: str) -> str:
        lower = key.lower()
        for k, _ in self._list:
            if k.lower() == lower:
                return k
        return key

    def _replace(self, key: str, values: list[str], name: str) -> None:
        lower = key.lower()
        positions = [i for i, (k, _) in enumerate(self._list) if k.lower() == lower]
        new = [(name, v) for v in values]
        if not positions:
            self._list.extend(new)
            return
        first = positions[0]
        kept = [item for i, item in enumerate(self._list) if i not in set(positions)]
        self._list = kept[:first] + new + kept[first:]

    def __getitem__(self, key: str) -> str:
        values = self.get_list(key)
        if not values:
            raise KeyError(key)
        return ", ".join(values)

    def __setitem__(self, key: str, value: str) -> None:
        self._replace(key, [_to_str(value)], key)

    def __delitem__(self, key: str) -> None:
        lower = key.lower()
        if lower not in self.keys():
            raise KeyError(key)
        self._list = [(k, v) for k, v in self._list if k.lower() != lower]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self.keys()

    def __iter__(self) -> typing.Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def __eq__(self, other: object) -> bool:
        try:
            other_headers = Headers(other)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return sorted(self.multi_items()) == sorted(other_headers.multi_items())

    def __repr__(self) -> str:
        secret = {"authorization", "proxy-authorization"}
        items = [(k, "[secure]" if k.lower() in secret else v) for k, v in self._list]
        return f"Headers({items!r})"


class Request:
    """
    An HTTP request: method, URL, headers and body.

    Usually built by `client.build_request(...)`, which also merges the client's settings.
    `extensions` carries per-request transport options (timeout, proxy, profile).
    """

    def __init__(
        self,
        method: str | bytes,
        url: URLTypes,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: typing.Any | None = None,
        stream: SyncByteStream | AsyncByteStream | None = None,
        extensions: RequestExtensions | None = None,
    ) -> None:
        self.method = _to_str(method).upper()
        self.url = URL(url) if params is None else URL(url).copy_merge_params(params)
        self.headers = Headers(headers)
        self.extensions: dict[str, typing.Any] = dict(extensions or {})
        if stream is None:
            # A user-chosen multipart boundary in Content-Type must be the one the body uses.
            boundary = get_multipart_boundary_from_content_type(self.headers.get("Content-Type"))
            body_headers, stream = encode_request(content, data, files, json, boundary)
            for name, value in body_headers.items():
                # Body headers the user set explicitly win (e.g. a custom multipart type).
                if name not in self.headers:
                    self.headers[name] = value
        self.stream: SyncByteStream | AsyncByteStream = stream
        if isinstance(stream, ByteStream):
            self._content: bytes | None = stream._content
        else:
            self._content = None

    @property
    def content(self) -> bytes:
        if self._content is None:
            raise RequestNotRead()
        return self._content

    def read(self) -> bytes:
        """Load a streamed body into memory, so the request can be sent again (redirects)."""
        if self._content is None:
            assert isinstance(self.stream, typing.Iterable)
            self._content = b"".join(self.stream)
            self.stream = ByteStream(self._content)
        return self._content

    async def aread(self) -> bytes:
        if self._content is None:
            assert isinstance(self.stream, typing.AsyncIterable)
            self._content = b"".join([part async for part in self.stream])
            self.stream = ByteStream(self._content)
        return self._content

    def __repr__(self) -> str:
        return f"<Request({self.method!r}, {self.url!r})>"


_LINK_RE = re.compile(r"\s*<([^>]*)>\s*((?:;\s*[^;,]+)*)")


def _parse_links(value: str) -> list[dict[str, str]]:
    links: list[dict[str, str]] = []
    for match in _LINK_RE.finditer(value):
        link = {"url": match.group(1)}
        for param in match.group(2).split(";"):
            if "=" in param:
                key, _, val = param.partition("=")
                link[key.strip().lower()] = val.strip().strip("'\"")
        links.append(link)
    return links


class Response:
    """
    An HTTP response.

    For a normal request the body has already been read (`.content`, `.text`, `.json()`).
    Inside `client.stream(...)` read it incrementally with `iter_bytes()`/`aiter_bytes()` and
    friends, or load it with `read()`/`aread()`.
    """

    def __init__(
        self,
        status_code: int,
        *,
        headers: HeaderTypes | None = None,
        content: ResponseContent | None = None,
        text: str | None = None,
        json: typing.Any = None,
        stream: SyncByteStream | AsyncByteStream | None = None,
        request: Request | None = None,
        extensions: ResponseExtensions | None = None,
        history: list[Response] | None = None,
        default_encoding: str | typing.Callable[[bytes], str | None] = "utf-8",
    ) -> None:
        self.status_code = status_code
        self.headers = Headers(headers)
        self._request = request
        self.extensions: dict[str, typing.Any] = dict(extensions or {})
        self.history = list(history or [])
        self.next_request: Request | None = None
        self.default_encoding = default_encoding
        self.is_closed = False
        self.is_stream_consumed = False
        self._num_bytes_downloaded = 0
        self._elapsed: datetime.timedelta | None = None
        # Set by the client when it sends the request; `elapsed` is measured up to close().
        self._started_at: float | None = None
        self._encoding: str | None = None
        self._text: str | None = None
        if stream is None:
            if text is not None:
                content = text.encode("utf-8")
                self.headers.setdefault("Content-Type", "text/plain; charset=utf-8")
            elif json is not None:
                content = jsonlib.dumps(json).encode("utf-8")
                self.headers.setdefault("Content-Type", "application/json")
            stream = encode_request(content=content or b"")[1]
        self.stream = stream
        if isinstance(stream, ByteStream) and "Content-Encoding" not in self.headers:
            self._content: bytes | None = stream._content
            self.is_stream_consumed = True
            self.is_closed = True
        else:
            self._content = None

    # Metadata -------------------------------------------------------------------------------

    @property
    def request(self) -> Request:
        if self._request is None:
            raise RuntimeError("The request instance has not been set on this response.")
        return self._request

    @request.setter
    def request(self, value: Request) -> None:
        self._request = value

    @property
    def url(self) -> URL:
        """The URL of the request this response answers (the last hop of a redirect chain)."""
        return self.request.url

    @property
    def http_version(self) -> str:
        """The protocol actually negotiated: 'HTTP/1.1' or 'HTTP/2'."""
        return str(self.extensions.get("http_version", "HTTP/1.1"))

    @property
    def reason_phrase(self) -> str:
        reason = self.extensions.get("reason_phrase")
        if reason:
            return str(reason)
        try:
            return HTTPStatus(self.status_code).phrase
        except ValueError:
            return ""

    @property
    def elapsed(self) -> datetime.timedelta:
        """Time from sending the request to finishing the response (available once closed)."""
        if self._elapsed is None:
            raise RuntimeError("'.elapsed' is only available once the response has been read.")
        return self._elapsed

    @elapsed.setter
    def elapsed(self, value: datetime.timedelta) -> None:
        self._elapsed = value

    @property
    def num_bytes_downloaded(self) -> int:
        """Bytes of body received so far, before Content-Encoding decoding."""
        return self._num_bytes_downloaded

    @property
    def cookies(self) -> Cookies:
        from ._cookies import Cookies

        cookies = Cookies()
        cookies.extract_cookies(self)
        return cookies

    @property
    def links(self) -> dict[str, dict[str, str]]:
        """The parsed `Link` header, keyed by `rel` (or by URL when there is no rel)."""
        header = self.headers.get("link")
        if not header:
            return {}
        return {link.get("rel") or link["url"]: link for link in _parse_links(header)}

    # Status ---------------------------------------------------------------------------------

    @property
    def is_informational(self) -> bool:
        return 100 <= self.status_code <= 199

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code <= 299

    @property
    def is_redirect(self) -> bool:
        return self.status_code in (301, 302, 303, 307, 308) and "Location" in self.headers

    @property
    def is_client_error(self) -> bool:
        return 400 <= self.status_code <= 499

    @property
    def is_server_error(self) -> bool:
        return 500 <= self.status_code <= 599

    @property
    def is_error(self) -> bool:
        return 400 <= self.status_code <= 599

    @property
    def has_redirect_location(self) -> bool:
        return self.is_redirect

    def raise_for_status(self) -> Response:
        """Raise `HTTPStatusError` for a 4xx or 5xx response; return the response otherwise."""
        request = self.request
        if self.is_success or self.is_informational or self.is_redirect:
            return self
        if not self.is_error:
            return self
        kind = "Client error" if self.is_client_error else "Server error"
        message = (
            f"{kind} '{self.status_code} {self.reason_phrase}' for url '{self.url}'\n"
            f"For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/"
            f"Status/{self.status_code}"
        )
        raise HTTPStatusError(message, request=request, response=self)

    # Body as a whole --------------------------------------------------------------------------

    @property
    def content(self) -> bytes:
        if self._content is None:
            raise ResponseNotRead()
        return self._content

    @property
    def charset_encoding(self) -> str | None:
        content_type = self.headers.get("Content-Type")
        if content_type is None:
            return None
        message = email.message.Message()
        message["content-type"] = content_type
        charset = message.get_param("charset")
        return str(charset).strip("'\"") if isinstance(charset, str) else None

    @property
    def encoding(self) -> str:
        """
        The text encoding: the Content-Type charset if valid, else detection on the body
        (charset-normalizer), else `default_encoding` (utf-8).
        """
        if self._encoding is None:
            self._encoding = self._choose_encoding()
        return self._encoding

    @encoding.setter
    def encoding(self, value: str) -> None:
        if self._text is not None:
            raise ValueError("Setting encoding after `text` has been accessed is not allowed.")
        self._encoding = value

    def _choose_encoding(self) -> str:
        import codecs

        charset = self.charset_encoding
        if charset:
            try:
                return codecs.lookup(charset).name
            except LookupError:
                pass
        if callable(self.default_encoding):
            return self.default_encoding(self._content or b"") or "utf-8"
        content_type = self.headers.get("Content-Type", "")
        if self._content and not content_type.startswith("application/json"):
            try:
                self._content.decode("utf-8")
            except UnicodeDecodeError:
                return _detect_encoding(self._content) or self.default_encoding
        return self.default_encoding

    @property
    def text(self) -> str:
        if self._text is None:
            content = self.content
            decoder = TextDecoder(self.encoding)
            self._text = decoder.decode(content) + decoder.flush()
        return self._text

    def json(self, **kwargs: typing.Any) -> typing.Any:
        return jsonlib.loads(self.content, **kwargs)

    # Sync streaming -------------------------------------------------------------------------

    def read(self) -> bytes:
        """Read and return the whole (decoded) body."""
        if self._content is None:
            # BytesIO hands its buffer over in getvalue(): the body is held once, not twice
            # as with a list of chunks plus their join.
            buffer = io.BytesIO()
            for chunk in self.iter_bytes():
                buffer.write(chunk)
            self._content = buffer.getvalue()
        return self._content

    def iter_raw(self, chunk_size: int | None = None) -> typing.Iterator[bytes]:
        """The body exactly as received, before Content-Encoding decoding."""
        if self.is_stream_consumed:
            raise StreamConsumed()
        if self.is_closed:
            raise StreamClosed()
        if not isinstance(self.stream, SyncByteStream):
            raise RuntimeError("Attempted to call a sync iterator on an async stream.")
        self.is_stream_consumed = True
        chunker = ByteChunker(chunk_size)
        try:
            for raw in self.stream:
                self._num_bytes_downloaded += len(raw)
                yield from chunker.decode(raw)
        finally:
            self.close()
        yield from chunker.flush()

    def iter_bytes(self, chunk_size: int | None = None) -> typing.Iterator[bytes]:
        """The decoded body in chunks (of `chunk_size` bytes, if given)."""
        if self._content is not None:
            chunk_size = len(self._content) if chunk_size is None else chunk_size
            for i in range(0, len(self._content), max(chunk_size, 1)):
                yield self._content[i : i + chunk_size]
            return
        decoder = decoder_for(self.headers.get("Content-Encoding", ""))
        chunker = ByteChunker(chunk_size)
        for raw in self.iter_raw():
            yield from chunker.decode(decoder.decode(raw))
        yield from chunker.decode(decoder.flush())
        yield from chunker.flush()

    def iter_text(self, chunk_size: int | None = None) -> typing.Iterator[str]:
        decoder = TextDecoder(self._streaming_encoding())
        chunker = TextChunker(chunk_size)
        for data in self.iter_bytes():
            yield from chunker.decode(decoder.decode(data))
        yield from chunker.decode(decoder.flush())
        yield from chunker.flush()

    def iter_lines(self) -> typing.Iterator[str]:
        decoder = LineDecoder()
        for text in self.iter_text():
            yield from decoder.decode(text)
        yield from decoder.flush()

    def close(self) -> None:
        """Release the connection behind a streamed response. Safe to call more than once."""
        if not self.is_closed:
            self.is_closed = True
            self._stop_clock()
            if isinstance(self.stream, SyncByteStream):
                self.stream.close()

    def _stop_clock(self) -> None:
        if self._started_at is not None and self._elapsed is None:
            self._elapsed = datetime.timedelta(seconds=time.perf_counter() - self._started_at)

    # Async streaming ------------------------------------------------------------------------

    async def aread(self) -> bytes:
        if self._content is None:
            raw = await self._aread_raw_all()
            decoder = decoder_for(self.headers.get("Content-Encoding", ""))
            self._content = decoder.decode(raw) + decoder.flush()
        return self._content

    async def _aread_raw_all(self) -> bytes:
        # The whole raw body in one go (`aread_all`), so a transport can skip per-chunk hops.
        if self.is_stream_consumed:
            raise StreamConsumed()
        if self.is_closed:
            raise StreamClosed()
        if not isinstance(self.stream, AsyncByteStream):
            raise RuntimeError("Attempted to call an async iterator on a sync stream.")
        self.is_stream_consumed = True
        try:
            raw = await self.stream.aread_all()
        finally:
            await self.aclose()
        self._num_bytes_downloaded += len(raw)
        return raw

    async def aiter_raw(self, chunk_size: int | None = None) -> typing.AsyncIterator[bytes]:
        if self.is_stream_consumed:
            raise StreamConsumed()
        if self.is_closed:
            raise StreamClosed()
        if not isinstance(self.stream, AsyncByteStream):
            raise RuntimeError("Attempted to call an async iterator on a sync stream.")
        self.is_stream_consumed = True
        chunker = ByteChunker(chunk_size)
        try:
            async for raw in self.stream:
                self._num_bytes_downloaded += len(raw)
                for chunk in chunker.decode(raw):
                    yield chunk
        finally:
            await self.aclose()
        for chunk in chunker.flush():
            yield chunk

    async def aiter_bytes(self, chunk_size: int | None = None) -> typing.AsyncIterator[bytes]:
        if self._content is not None:
            for chunk in self.iter_bytes(chunk_size):
                yield chunk
            return
        decoder = decoder_for(self.headers.get("Content-Encoding", ""))
        chunker = ByteChunker(chunk_size)
        async for raw in self.aiter_raw():
            for chunk in chunker.decode(decoder.decode(raw)):
                yield chunk
        for chunk in [*chunker.decode(decoder.flush()), *chunker.flush()]:
            yield chunk

    async def aiter_text(self, chunk_size: int | None = None) -> typing.AsyncIterator[str]:
        decoder = TextDecoder(self._streaming_encoding())
        chunker = TextChunker(chunk_size)
        async for data in self.aiter_bytes():
            for text in chunker.decode(decoder.decode(data)):
                yield text
        for text in [*chunker.decode(decoder.flush()), *chunker.flush()]:
            yield text

    async def aiter_lines(self) -> typing.AsyncIterator[str]:
        decoder = LineDecoder()
        async for text in self.aiter_text():
            for line in decoder.decode(text):
                yield line
        for line in decoder.flush():
            yield line

    async def aclose(self) -> None:
        if not self.is_closed:
            self.is_closed = True
            self._stop_clock()
            if isinstance(self.stream, AsyncByteStream):
                await self.stream.aclose()

    # Context managers (for `with client.stream(...) as response` forms) -------------------------

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.aclose()

    def _streaming_encoding(self) -> str:
        # While streaming, the body is not known yet, so detection cannot run.
        charset = self.charset_encoding
        if charset:
            import codecs

            try:
                return codecs.lookup(charset).name
            except LookupError:
                pass
        return self.default_encoding if isinstance(self.default_encoding, str) else "utf-8"

    def __repr__(self) -> str:
        return f"<Response [{self.status_code} {self.reason_phrase}]>"


def _detect_encoding(content: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(content).best()
    return best.encoding if best is not None else None
