"""
The raw ASGI test application, served over HTTP/1.1 and HTTP/2 by `server.HypercornServer`.

Routes (any method unless noted; `{x}` are path parameters):

* `/`, `/echo`, `/headers_order`, `/connections` -> JSON echo of the request (see `_echo`).
  `headers` keeps the order the server received; over HTTP/1.1 names keep their wire case
  (hypercorn runs with `h11_pass_raw_headers`), over HTTP/2 they are lowercase and `host`
  (made from `:authority`) comes first with pseudo-headers removed.
* `/echo_body` -> the request body verbatim (application/octet-stream; reads it in chunks).
* `/status/{code}` -> that status (no body for 204/304 or HEAD).
* `/json` -> `payloads.JSON_DOC`; `/text?content=..&charset=..` -> text in that charset;
  `/text?content=..&encoding=cp1252` -> those bytes with NO charset in Content-Type.
* `/bytes/{n}?chunk=K&chunked=1` -> `payloads.pattern_bytes(n)` streamed in K-byte chunks,
  header `x-content-sha256`; `chunked=1` omits Content-Length.
* `/stream_lines/{n}` -> n JSON lines, one chunk each.
* `/delay/{seconds}` -> reads the body, sleeps (<= 60 s), then echoes; a client that
  disconnects meanwhile ends the handler early (nothing lingers until server shutdown).
* `/stall_body?seconds=30` -> headers + first chunk, then stalls (<= 120 s or until the client
  disconnects); `/drip?chunks=&interval=&size=&delay=` -> slow, sized body.
* `/slow_upload?interval=` -> reads the body slowly, reports length/sha256/chunk count.
* `/redirect/{n}` -> chain of n redirects with absolute Location (…/redirect/{n-1} … /echo);
  `/relative_redirect/{n}` the same with relative Location; both take `?status=30x`.
  `/redirect_to?url=..&status=30x` (also `status_code`); `/redirect_loop` redirects to itself.
* `/cookies` -> cookies received; `/cookies/set?a=1&b=2` (one Set-Cookie each);
  `/cookies/set_and_redirect?a=1` (302 to /cookies); `/cookies/delete?a&b`;
  `/cookies/set_attrs?name=&value=&path=&domain=&max_age=&expires=&expires_in=&secure=1
  &httponly=1&samesite=`.
* `/basic_auth/{user}/{password}`, `/digest_auth/{qop}/{user}/{password}[/{algorithm}]`
  (qop: auth, auth-int, none; algorithm: MD5 (default), MD5-sess, SHA-256, SHA-256-sess).
* `/gzip`, `/deflate`, `/raw_deflate`, `/brotli`, `/zstd` -> `payloads.COMPRESSED_JSON_BYTES`
  compressed; `/compressed?encodings=gzip,br` stacks codings in the given order.
* `/links` -> a `Link` header with several rels; `/response_headers?Name=value&...` -> those
  response headers (repeats allowed); `/close` -> `Connection: close` on HTTP/1.1.
* `/multipart` -> parsed multipart/form-data parts; `/form` -> parsed urlencoded form.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from urllib.parse import parse_qsl

from . import payloads
from ._asgi import Receive, Request, Scope, Send, respond, respond_json, start
from ._digest import ALGORITHMS, QOPS, DigestVerifier
from ._multipart import parse_header_params, parse_multipart

__all__ = ["TestApp"]

Handler = Callable[[Request, Send, re.Match[str]], Awaitable[None]]

# Bodies larger than this are hashed but not echoed back as text.
ECHO_BODY_LIMIT = 1024 * 1024
MAX_DELAY = 60.0
MAX_STALL = 120.0
MAX_BYTES = 1024**3
ENCODING_ROUTES = {
    "/gzip": "gzip",
    "/deflate": "deflate",
    "/raw_deflate": "raw-deflate",
    "/brotli": "br",
    "/zstd": "zstd",
}


def _float_param(request: Request, name: str, default: float, cap: float) -> float:
    return max(0.0, min(float(request.query_value(name) or default), cap))


async def _client_left_within(request: Request, seconds: float) -> bool:
    """Sleep up to `seconds`; True (early) if the client disconnected meanwhile."""
    try:
        await asyncio.wait_for(request.wait_disconnect(), seconds)
    except asyncio.TimeoutError:
        return False
    return True


class TestApp:
    """ASGI callable. One instance per server, because digest nonces are per instance."""

    __test__ = False  # not a pytest test class despite the name

    def __init__(self) -> None:
        self.digest = DigestVerifier()
        self._routes: list[tuple[re.Pattern[str], Handler]] = [
            (re.compile(pattern + r"\Z"), handler)
            for pattern, handler in [
                (r"/(echo|headers_order|connections)?", self._echo),
                (r"/echo_body", self._echo_body),
                (r"/status/(\d+)", self._status),
                (r"/json", self._json),
                (r"/text", self._text),
                (r"/bytes/(\d+)", self._bytes),
                (r"/stream_lines/(\d+)", self._stream_lines),
                (r"/delay/([0-9.]+)", self._delay),
                (r"/stall_body", self._stall_body),
                (r"/drip", self._drip),
                (r"/slow_upload", self._slow_upload),
                (r"/redirect/(-?\d+)", self._redirect),
                (r"/relative_redirect/(-?\d+)", self._redirect),
                (r"/redirect_to", self._redirect_to),
                (r"/redirect_loop", self._redirect_loop),
                (r"/cookies", self._cookies),
                (r"/cookies/(set|set_and_redirect)", self._cookies_set),
                (r"/cookies/set_attrs", self._cookies_set_attrs),
                (r"/cookies/delete", self._cookies_delete),
                (r"/basic_auth/([^/]+)/([^/]+)", self._basic_auth),
                (r"/digest_auth/([^/]+)/([^/]+)/([^/]+)(?:/([^/]+))?", self._digest_auth),
                (r"/(gzip|deflate|raw_deflate|brotli|zstd)", self._encoded),
                (r"/compressed", self._compressed),
                (r"/links", self._links),
                (r"/response_headers", self._response_headers),
                (r"/close", self._close),
                (r"/multipart", self._multipart),
                (r"/form", self._form),
            ]
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets are not served
        request = Request(scope, receive)
        for pattern, handler in self._routes:
            match = pattern.match(request.path)
            if match:
                try:
                    await handler(request, send, match)
                except ValueError as exc:  # bad parameters from the test: say so loudly
                    await respond(send, 400, f"bad request: {exc}\n".encode())
                return
        await respond(send, 404, f"no route for {request.path}\n".encode())

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- echo family -------------------------------------------------------------------------

    @staticmethod
    async def _echo_data(request: Request) -> dict[str, object]:
        body, length, sha = await request.body_digest(ECHO_BODY_LIMIT)
        text: str | None = None
        if body is not None:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        client = request.scope.get("client")
        return {
            "method": request.method,
            "path": request.path,
            "raw_path": bytes(request.scope.get("raw_path") or b"").decode("latin-1"),
            "query": request.query_string,
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.raw_headers],
            "http_version": request.scope["http_version"],
            "scheme": request.scope.get("scheme"),
            "client": list(client) if client else None,
            "body_sha256": sha,
            "body_len": length,
            "body": text,
        }

    async def _echo(self, request: Request, send: Send, match: re.Match[str]) -> None:
        await respond_json(send, await self._echo_data(request))

    async def _echo_body(self, request: Request, send: Send, match: re.Match[str]) -> None:
        body = await request.body()
        await respond(send, 200, body, content_type="application/octet-stream")

    async def _delay(self, request: Request, send: Send, match: re.Match[str]) -> None:
        seconds = min(float(match.group(1)), MAX_DELAY)
        data = await self._echo_data(request)
        if await _client_left_within(request, seconds):
            return  # nobody to answer; don't keep the server busy until shutdown
        data["delay"] = seconds
        await respond_json(send, data)

    async def _slow_upload(self, request: Request, send: Send, match: re.Match[str]) -> None:
        interval = _float_param(request, "interval", 0.05, 5.0)
        chunks = length = 0
        digest = hashlib.sha256()
        async for chunk in request.iter_body():
            chunks += 1
            length += len(chunk)
            digest.update(chunk)
            await asyncio.sleep(interval)  # back-pressure: the client's send buffer fills up
        await respond_json(
            send, {"body_len": length, "body_sha256": digest.hexdigest(), "chunks": chunks}
        )

    # -- simple documents --------------------------------------------------------------------

    async def _status(self, request: Request, send: Send, match: re.Match[str]) -> None:
        code = int(match.group(1))
        if not 200 <= code <= 599:
            raise ValueError(f"status {code} cannot be a final response")
        if code in (204, 304):
            # RFC 9110: no body and no Content-Length for 204; none needed for 304.
            await start(send, code)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await respond_json(send, {"status": code}, status=code)

    async def _json(self, request: Request, send: Send, match: re.Match[str]) -> None:
        await respond_json(send, payloads.JSON_DOC)

    async def _text(self, request: Request, send: Send, match: re.Match[str]) -> None:
        content = request.query_value("content", payloads.TEXT_DEFAULT) or ""
        mime = request.query_value("content_type", "text/plain") or "text/plain"
        charset = request.query_value("charset")
        if charset is not None:
            body, content_type = content.encode(charset), f"{mime}; charset={charset}"
        else:
            # No charset advertised: the client has to guess (cp1252 vs utf-8 detection).
            body, content_type = content.encode(request.query_value("encoding") or "utf-8"), mime
        await respond(send, 200, body, content_type=content_type)

    async def _links(self, request: Request, send: Send, match: re.Match[str]) -> None:
        base = request.base_url
        link = (
            f'<{base}/page/2>; rel="next", <{base}/page/9>; rel="last", '
            '</page/1>; rel="first"; title="first page", '
            '</style.css>; rel="preload stylesheet"; as="style"'
        )
        await respond_json(send, {"link": link}, headers=[("link", link)])

    async def _response_headers(self, request: Request, send: Send, match: re.Match[str]) -> None:
        headers = request.query
        await respond_json(send, [[k, v] for k, v in headers], headers=headers)

    async def _close(self, request: Request, send: Send, match: re.Match[str]) -> None:
        data = await self._echo_data(request)
        # Connection-specific headers are illegal in HTTP/2 (RFC 9113 section 8.2.2).
        headers = [("connection", "close")] if request.scope["http_version"].startswith("1") else []
        await respond_json(send, data, headers=headers)

    # -- streaming ---------------------------------------------------------------------------

    async def _bytes(self, request: Request, send: Send, match: re.Match[str]) -> None:
        n = int(match.group(1))
        if n > MAX_BYTES:
            raise ValueError(f"n must be <= {MAX_BYTES}")
        chunk = int(request.query_value("chunk") or payloads.BLOCK_SIZE)
        headers = [
            ("content-type", "application/octet-stream"),
            ("x-content-sha256", payloads.pattern_sha256(n)),
        ]
        if request.query_value("chunked") != "1":
            headers.append(("content-length", str(n)))
        await start(send, 200, headers)
        if request.method != "HEAD":
            for piece in payloads.iter_pattern(n, chunk):
                await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _stream_lines(self, request: Request, send: Send, match: re.Match[str]) -> None:
        await start(send, 200, [("content-type", "application/x-ndjson")])
        for i in range(int(match.group(1))):
            line = json.dumps({"id": i}).encode() + b"\n"
            await send({"type": "http.response.body", "body": line, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _stall_body(self, request: Request, send: Send, match: re.Match[str]) -> None:
        seconds = _float_param(request, "seconds", 30.0, MAX_STALL)
        await start(send, 200, [("content-type", "text/plain")])
        await send({"type": "http.response.body", "body": b"first chunk\n", "more_body": True})
        # Bounded: stop stalling once the client disconnects or the time is up.
        if not await _client_left_within(request, seconds):
            await send({"type": "http.response.body", "body": b"done\n", "more_body": False})

    async def _drip(self, request: Request, send: Send, match: re.Match[str]) -> None:
        chunks = int(request.query_value("chunks") or 5)
        size = int(request.query_value("size") or 1)
        interval = _float_param(request, "interval", 0.1, 10.0)
        if await _client_left_within(request, _float_param(request, "delay", 0.0, MAX_DELAY)):
            return
        length = str(chunks * size)
        await start(send, 200, [("content-type", "text/plain"), ("content-length", length)])
        for i in range(chunks):
            if i and await _client_left_within(request, interval):
                return
            await send({"type": "http.response.body", "body": b"*" * size, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    # -- redirects ---------------------------------------------------------------------------

    @staticmethod
    async def _send_redirect(send: Send, location: str, status: int) -> None:
        if not 300 <= status <= 399:
            raise ValueError(f"redirect status {status} is not 3xx")
        await respond_json(
            send, {"location": location}, status=status, headers=[("location", location)]
        )

    async def _redirect(self, request: Request, send: Send, match: re.Match[str]) -> None:
        n = int(match.group(1))
        status = int(request.query_value("status") or 302)
        relative = request.path.startswith("/relative_redirect/")
        if n <= 0:
            await self._echo(request, send, match)
            return
        await request.body()  # read first: answering early races the upload (hypercorn h2 bug)
        prefix = "" if relative else request.base_url
        target = "/echo" if n == 1 else request.path.rsplit("/", 1)[0] + f"/{n - 1}"
        query = f"?status={status}" if request.query_value("status") and n > 1 else ""
        await self._send_redirect(send, prefix + target + query, status)

    async def _redirect_to(self, request: Request, send: Send, match: re.Match[str]) -> None:
        await request.body()  # see _redirect
        url = request.query_value("url")
        if url is None:
            raise ValueError("url parameter required")
        status = request.query_value("status") or request.query_value("status_code") or "302"
        await self._send_redirect(send, url, int(status))

    async def _redirect_loop(self, request: Request, send: Send, match: re.Match[str]) -> None:
        await self._send_redirect(send, "/redirect_loop", 302)

    # -- cookies -----------------------------------------------------------------------------

    async def _cookies(self, request: Request, send: Send, match: re.Match[str]) -> None:
        raw = request.header_values("cookie")  # HTTP/2 clients may split cookies (RFC 9113)
        cookies: dict[str, str] = {}
        for header in raw:
            for pair in header.split(";"):
                name, eq, value = pair.strip().partition("=")
                if eq:
                    cookies[name] = value
        await respond_json(send, {"cookies": cookies, "cookie_headers": raw})

    async def _cookies_set(self, request: Request, send: Send, match: re.Match[str]) -> None:
        pairs = request.query
        headers = [("set-cookie", f"{name}={value}; Path=/") for name, value in pairs]
        if match.group(1) == "set_and_redirect":
            headers.append(("location", "/cookies"))
            await respond_json(send, {"set": dict(pairs)}, status=302, headers=headers)
        else:
            await respond_json(send, {"set": dict(pairs)}, headers=headers)

    async def _cookies_set_attrs(self, request: Request, send: Send, match: re.Match[str]) -> None:
        q = dict(request.query)
        if "name" not in q:
            raise ValueError("name parameter required")
        parts = [f"{q['name']}={q.get('value', '')}"]
        for param, attr in (("path", "Path"), ("domain", "Domain"), ("max_age", "Max-Age")):
            if param in q:
                parts.append(f"{attr}={q[param]}")
        if "expires_in" in q:  # relative, so tests need no clock arithmetic of their own
            parts.append(f"Expires={formatdate(time.time() + float(q['expires_in']), usegmt=True)}")
        elif "expires" in q:
            parts.append(f"Expires={q['expires']}")
        if "samesite" in q:
            parts.append(f"SameSite={q['samesite']}")
        parts += [flag for flag in ("Secure", "HttpOnly") if q.get(flag.lower()) == "1"]
        cookie = "; ".join(parts)
        await respond_json(send, {"set_cookie": cookie}, headers=[("set-cookie", cookie)])

    async def _cookies_delete(self, request: Request, send: Send, match: re.Match[str]) -> None:
        names = [name for name, _ in request.query]
        headers = [
            ("set-cookie", f"{name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/")
            for name in names
        ]
        await respond_json(send, {"deleted": names}, headers=headers)

    # -- auth --------------------------------------------------------------------------------

    async def _basic_auth(self, request: Request, send: Send, match: re.Match[str]) -> None:
        user, password = match.group(1), match.group(2)
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        try:
            given = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            given = ""
        if scheme.lower() == "basic" and hmac.compare_digest(given, f"{user}:{password}"):
            await respond_json(send, {"authenticated": True, "user": user})
            return
        challenge = 'Basic realm="tls_requests-test", charset="UTF-8"'
        await respond_json(
            send, {"authenticated": False}, status=401, headers=[("www-authenticate", challenge)]
        )

    async def _digest_auth(self, request: Request, send: Send, match: re.Match[str]) -> None:
        qop, user, password = match.group(1), match.group(2), match.group(3)
        algorithm = match.group(4) or "MD5"
        if qop not in QOPS or algorithm.upper() not in ALGORITHMS:
            raise ValueError(f"qop must be one of {QOPS}, algorithm one of {sorted(ALGORITHMS)}")
        if qop == "none" and algorithm.upper().endswith("-SESS"):
            # -sess hashes the cnonce, which only exists when a qop is used (RFC 7616 3.4.2).
            raise ValueError("-sess algorithms need a qop")
        body = await request.body()
        target = bytes(request.scope.get("raw_path") or request.path.encode()).decode("latin-1")
        if request.query_string:
            target += "?" + request.query_string
        error = self.digest.verify(
            request.header("authorization"),
            method=request.method,
            uri=target,
            body=body,
            qop=qop,
            algorithm=algorithm,
            user=user,
            password=password,
        )
        if error is None:
            await respond_json(send, {"authenticated": True, "user": user})
            return
        challenge = self.digest.challenge(qop, algorithm)
        await respond_json(
            send,
            {"authenticated": False, "reason": error},
            status=401,
            headers=[("www-authenticate", challenge)],
        )

    # -- content-encoding --------------------------------------------------------------------

    @staticmethod
    async def _send_encoded(send: Send, codings: list[str]) -> None:
        body = payloads.COMPRESSED_JSON_BYTES
        for coding in codings:
            body = payloads.compress(body, coding)
        header = ", ".join("deflate" if c == "raw-deflate" else c for c in codings)
        await respond(
            send,
            200,
            body,
            headers=[("content-encoding", header)] if codings else [],
            content_type="application/json",
        )

    async def _encoded(self, request: Request, send: Send, match: re.Match[str]) -> None:
        await self._send_encoded(send, [ENCODING_ROUTES["/" + match.group(1)]])

    async def _compressed(self, request: Request, send: Send, match: re.Match[str]) -> None:
        spec = request.query_value("encodings") or ""
        await self._send_encoded(send, [c.strip() for c in spec.split(",") if c.strip()])

    # -- forms -------------------------------------------------------------------------------

    async def _multipart(self, request: Request, send: Send, match: re.Match[str]) -> None:
        content_type = request.header("content-type") or ""
        mime, params = parse_header_params(content_type)
        if mime != "multipart/form-data":
            raise ValueError(f"content-type is {content_type!r}")
        parts = parse_multipart(await request.body(), params.get("boundary", ""))
        described = [part.describe() for part in parts]
        await respond_json(
            send,
            {
                "content_type": content_type,
                "boundary": params.get("boundary"),
                "parts": described,
                "fields": [[p["name"], p["value"]] for p in described if p["filename"] is None],
                "files": [p for p in described if p["filename"] is not None],
            },
        )

    async def _form(self, request: Request, send: Send, match: re.Match[str]) -> None:
        body = (await request.body()).decode("latin-1")
        form = parse_qsl(body, keep_blank_values=True)
        await respond_json(
            send,
            {
                "content_type": request.header("content-type"),
                "form": [[k, v] for k, v in form],
                "raw": body,
            },
        )
