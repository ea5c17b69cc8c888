"""The echo server end to end, on loopback, with Python's ssl, h2, curl and openssl."""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import time

import h2.config
import h2.connection
import h2.events
import h2.settings
import hpack
import pytest
from hyperframe.frame import Frame, SettingsFrame

from tls_requests.fingerprint import FingerprintServer
from tls_requests.fingerprint.akamai import PREFACE

# ---------------------------------------------------------------------------------
# HTTP/1.1
# ---------------------------------------------------------------------------------


def test_http1_document(fp_server, http1_client):
    client = http1_client(fp_server)
    sent = [
        ("Host", client.authority),
        ("X-Zeta", "last-alphabetically"),
        ("accept", "*/*"),
        ("User-Agent", "fingerprint-test/1"),
        ("x-alpha", "a"),
    ]
    status, headers, doc = client.request("GET", "/echo?q=1", sent)
    assert status == "HTTP/1.1 200 OK"
    assert headers["content-type"] == "application/json"
    assert doc["http_version"] == "http/1.1"
    assert doc["method"] == "GET"
    assert doc["path"] == "/echo?q=1"
    assert doc["headers"] == [list(h) for h in sent]  # names as sent: case and order
    assert doc["pseudo_headers"] == []
    assert doc["http2"] is None
    assert doc["connection"] == {"id": 1, "request": 1}

    tls = doc["tls"]
    assert tls["ja4"].startswith("t13d")  # by name: SNI present
    assert tls["ja4"][8:10] == "h1"  # only http/1.1 offered
    assert tls["client_hello"]["server_name"] == "localhost"
    assert tls["client_hello"]["alpn"] == ["http/1.1"]
    assert tls["negotiated"] == {
        "version": "TLSv1.3",
        "cipher": tls["negotiated"]["cipher"],
        "alpn": "http/1.1",
    }
    assert tls["ja3"].startswith("771,")
    assert len(tls["ja3_hash"]) == len(tls["ja3n_hash"]) == 32
    # Python's ssl sends no padding and a fixed extension order.
    assert tls["ja3n"].split(",")[2] == "-".join(
        str(e) for e in sorted(int(x) for x in tls["ja3"].split(",")[2].split("-"))
    )
    assert fp_server.wait_for_capture() == doc


def test_http1_keep_alive_bodies_and_close(fp_server, http1_client):
    client = http1_client(fp_server)
    host = ("Host", client.authority)
    _, first_headers, first = client.request("GET", "/1", [host])
    assert first_headers["connection"] == "keep-alive"
    _, _, second = client.request(
        "POST", "/2", [host, ("Content-Length", "5"), ("Content-Type", "text/plain")], b"hello"
    )
    _, _, third = client.request(
        "PUT",
        "/3",
        [host, ("Transfer-Encoding", "chunked")],
        raw_body=b"5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n",
    )
    _, last_headers, last = client.request("HEAD", "/4", [host, ("Connection", "close")])
    assert last is None  # HEAD: no body
    assert last_headers["connection"] == "close"
    assert client.tls.recv(1) == b""  # the server closed after "Connection: close"
    assert [first["connection"]["request"], second["connection"]["request"]] == [1, 2]
    assert third["method"] == "PUT" and third["path"] == "/3"
    assert first["tls"] == second["tls"] == third["tls"]
    captures = fp_server.captures
    assert [c["method"] for c in captures] == ["GET", "POST", "PUT", "HEAD"]
    assert {c["connection"]["id"] for c in captures} == {1}
    info = fp_server.wait_for_connection()
    assert info["requests"] == 4 and info["error"] is None and info["http_version"] == "http/1.1"


def test_http1_bad_request(fp_server, tls_client):
    sock = tls_client(fp_server, alpn=["http/1.1"])
    sock.sendall(b"NONSENSE\r\n\r\n")
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert json.loads(data.partition(b"\r\n\r\n")[2]) == {"error": "malformed request line"}
    assert fp_server.captures == []


def test_ip_literal_sends_no_sni(fp_server, http1_client):
    client = http1_client(fp_server, host="127.0.0.1", server_hostname=None)
    _, _, doc = client.request("GET", "/", [("Host", f"127.0.0.1:{fp_server.port}")])
    assert doc["tls"]["ja4"].startswith("t13i")
    assert doc["tls"]["client_hello"]["server_name"] is None


def test_listens_on_both_loopbacks(fp_server, http1_client):
    hosts = [host for host, _ in fp_server.addresses]
    assert hosts[0] == "127.0.0.1"
    assert set(hosts) <= {"127.0.0.1", "::1"}
    if "::1" not in hosts:
        pytest.skip("no IPv6 loopback on this machine")
    client = http1_client(fp_server, host="::1")
    _, _, doc = client.request()
    assert doc["tls"]["client_hello"]["server_name"] == "localhost"


