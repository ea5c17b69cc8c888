"""
Self-tests of the test servers, using httpx, h2 and raw sockets as reference clients, so the
servers are known to be right before tls_requests is tested against them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import ssl
import time

import h2.config
import h2.connection
import h2.events
import httpx
import pytest

from tests.servers import HypercornServer, TLSMaterial, payloads

# (server fixture, client fixture, expected scope http_version)
VARIANTS = [
    pytest.param(("https_server", "h2_client", "2"), id="https-h2"),
    pytest.param(("https_server", "h1_client", "1.1"), id="https-h1"),
    pytest.param(("https_h1_server", "h2_client", "1.1"), id="https-h1-only-alpn"),
    pytest.param(("http_server", "h1_client", "1.1"), id="http-h1"),
]


@pytest.fixture(params=VARIANTS)
def variant(request: pytest.FixtureRequest) -> tuple[HypercornServer, httpx.Client, str]:
    server_name, client_name, version = request.param
    return request.getfixturevalue(server_name), request.getfixturevalue(client_name), version


def test_echo(variant: tuple[HypercornServer, httpx.Client, str]) -> None:
    server, client, version = variant
    response = client.post(
        server.url_for("/echo?b=2&a=%20x"), content=b"hello \xff", headers={"X-Custom": "v"}
    )
    assert response.status_code == 200
    assert response.http_version == ("HTTP/2" if version == "2" else "HTTP/1.1")
    data = response.json()
    assert data["method"] == "POST"
    assert data["path"] == "/echo"
    assert data["query"] == "b=2&a=%20x"
    assert data["http_version"] == version
    assert data["body_len"] == 7
    assert data["body_sha256"] == hashlib.sha256(b"hello \xff").hexdigest()
    assert data["body"] is None  # not valid UTF-8
    assert data["client"][0] in ("127.0.0.1", "::1")
    assert ["x-custom", "v"] in [[k.lower(), v] for k, v in data["headers"]]


def test_echo_header_order_and_case(
    https_server: HypercornServer, h1_client: httpx.Client, h2_client: httpx.Client
) -> None:
    headers = [("Zeta", "1"), ("alpha", "2"), ("X-MiXeD-CaSe", "3"), ("zeta", "4")]
    h1 = h1_client.get(https_server.url_for("/headers_order"), headers=headers).json()
    names = [k for k, _ in h1["headers"]]
    # HTTP/1.1: wire case and order, repeated names kept separate.
    assert [n for n in names if n.lower() in {"zeta", "alpha", "x-mixed-case"}] == [
        "Zeta",
        "alpha",
        "X-MiXeD-CaSe",
        "zeta",
    ]
    h2 = h2_client.get(https_server.url_for("/headers_order"), headers=headers).json()
    names = [k for k, _ in h2["headers"]]
    assert names[0] == "host"  # made from :authority by hypercorn
    assert [n for n in names if n in {"zeta", "alpha", "x-mixed-case"}] == [
        "zeta",
        "alpha",
        "x-mixed-case",
        "zeta",
    ]


def test_echo_body_chunked_upload(https_server: HypercornServer, h1_client: httpx.Client) -> None:
    chunks = [payloads.pattern_bytes(100_000)[i : i + 7_000] for i in range(0, 100_000, 7_000)]
    response = h1_client.post(https_server.url_for("/echo_body"), content=iter(chunks))
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.content == b"".join(chunks)
    echo = h1_client.post(https_server.url_for("/echo"), content=iter(chunks)).json()
    assert ["transfer-encoding", "chunked"] in [[k.lower(), v] for k, v in echo["headers"]]
    assert echo["body_len"] == 100_000


@pytest.mark.parametrize("code", [200, 201, 204, 304, 404, 418, 500, 503])
def test_status(variant: tuple[HypercornServer, httpx.Client, str], code: int) -> None:
    server, client, _ = variant
    response = client.get(server.url_for(f"/status/{code}"))
    assert response.status_code == code
    if code in (204, 304):
        assert response.content == b""
        assert "content-length" not in response.headers
    else:
        assert response.json() == {"status": code}
    head = client.head(server.url_for(f"/status/{code}"))
    assert head.status_code == code
    assert head.content == b""


def test_status_rejects_informational(
    https_server: HypercornServer, h2_client: httpx.Client
) -> None:
    assert h2_client.get(https_server.url_for("/status/101")).status_code == 400


def test_json_and_text(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    assert h2_client.get(https_server.url_for("/json")).json() == payloads.JSON_DOC
    latin = h2_client.get(https_server.url_for("/text"), params={"charset": "latin-1"})
    assert latin.headers["content-type"] == "text/plain; charset=latin-1"
    assert latin.content == payloads.TEXT_DEFAULT.encode("latin-1")
    assert latin.text == payloads.TEXT_DEFAULT
    smart = "“Smart quotes” – cp1252 only"
    guessed = h2_client.get(
        https_server.url_for("/text"), params={"content": smart, "encoding": "cp1252"}
    )
    assert guessed.headers["content-type"] == "text/plain"  # no charset: client must detect
    assert guessed.content == smart.encode("cp1252")
    utf8 = h2_client.get(https_server.url_for("/text"), params={"content": smart})
    assert utf8.content == smart.encode("utf-8")
    bad = h2_client.get(
        https_server.url_for("/text"), params={"content": "☃", "charset": "latin-1"}
    )
    assert bad.status_code == 400


def test_bytes_deterministic(variant: tuple[HypercornServer, httpx.Client, str]) -> None:
    server, client, _ = variant
    n = 1_000_003
    response = client.get(server.url_for(f"/bytes/{n}?chunk=10000"))
    assert response.headers["content-length"] == str(n)
    assert response.headers["x-content-sha256"] == payloads.pattern_sha256(n)
    assert hashlib.sha256(response.content).hexdigest() == payloads.pattern_sha256(n)
    assert response.content == payloads.pattern_bytes(n)
    chunked = client.get(server.url_for("/bytes/5000?chunked=1&chunk=1000"))
    assert "content-length" not in chunked.headers
    assert chunked.content == payloads.pattern_bytes(5000)


def test_bytes_100mib_streamed(https_server: HypercornServer, h1_client: httpx.Client) -> None:
    n = 100 * 1024 * 1024
    digest = hashlib.sha256()
    size = 0
    with h1_client.stream("GET", https_server.url_for(f"/bytes/{n}")) as response:
        for chunk in response.iter_raw():
            digest.update(chunk)
            size += len(chunk)
    assert size == n
    assert digest.hexdigest() == payloads.pattern_sha256(n)
    head = h1_client.head(https_server.url_for(f"/bytes/{n}"))
    assert head.headers["content-length"] == str(n)
    assert head.content == b""


def test_stream_lines(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    with h2_client.stream("GET", https_server.url_for("/stream_lines/5")) as response:
        lines = list(response.iter_lines())
    assert [json.loads(line) for line in lines] == [{"id": i} for i in range(5)]


def test_delay(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    started = time.monotonic()
    response = h2_client.get(https_server.url_for("/delay/0.3"))
    assert time.monotonic() - started >= 0.3
    assert response.json()["delay"] == 0.3
    with pytest.raises(httpx.ReadTimeout):
        h2_client.get(https_server.url_for("/delay/2"), timeout=0.2)


def test_stall_body_times_out_reading(
    https_server: HypercornServer, h1_client: httpx.Client
) -> None:
    with h1_client.stream("GET", https_server.url_for("/stall_body"), timeout=0.5) as response:
        assert response.status_code == 200
        chunks = response.iter_raw()
        assert next(chunks) == b"first chunk\n"
        with pytest.raises(httpx.ReadTimeout):
            next(chunks)


def test_stall_body_ends_when_time_is_up(
    https_server: HypercornServer, h2_client: httpx.Client
) -> None:
    response = h2_client.get(https_server.url_for("/stall_body?seconds=0.2"))
    assert response.content == b"first chunk\ndone\n"


def test_drip(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    started = time.monotonic()
    response = h2_client.get(https_server.url_for("/drip?chunks=4&interval=0.1&size=3"))
    assert response.content == b"*" * 12
    assert time.monotonic() - started >= 0.3


def test_slow_upload(https_server: HypercornServer, h1_client: httpx.Client) -> None:
    body = payloads.pattern_bytes(300_000)
    data = h1_client.post(https_server.url_for("/slow_upload?interval=0.01"), content=body).json()
    assert data["body_len"] == len(body)
    assert data["body_sha256"] == hashlib.sha256(body).hexdigest()


# -- redirects --------------------------------------------------------------------------------


def test_redirect_chain_absolute(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    response = h2_client.get(https_server.url_for("/redirect/3"), follow_redirects=True)
    assert [r.status_code for r in response.history] == [302, 302, 302]
    assert response.history[0].headers["location"] == https_server.url_for("/redirect/2")
    assert response.history[-1].headers["location"] == https_server.url_for("/echo")
    assert response.json()["path"] == "/echo"


def test_redirect_relative_and_status(
    https_server: HypercornServer, h1_client: httpx.Client
) -> None:
    first = h1_client.get(https_server.url_for("/relative_redirect/2?status=307"))
    assert first.status_code == 307
    assert first.headers["location"] == "/relative_redirect/1?status=307"
    final = h1_client.post(
        https_server.url_for("/relative_redirect/2?status=307"),
        content=b"keep",
        follow_redirects=True,
    )
    assert len(final.history) == 2
    assert final.json()["method"] == "POST"
    assert final.json()["body"] == "keep"


def test_redirect_to(
    https_server: HypercornServer, http_server: HypercornServer, h1_client: httpx.Client
) -> None:
    target = http_server.url_for("/echo?x=1")
    response = h1_client.get(
        https_server.url_for("/redirect_to"), params={"url": target, "status": "301"}
    )
    assert response.status_code == 301
    assert response.headers["location"] == target
    followed = h1_client.get(
        https_server.url_for("/redirect_to"),
        params={"url": "/json", "status_code": "303"},
        follow_redirects=True,
    )
    assert followed.json() == payloads.JSON_DOC
    with pytest.raises(httpx.TooManyRedirects):
        h1_client.get(https_server.url_for("/redirect_loop"), follow_redirects=True)


# -- cookies ----------------------------------------------------------------------------------


def test_cookies(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    response = h2_client.get(https_server.url_for("/cookies/set?a=1&b=two"))
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=two; Path=/"]
    assert h2_client.get(https_server.url_for("/cookies")).json()["cookies"] == {
        "a": "1",
        "b": "two",
    }
    h2_client.get(https_server.url_for("/cookies/delete?a"))
    assert h2_client.get(https_server.url_for("/cookies")).json()["cookies"] == {"b": "two"}
    redirected = h2_client.get(
        https_server.url_for("/cookies/set_and_redirect?c=3"), follow_redirects=True
    )
    assert redirected.json()["cookies"] == {"b": "two", "c": "3"}


def test_cookie_attributes(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    params = {
        "name": "sid",
        "value": "xyz",
        "path": "/cookies",
        "domain": "localhost",
        "max_age": "60",
        "expires_in": "3600",
        "secure": "1",
        "httponly": "1",
        "samesite": "Lax",
    }
    header = h2_client.get(https_server.url_for("/cookies/set_attrs"), params=params).headers[
        "set-cookie"
    ]
    assert header.startswith("sid=xyz; Path=/cookies; Domain=localhost; Max-Age=60; Expires=")
    assert header.endswith("GMT; SameSite=Lax; Secure; HttpOnly")


def test_cookies_split_headers_h2(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    # RFC 9113 section 8.2.3 allows HTTP/2 clients to send one `cookie` field per pair.
    response = h2_client.get(
        https_server.url_for("/cookies"), headers=[("cookie", "a=1"), ("cookie", "b=2")]
    )
    assert response.json()["cookies"] == {"a": "1", "b": "2"}


# -- auth -------------------------------------------------------------------------------------


def test_basic_auth(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    url = https_server.url_for("/basic_auth/user/pa:ss")
    assert h2_client.get(url, auth=("user", "pa:ss")).json() == {
        "authenticated": True,
        "user": "user",
    }
    denied = h2_client.get(url, auth=("user", "wrong"))
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"].startswith('Basic realm="')
    assert h2_client.get(url).status_code == 401


@pytest.mark.parametrize("algorithm", ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"])
@pytest.mark.parametrize("qop", ["auth", "none"])
def test_digest_auth_httpx(
    https_server: HypercornServer, h1_client: httpx.Client, qop: str, algorithm: str
) -> None:
    if qop == "none" and algorithm.endswith("-sess"):
        response = h1_client.get(https_server.url_for(f"/digest_auth/none/u/p/{algorithm}"))
        assert response.status_code == 400  # -sess needs a cnonce, which needs a qop
        return
    url = https_server.url_for(f"/digest_auth/{qop}/user/secret/{algorithm}?q=1")
    challenge = h1_client.get(url)
    assert challenge.status_code == 401
    assert challenge.headers["www-authenticate"].startswith("Digest ")
    ok = h1_client.get(url, auth=httpx.DigestAuth("user", "secret"))
    assert ok.status_code == 200, ok.json()
    assert ok.json() == {"authenticated": True, "user": "user"}
    bad = h1_client.get(url, auth=httpx.DigestAuth("user", "wrong"))
    assert bad.status_code == 401
    assert bad.json()["reason"] == "wrong response hash"


def _digest_header(challenge: str, *, method: str, uri: str, body: bytes, password: str) -> str:
    from tests.servers._digest import parse_auth_params

    p = parse_auth_params(challenge.partition(" ")[2])

    def h(data: bytes) -> str:
        return hashlib.md5(data).hexdigest()

    ha1 = h(f"user:{p['realm']}:{password}".encode())
    ha2 = h(f"{method}:{uri}:{h(body)}".encode())
    response = h(f"{ha1}:{p['nonce']}:00000001:abcdef:auth-int:{ha2}".encode())
    return (
        f'Digest username="user", realm="{p["realm"]}", nonce="{p["nonce"]}", uri="{uri}", '
        f'qop=auth-int, nc=00000001, cnonce="abcdef", response="{response}", '
        f'opaque="{p["opaque"]}", algorithm=MD5'
    )


def test_digest_auth_int_hand_computed(
    https_server: HypercornServer, h1_client: httpx.Client
) -> None:
    # httpx has no auth-int, so compute RFC 7616 by hand; it also proves the body is hashed.
    uri = "/digest_auth/auth-int/user/secret"
    challenge = h1_client.post(https_server.url_for(uri), content=b"payload")
    header = challenge.headers["www-authenticate"]
    good = _digest_header(header, method="POST", uri=uri, body=b"payload", password="secret")
    assert (
        h1_client.post(
            https_server.url_for(uri), content=b"payload", headers={"Authorization": good}
        ).status_code
        == 200
    )
    tampered = h1_client.post(
        https_server.url_for(uri), content=b"other", headers={"Authorization": good}
    )
    assert tampered.status_code == 401
    wrong = _digest_header(header, method="POST", uri=uri, body=b"payload", password="nope")
    assert (
        h1_client.post(
            https_server.url_for(uri), content=b"payload", headers={"Authorization": wrong}
        ).status_code
        == 401
    )


# -- content-encoding, links, forms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "coding"),
    [
        ("/gzip", "gzip"),
        ("/deflate", "deflate"),
        ("/brotli", "br"),
        ("/zstd", "zstd"),
        ("/compressed?encodings=gzip,br", "gzip, br"),
    ],
)
def test_compressed(
    https_server: HypercornServer, h2_client: httpx.Client, path: str, coding: str
) -> None:
    response = h2_client.get(https_server.url_for(path))
    assert response.headers["content-encoding"] == coding
    assert response.content == payloads.COMPRESSED_JSON_BYTES
    assert response.json() == payloads.COMPRESSED_JSON


def test_raw_deflate(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    with h2_client.stream("GET", https_server.url_for("/raw_deflate")) as response:
        raw = response.read()
    assert response.headers["content-encoding"] == "deflate"
    assert raw == payloads.COMPRESSED_JSON_BYTES  # httpx falls back to raw deflate


def test_links(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    links = h2_client.get(https_server.url_for("/links")).links
    assert links["next"]["url"] == https_server.url_for("/page/2")
    assert links["last"]["url"] == https_server.url_for("/page/9")
    assert links["first"]["url"] == "/page/1"
    assert links["preload stylesheet"]["url"] == "/style.css"


def test_response_headers_and_close(
    https_server: HypercornServer, h1_client: httpx.Client, client_ssl: ssl.SSLContext
) -> None:
    response = h1_client.get(https_server.url_for("/response_headers?X-A=1&X-A=2&X-B=3"))
    assert response.headers.get_list("x-a") == ["1", "2"]
    https_server.reset_counts()
    with httpx.Client(verify=client_ssl) as client:  # fresh: no pooled connection to reuse
        for _ in range(3):
            assert client.get(https_server.url_for("/close")).headers["connection"] == "close"
    assert https_server.connection_count() == 3


@pytest.mark.parametrize("client_name", ["h1_client", "h2_client"])
def test_multipart(
    https_server: HypercornServer, request: pytest.FixtureRequest, client_name: str
) -> None:
    client: httpx.Client = request.getfixturevalue(client_name)
    blob = payloads.pattern_bytes(70_000)
    response = client.post(
        https_server.url_for("/multipart"),
        data={"field": "välue", "other": "2"},
        files=[
            ("upload", ("data.bin", blob, "application/octet-stream")),
            ("note", ("note.txt", b"hi\r\n--not-a-boundary", "text/plain")),
        ],
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["fields"] == [["field", "välue"], ["other", "2"]]
    assert [(f["name"], f["filename"], f["content_type"], f["size"]) for f in data["files"]] == [
        ("upload", "data.bin", "application/octet-stream", 70_000),
        ("note", "note.txt", "text/plain", 20),
    ]
    assert data["files"][0]["sha256"] == hashlib.sha256(blob).hexdigest()


def test_multipart_malformed(https_server: HypercornServer, h1_client: httpx.Client) -> None:
    response = h1_client.post(
        https_server.url_for("/multipart"),
        content=b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\nno end",
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert response.status_code == 400


def test_form(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    data = h2_client.post(
        https_server.url_for("/form"), data={"a": "1 2", "b": ["x", "y"], "c": ""}
    ).json()
    assert data["content_type"] == "application/x-www-form-urlencoded"
    assert data["form"] == [["a", "1 2"], ["b", "x"], ["b", "y"], ["c", ""]]


def test_unknown_route(https_server: HypercornServer, h2_client: httpx.Client) -> None:
    assert h2_client.get(https_server.url_for("/nope")).status_code == 404


# -- connection counting, addressing, h2 details ------------------------------------------------


@pytest.mark.parametrize("server_name", ["https_server", "http_server"])
@pytest.mark.parametrize("http2", [False, True])
def test_connection_count(
    request: pytest.FixtureRequest, client_ssl: ssl.SSLContext, server_name: str, http2: bool
) -> None:
    server: HypercornServer = request.getfixturevalue(server_name)
    server.reset_counts()
    with httpx.Client(verify=client_ssl, http2=http2) as client:
        for _ in range(5):
            assert client.get(server.url_for("/connections")).status_code == 200
    assert server.connection_count() == 1
    with httpx.Client(verify=client_ssl, http2=http2) as client:
        client.get(server.url_for("/connections"))
    assert server.connection_count() == 2
    assert len(server.accepted_peers()) == 2


def test_ipv4_and_ipv6_literals(https_server: HypercornServer, h1_client: httpx.Client) -> None:
    assert h1_client.get(https_server.url_for("/echo", host="127.0.0.1")).status_code == 200
    if "::1" not in https_server.bound_addresses:
        pytest.skip("no IPv6 loopback on this machine")
    data = h1_client.get(https_server.url_for("/echo", host="::1")).json()
    assert data["client"][0] == "::1"


def test_h2_with_raw_h2_library(https_server: HypercornServer, tls_material: TLSMaterial) -> None:
    context = tls_material.client_context(alpn=["h2"])
    raw = socket.create_connection(("127.0.0.1", https_server.port), timeout=5)
    with raw, context.wrap_socket(raw, server_hostname="localhost") as sock:
        assert sock.selected_alpn_protocol() == "h2"
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        conn.initiate_connection()
        headers = [
            (":method", "GET"),
            (":authority", f"localhost:{https_server.port}"),
            (":scheme", "https"),
            (":path", "/echo?raw=1"),
            ("x-h2", "yes"),
        ]
        conn.send_headers(1, headers, end_stream=True)
        sock.sendall(conn.data_to_send())
        status, body, done = None, b"", False
        deadline = time.monotonic() + 5
        while not done and time.monotonic() < deadline:
            for event in conn.receive_data(sock.recv(65536)):
                if isinstance(event, h2.events.ResponseReceived):
                    status = dict(event.headers)[b":status"]
                elif isinstance(event, h2.events.DataReceived):
                    body += event.data
                    conn.acknowledge_received_data(event.flow_controlled_length, 1)
                elif isinstance(event, h2.events.StreamEnded):
                    done = True
            sock.sendall(conn.data_to_send())
    assert status == b"200"
    data = json.loads(body)
    assert data["http_version"] == "2"
    assert data["query"] == "raw=1"
    assert ["x-h2", "yes"] in data["headers"]


def test_h2c_prior_knowledge(http_server: HypercornServer) -> None:
    with httpx.Client(http1=False, http2=True) as client:
        response = client.get(http_server.url_for("/echo"))
    assert response.http_version == "HTTP/2"
    assert response.json()["http_version"] == "2"


def test_mtls(
    mtls_server: HypercornServer, tls_material: TLSMaterial, client_cert: tuple[str, str]
) -> None:
    context = tls_material.client_context()
    context.load_cert_chain(*client_cert)
    with httpx.Client(verify=context) as client:
        assert client.get(mtls_server.url_for("/echo")).status_code == 200
    # TLS 1.3: the server's rejection arrives after the client's handshake completes, so it
    # surfaces as a connect *or* read/protocol error depending on timing.
    errors = (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)
    with httpx.Client(verify=tls_material.client_context()) as client, pytest.raises(errors):
        client.get(mtls_server.url_for("/echo"))


def test_server_stops_cleanly_with_stalled_client(tls_material: TLSMaterial) -> None:
    # Shutdown must not hang on an open, stalled response (bounded by the graceful timeout).
    with HypercornServer(tls=tls_material, name="short-lived") as server:
        client = httpx.Client(verify=tls_material.client_context(), timeout=5)
        stream = client.stream("GET", server.url_for("/stall_body?seconds=60"))
        response = stream.__enter__()
        chunks = response.iter_raw()
        assert next(chunks) == b"first chunk\n"
        started = time.monotonic()
    assert time.monotonic() - started < 5
    with pytest.raises(httpx.HTTPError):  # the server cut the unfinished response off
        next(chunks)
    stream.__exit__(None, None, None)
    client.close()


def test_basic_auth_header_parsing_is_strict(
    https_server: HypercornServer, h1_client: httpx.Client
) -> None:
    token = base64.b64encode(b"user:pass").decode()
    url = https_server.url_for("/basic_auth/user/pass")
    assert h1_client.get(url, headers={"Authorization": f"basic {token}"}).status_code == 200
    assert h1_client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert h1_client.get(url, headers={"Authorization": "Basic !!!"}).status_code == 401
