"""Authentication with Client and AsyncClient against the test server's /basic_auth and
/digest_auth routes: one generator-based flow per scheme serves both clients."""

from __future__ import annotations

import base64
import typing

import pytest

import tls_requests
from tests.integration._modes import ClientMode

DIGEST_CASES = [
    (qop, algorithm)
    for qop in ("auth", "auth-int", "none")
    for algorithm in ("MD5", "MD5-sess", "SHA-256", "SHA-256-sess")
    if not (qop == "none" and algorithm.endswith("-sess"))  # -sess needs a qop
]


@pytest.mark.parametrize(
    "auth", [tls_requests.BasicAuth("alice", "s3cret"), ("alice", "s3cret")], ids=["class", "tuple"]
)
async def test_basic_auth(mode: ClientMode, https_server, auth) -> None:
    url = https_server.url_for("/basic_auth/alice/s3cret")
    async with mode.client(auth=auth) as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.json() == {"authenticated": True, "user": "alice"}
    assert response.history == []


async def test_per_request_auth_overrides_the_client(mode: ClientMode, https_server) -> None:
    url = https_server.url_for("/basic_auth/alice/s3cret")
    async with mode.client(auth=("alice", "wrong")) as client:
        assert (await client.get(url)).status_code == 401
        assert (await client.get(url, auth=("alice", "s3cret"))).status_code == 200
        # auth=None turns the client's auth off for one request.
        echo = (await client.get(https_server.url_for("/echo"), auth=None)).json()
        assert "authorization" not in dict(echo["headers"])


async def test_credentials_in_the_url(mode: ClientMode, https_server) -> None:
    url = https_server.url_for("/basic_auth/alice/s3cret").replace("://", "://alice:s3cret@")
    async with mode.client() as client:
        assert (await client.get(url)).status_code == 200


@pytest.mark.parametrize(("qop", "algorithm"), DIGEST_CASES)
async def test_digest_auth(mode: ClientMode, https_server, qop: str, algorithm: str) -> None:
    url = https_server.url_for(f"/digest_auth/{qop}/alice/s3cret/{algorithm}")
    auth = tls_requests.DigestAuth("alice", "s3cret")
    async with mode.client(auth=auth) as client:
        # A body, so auth-int really hashes something.
        response = await client.post(url, content=b"digest me \x00\xff")
        assert response.status_code == 200, response.json()
        assert response.json() == {"authenticated": True, "user": "alice"}
        # The first try went without credentials and got the challenge.
        assert [r.status_code for r in response.history] == [401]
        # The next request reuses the challenge: no extra round trip.
        again = await client.post(url, content=b"second")
        assert again.status_code == 200
        assert again.history == []


async def test_digest_wrong_password(mode: ClientMode, https_server) -> None:
    url = https_server.url_for("/digest_auth/auth/alice/s3cret/SHA-256")
    async with mode.client(auth=tls_requests.DigestAuth("alice", "nope")) as client:
        response = await client.get(url)
    assert response.status_code == 401
    assert len(response.history) == 1


async def test_digest_after_redirect(mode: ClientMode, https_server) -> None:
    target = "/digest_auth/auth/alice/s3cret/MD5"
    url = https_server.url_for(f"/redirect_to?url={target}")
    auth = tls_requests.DigestAuth("alice", "s3cret")
    async with mode.client(auth=auth, follow_redirects=True) as client:
        response = await client.get(url)
    assert response.status_code == 200
    # The retry went straight to the challenging URL; the 401 keeps its own redirect.
    assert response.url.path == "/digest_auth/auth/alice/s3cret/MD5"
    assert [r.status_code for r in response.history] == [401]
    assert [r.status_code for r in response.history[0].history] == [302]


async def test_digest_never_answers_another_origin(mode: ClientMode, https_server) -> None:
    target = https_server.url_for("/digest_auth/auth/alice/s3cret/MD5", host="127.0.0.1")
    url = https_server.url_for(f"/redirect_to?url={target}")
    auth = tls_requests.DigestAuth("alice", "s3cret")
    async with mode.client(auth=auth, follow_redirects=True) as client:
        response = await client.get(url)
    assert response.status_code == 401
    assert response.history[-1].status_code == 302


@pytest.mark.parametrize(
    "wrap", [lambda f: f, tls_requests.FunctionAuth], ids=["callable", "class"]
)
async def test_function_auth(mode: ClientMode, https_server, wrap) -> None:
    def sign(request: tls_requests.Request) -> tls_requests.Request:
        request.headers["X-Signature"] = f"{request.method} {request.url.path}"
        return request

    async with mode.client(auth=wrap(sign)) as client:
        echo = (await client.post(https_server.url_for("/echo"))).json()
    assert dict(echo["headers"])["x-signature"] == "POST /echo"


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class RefreshingTokenAuth(tls_requests.Auth):
    """A custom generator flow: try the cached token, refresh it once on a 401."""

    def __init__(self) -> None:
        self.token = "stale"
        self.refreshes = 0

    def auth_flow(
        self, request: tls_requests.Request
    ) -> typing.Generator[tls_requests.Request, tls_requests.Response, None]:
        request.headers["Authorization"] = _basic("alice", self.token)
        response = yield request
        if response.status_code == 401:
            self.refreshes += 1
            self.token = "s3cret"
            request.headers["Authorization"] = _basic("alice", self.token)
            yield request


async def test_custom_auth_flow(mode: ClientMode, https_server) -> None:
    auth = RefreshingTokenAuth()
    url = https_server.url_for("/basic_auth/alice/s3cret")
    async with mode.client(auth=auth) as client:
        first = await client.get(url)
        second = await client.get(url)
    assert first.status_code == second.status_code == 200
    assert [r.status_code for r in first.history] == [401]
    assert second.history == []
    assert auth.refreshes == 1