# ---------------------------------------------------------------------------------
# HTTP/2 with the h2 library as client
# ---------------------------------------------------------------------------------


def _h2_client(settings: dict[h2.settings.SettingCodes, int]) -> h2.connection.H2Connection:
    conn = h2.connection.H2Connection(
        config=h2.config.H2Configuration(client_side=True, header_encoding=None)
    )
    conn.local_settings = h2.settings.Settings(client=True, initial_values=settings)
    # Replacing local_settings skips h2's own bookkeeping of HEADER_TABLE_SIZE, so tell
    # the decoder what table size we advertised.
    conn.decoder.max_allowed_table_size = settings.get(
        h2.settings.SettingCodes.HEADER_TABLE_SIZE, 4096
    )
    return conn


def _h2_read_responses(sock, conn, stream_ids) -> dict[int, bytes]:
    bodies = {sid: b"" for sid in stream_ids}
    done: set[int] = set()
    deadline = time.monotonic() + 10
    while done != set(stream_ids):
        assert time.monotonic() < deadline
        data = sock.recv(65536)
        assert data, "server closed the connection"
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.DataReceived):
                bodies[event.stream_id] += event.data
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                done.add(event.stream_id)
            elif isinstance(event, h2.events.ResponseReceived):
                assert dict(event.headers)[b":status"] == b"200"
        sock.sendall(conn.data_to_send())
    return bodies


def _wire_settings(preamble: bytes) -> list[list[int]]:
    assert preamble.startswith(PREFACE)
    frame, length = Frame.parse_frame_header(memoryview(preamble[24:33]))
    frame.parse_body(memoryview(preamble[33 : 33 + length]))
    assert isinstance(frame, SettingsFrame)
    return [[int(k), v] for k, v in frame.settings.items()]


def test_h2_library_client(fp_server, tls_client):
    sock = tls_client(fp_server, alpn=["h2", "http/1.1"])
    assert sock.selected_alpn_protocol() == "h2"
    conn = _h2_client(
        {
            h2.settings.SettingCodes.HEADER_TABLE_SIZE: 65536,
            h2.settings.SettingCodes.ENABLE_PUSH: 0,
            h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1000,
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 6291456,
            h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: 262144,
        }
    )
    conn.initiate_connection()
    conn.increment_flow_control_window(15663105)
    preamble = conn.data_to_send()
    expected_settings = _wire_settings(preamble)
    # A later SETTINGS frame must not change the fingerprint.
    conn.update_settings({h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 5})
    authority = f"localhost:{fp_server.port}"
    conn.send_headers(
        1,
        [
            (":method", "GET"),
            (":authority", authority),
            (":scheme", "https"),
            (":path", "/h2?x=1"),
            ("user-agent", "h2-test"),
            ("accept", "application/json"),
        ],
        end_stream=True,
    )
    conn.send_headers(
        3,
        [
            (":method", "POST"),
            (":path", "/second"),
            (":scheme", "https"),
            (":authority", authority),
        ],
    )
    conn.send_data(3, b"x" * 1000, end_stream=True)
    sock.sendall(preamble + conn.data_to_send())
    bodies = _h2_read_responses(sock, conn, [1, 3])
    first, second = json.loads(bodies[1]), json.loads(bodies[3])

    assert first["http_version"] == "h2"
    assert first["method"] == "GET" and first["path"] == "/h2?x=1"
    assert first["headers"] == [["user-agent", "h2-test"], ["accept", "application/json"]]
    assert first["pseudo_headers"][0] == [":method", "GET"]
    http2 = first["http2"]
    assert http2["settings"] == expected_settings
    assert [s[0] for s in http2["settings"]][:2] == [1, 2]  # h2 writes its defaults first
    assert http2["window_update"] == 15663105
    assert http2["priority_frames"] == []
    assert http2["headers_frame_priority"] is None
    assert http2["pseudo_header_order"] == [":method", ":authority", ":scheme", ":path"]
    settings_text = ";".join(f"{k}:{v}" for k, v in expected_settings)
    assert http2["akamai"] == f"{settings_text}|15663105|0|m,a,s,p"
    assert first["tls"]["ja4"][8:10] == "h2"
    assert first["tls"]["negotiated"]["alpn"] == "h2"

    # The connection fingerprint is repeated; the request's own order is its own.
    assert second["http2"] == http2
    assert second["method"] == "POST"
    assert [p[0] for p in second["pseudo_headers"]] == [":method", ":path", ":scheme", ":authority"]
    assert second["connection"] == {"id": first["connection"]["id"], "request": 2}


def test_h2_response_respects_small_client_window(fp_server, tls_client):
    sock = tls_client(fp_server)
    conn = _h2_client({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 100})
    conn.initiate_connection()
    conn.send_headers(
        1,
        [(":method", "GET"), (":scheme", "https"), (":authority", "localhost"), (":path", "/")],
        end_stream=True,
    )
    sock.sendall(conn.data_to_send())
    body = _h2_read_responses(sock, conn, [1])[1]
    doc = json.loads(body)
    assert len(body) > 1000
    assert doc["http2"]["settings"][2] == [4, 100]
    assert doc["http2"]["window_update"] is None
    assert doc["http2"]["akamai"].split("|")[1] == "00"


# ---------------------------------------------------------------------------------
# HTTP/2 from hand-written frames: PRIORITY frames, padded/prioritised HEADERS,
# CONTINUATION, setting 8, duplicate and unknown settings
# ---------------------------------------------------------------------------------


def _frame(frame_type: int, flags: int, stream_id: int, payload: bytes) -> bytes:
    return (
        len(payload).to_bytes(3, "big")
        + bytes([frame_type, flags])
        + struct.pack("!I", stream_id)
        + payload
    )


def _read_h2_body(sock: ssl.SSLSocket, stream_id: int) -> bytes:
    buffer, body = b"", b""
    deadline = time.monotonic() + 10
    while True:
        assert time.monotonic() < deadline
        while len(buffer) >= 9 and len(buffer) >= 9 + int.from_bytes(buffer[:3], "big"):
            length = int.from_bytes(buffer[:3], "big")
            ftype, flags = buffer[3], buffer[4]
            sid = int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF
            payload, buffer = buffer[9 : 9 + length], buffer[9 + length :]
            if ftype == 0 and sid == stream_id:
                body += payload
                if flags & 0x1:
                    return body
        chunk = sock.recv(65536)
        assert chunk, "server closed the connection"
        buffer += chunk


def test_h2_raw_frames(fp_server, tls_client):
    sock = tls_client(fp_server)
    settings = [(1, 65536), (2, 0), (8, 1), (0x99, 7), (2, 0), (4, 131072)]
    block = hpack.Encoder().encode(
        [
            (":method", "GET"),
            (":path", "/raw"),
            (":authority", "localhost"),
            (":scheme", "https"),
            ("user-agent", "raw/1"),
            ("accept-language", "en"),
        ]
    )
    priorities = [(3, 0, 200), (5, 0, 100), (7, 0, 0), (9, 7, 0), (11, 3, 0), (13, 0, 240)]
    headers_payload = bytes([4]) + struct.pack("!IB", 0x80000000 | 13, 41) + block[:6] + b"\0" * 4
    data = (
        PREFACE
        + _frame(4, 0, 0, b"".join(struct.pack("!HI", i, v) for i, v in settings))
        + _frame(8, 0, 0, struct.pack("!I", 12517377))
        + b"".join(_frame(2, 0, s, struct.pack("!IB", d, w)) for s, d, w in priorities)
        # HEADERS with END_STREAM | PADDED | PRIORITY, no END_HEADERS, then CONTINUATIONs.
        + _frame(1, 0x1 | 0x8 | 0x20, 15, headers_payload)
        + _frame(9, 0, 15, block[6:10])
        + _frame(9, 0x4, 15, block[10:])
    )
    sock.sendall(data)
    doc = json.loads(_read_h2_body(sock, 15))
    http2 = doc["http2"]
    assert http2["akamai"] == (
        "1:65536;2:0;8:1;153:7;2:0;4:131072|12517377|"
        "3:0:0:201,5:0:0:101,7:0:0:1,9:0:7:1,11:0:3:1,13:0:0:241|m,p,a,s"
    )
    assert http2["headers_frame_priority"] == {
        "stream_id": 15,
        "exclusive": True,
        "depends_on": 13,
        "weight": 42,
    }
    assert [f["type"] for f in http2["frames"]] == [
        "SETTINGS",
        "WINDOW_UPDATE",
        *["PRIORITY"] * 6,
        "HEADERS",
        "CONTINUATION",
        "CONTINUATION",
    ]
    assert doc["path"] == "/raw"
    assert doc["headers"] == [["user-agent", "raw/1"], ["accept-language", "en"]]


def test_h2_prior_knowledge_without_alpn(fp_server, tls_client):
    sock = tls_client(fp_server, alpn=None)
    assert sock.selected_alpn_protocol() is None
    block = hpack.Encoder().encode([(":method", "GET"), (":scheme", "https"), (":path", "/pk")])
    sock.sendall(PREFACE + _frame(4, 0, 0, b"") + _frame(1, 0x5, 1, block))
    doc = json.loads(_read_h2_body(sock, 1))
    assert doc["http_version"] == "h2"
    assert doc["http2"]["akamai"] == "|00|0|m,s,p"
    assert doc["tls"]["ja4"][8:10] == "00"


# ---------------------------------------------------------------------------------
# Failures are recorded, not fatal
# ---------------------------------------------------------------------------------


def test_untrusting_client_still_leaves_its_fingerprint(fp_server):
    context = ssl.create_default_context()  # system roots: our CA is unknown
    raw = socket.create_connection(("localhost", fp_server.port), timeout=5)
    with raw, pytest.raises(ssl.SSLCertVerificationError):
        context.wrap_socket(raw, server_hostname="localhost")
    info = fp_server.wait_for_connection()
    assert info["tls"] is not None
    assert info["tls"]["ja4"].startswith("t13d")
    assert info["tls"]["negotiated"]["version"] is None
    assert info["http_version"] is None
    assert info["error"] is not None
    assert fp_server.captures == []


def test_plain_http_to_the_tls_port(fp_server):
    with socket.create_connection(("127.0.0.1", fp_server.port), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert raw.recv(100) == b""
    info = fp_server.wait_for_connection()
    assert info["tls"] is None
    assert info["error"] is not None and info["error"].startswith("ClientHelloError")


# ---------------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------------


def test_lifecycle():
    server = FingerprintServer(timeout=30)
    with pytest.raises(RuntimeError):
        server.ca_path  # noqa: B018 - not started yet
    with server:
        assert server.url == f"https://localhost:{server.port}/"
        assert server.port > 0
        ca_path = server.ca_path
        with open(ca_path, "rb") as f:
            assert f.read() == server.ca_pem
        assert server.ca_pem.startswith(b"-----BEGIN CERTIFICATE-----")
        with pytest.raises(TimeoutError):
            server.wait_for_capture(timeout=0.05)
        # An idle client must not hold up close(), even with a 30 s socket timeout.
        idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        time.sleep(0.1)
        started = time.monotonic()
    assert time.monotonic() - started < 3
    idle.close()
    assert not os.path.exists(ca_path)
    server.close()  # idempotent


# ---------------------------------------------------------------------------------
# External clients
# ---------------------------------------------------------------------------------


def _curl_features() -> str:
    curl = shutil.which("curl")
    if curl is None:
        return ""
    return subprocess.run([curl, "--version"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("version", ["--http2", "--http1.1"])
def test_curl(fp_server, version):
    features = _curl_features()
    if not features:
        pytest.skip("curl is not installed")
    if version == "--http2" and "HTTP2" not in features:
        pytest.skip("curl has no HTTP/2 support")
    result = subprocess.run(
        ["curl", "-sS", "--max-time", "10", "--cacert", fp_server.ca_path, version]
        + ["-H", "X-Test: 1", fp_server.url + "curl"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["path"] == "/curl"
    assert doc["tls"]["ja4"].startswith("t13d")
    names = [name for name, _ in doc["headers"]]
    if version == "--http2":
        assert doc["http_version"] == "h2"
        assert doc["http2"]["pseudo_header_order"] == [":method", ":path", ":scheme", ":authority"]
        assert doc["http2"]["akamai"].endswith("|m,p,s,a")
        assert doc["http2"]["settings"]
        assert names == ["user-agent", "accept", "x-test"]
    else:
        assert doc["http_version"] == "http/1.1"
        assert names == ["Host", "User-Agent", "Accept", "X-Test"]


def test_openssl_s_client_is_recorded(fp_server):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"localhost:{fp_server.port}"]
        + ["-servername", "localhost", "-alpn", "h2", "-CAfile", fp_server.ca_path],
        input=b"",
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    info = fp_server.wait_for_connection()
    assert info["error"] is None
    assert info["http_version"] == "h2"
    assert info["requests"] == 0
    assert info["tls"] is not None
    assert info["tls"]["client_hello"]["server_name"] == "localhost"
    assert info["tls"]["negotiated"]["alpn"] == "h2"


def test_bad_h2_preface_is_recorded(fp_server, tls_client):
    sock = tls_client(fp_server, alpn=["h2"])
    sock.sendall(b"PRI * HTTP/1.1\r\n\r\nnot h2 at all")
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    assert data[3] == 4  # our SETTINGS came first; a GOAWAY follows
    info = fp_server.wait_for_connection()
    assert info["http_version"] == "h2"
    assert info["error"] == "Http2Error: bad HTTP/2 client preface"


def test_idle_keep_alive_timeout_is_not_an_error(http1_client):
    with FingerprintServer(timeout=0.3) as server:
        client = http1_client(server)
        client.request()
        info = server.wait_for_connection(timeout=5)
        assert info["requests"] == 1
        assert info["error"] is None
        assert client.tls.recv(1) == b""


def test_fixed_port_in_use():
    with FingerprintServer() as first:
        second = FingerprintServer(first.port)
        with pytest.raises(OSError):
            second.start()
        assert second.port == 0
