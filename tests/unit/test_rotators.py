from __future__ import annotations

import collections
import random
import threading
from pathlib import Path

import pytest

from tls_requests._config import Proxy
from tls_requests._rotators import HeaderRotator, ProxyRotator, Rotator, TLSIdentifierRotator


def test_round_robin_is_the_default() -> None:
    rotator = Rotator(["a", "b", "c"])
    assert rotator.strategy == "round_robin"
    assert [rotator.next() for _ in range(7)] == ["a", "b", "c", "a", "b", "c", "a"]
    assert len(rotator) == 3
    assert rotator.items == ("a", "b", "c")


def test_random_uses_every_item_and_is_reproducible() -> None:
    items = list(range(10))
    first = Rotator(items, strategy="random", rng=random.Random(7))
    draws = [first.next() for _ in range(500)]
    assert set(draws) == set(items)
    second = Rotator(items, strategy="random", rng=random.Random(7))
    assert [second.next() for _ in range(500)] == draws


def test_weighted_distribution() -> None:
    rotator = Rotator(["light", "heavy"], weights=[1, 3], rng=random.Random(1234))
    assert rotator.strategy == "weighted"
    counts = collections.Counter(rotator.next() for _ in range(10_000))
    # Expected 2500 / 7500; the bound is loose so the test is about the mechanism, not luck.
    assert 2200 < counts["light"] < 2800
    assert counts["light"] + counts["heavy"] == 10_000


def test_weighted_zero_weight_is_never_chosen() -> None:
    rotator = Rotator(["never", "a", "b"], weights=[0, 1, 1], rng=random.Random(0))
    assert "never" not in {rotator.next() for _ in range(2000)}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"items": []}, "at least one"),
        ({"items": ["a"], "strategy": "sometimes"}, "Unknown strategy"),
        ({"items": ["a"], "strategy": "weighted"}, "needs weights"),
        ({"items": ["a"], "strategy": "random", "weights": [1]}, "only used"),
        ({"items": ["a", "b"], "weights": [1]}, "one weight per item"),
        ({"items": ["a", "b"], "weights": [1, -1]}, "non-negative"),
        ({"items": ["a", "b"], "weights": [0, 0]}, "not all zero"),
    ],
)
def test_invalid_configuration(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Rotator(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("strategy", ["round_robin", "random", "weighted"])
def test_thread_safety(strategy: str) -> None:
    items = ["a", "b", "c", "d"]
    weights = [1, 2, 3, 4] if strategy == "weighted" else None
    rotator = Rotator(items, strategy=strategy, weights=weights)  # type: ignore[arg-type]
    counts: collections.Counter[str] = collections.Counter()
    counts_lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        local = collections.Counter(rotator.next() for _ in range(1000))
        with counts_lock:
            counts.update(local)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts.values()) == 8000
    assert set(counts) <= set(items)
    if strategy == "round_robin":
        # Under the lock no position is skipped or handed out twice.
        assert counts == {item: 2000 for item in items}


# ProxyRotator -------------------------------------------------------------------------------


def test_proxy_rotator_returns_proxies() -> None:
    rotator = ProxyRotator(
        ["http://127.0.0.1:8080", Proxy("socks5://127.0.0.1:1080"), "https://10.0.0.1:8443"]
    )
    first = rotator.next()
    assert isinstance(first, Proxy)
    assert first.url == "http://127.0.0.1:8080"
    assert [rotator.next().url for _ in range(2)] == [
        "socks5://127.0.0.1:1080",
        "https://10.0.0.1:8443",
    ]


def test_proxy_rotator_hides_credentials() -> None:
    rotator = ProxyRotator(
        ["http://user:s3cret@127.0.0.1:8080", Proxy("http://127.0.0.1:8081", auth=("u", "hunter2"))]
    )
    for text in (repr(rotator), str(rotator)):
        assert "s3cret" not in text and "hunter2" not in text
        assert "127.0.0.1:8080" in text
    # The credentials are kept for the transport.
    assert rotator.next().to_native() == "http://user:s3cret@127.0.0.1:8080/"


def test_proxy_rotator_rejects_bad_items() -> None:
    with pytest.raises(ValueError):
        ProxyRotator(["ftp://127.0.0.1:21"])
    with pytest.raises(TypeError):
        ProxyRotator([8080])  # type: ignore[list-item]


def test_proxy_rotator_from_file(tmp_path: Path) -> None:
    path = tmp_path / "proxies.txt"
    path.write_text(
        "# office proxies\n"
        "http://127.0.0.1:8080\n"
        "\n"
        "   socks5://127.0.0.1:1080   \n"
        "127.0.0.1:3128\n"
        "  # disabled: http://127.0.0.1:9999\n"
    )
    rotator = ProxyRotator.from_file(path)
    assert [proxy.url for proxy in rotator.items] == [
        "http://127.0.0.1:8080",
        "socks5://127.0.0.1:1080",
        "http://127.0.0.1:3128",
    ]
    weighted = ProxyRotator.from_file(str(path), weights=[1, 0, 0])
    assert {weighted.next().url.port for _ in range(20)} == {8080}


def test_proxy_rotator_skips_failed_proxies() -> None:
    now = [100.0]
    rotator = ProxyRotator(
        ["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"],
        cooldown=10,
        clock=lambda: now[0],
    )
    rotator.mark_failed("http://127.0.0.1:2")
    assert [rotator.next().url.port for _ in range(4)] == [1, 3, 1, 3]
    now[0] += 11  # cooldown over
    assert [rotator.next().url.port for _ in range(3)] == [1, 2, 3]
    rotator.mark_failed(Proxy("http://127.0.0.1:1"))
    rotator.mark_success("http://127.0.0.1:1")
    assert [rotator.next().url.port for _ in range(3)] == [1, 2, 3]
    rotator.mark_failed("http://127.0.0.1:99")  # unknown: ignored


def test_proxy_rotator_uses_all_when_all_failed() -> None:
    rotator = ProxyRotator(["http://127.0.0.1:1", "http://127.0.0.1:2"], strategy="random")
    rotator.mark_failed("http://127.0.0.1:1")
    rotator.mark_failed("http://127.0.0.1:2")
    assert {rotator.next().url.port for _ in range(200)} == {1, 2}


def test_weighted_proxies_with_a_failed_one() -> None:
    rotator = ProxyRotator(
        ["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"],
        weights=[5, 1, 0],
        rng=random.Random(3),
    )
    rotator.mark_failed("http://127.0.0.1:1")
    # Only zero weights remain besides port 2's: port 2 takes all the draws.
    assert {rotator.next().url.port for _ in range(100)} == {2}
    rotator.mark_failed("http://127.0.0.1:2")
    # Only a zero-weight proxy is left: it is used rather than failing.
    assert {rotator.next().url.port for _ in range(10)} == {3}


# HeaderRotator and TLSIdentifierRotator -----------------------------------------------------


def test_header_rotator_returns_copies() -> None:
    rotator = HeaderRotator(
        [{"User-Agent": "A", "Authorization": "Bearer tok"}, {"User-Agent": "B"}]
    )
    first = rotator.next()
    assert first == {"User-Agent": "A", "Authorization": "Bearer tok"}
    first["User-Agent"] = "changed"
    assert rotator.next() == {"User-Agent": "B"}
    assert rotator.next()["User-Agent"] == "A"
    # Headers may hold tokens: the repr only counts them.
    assert "tok" not in repr(rotator) and "2 items" in repr(rotator)
    with pytest.raises(TypeError):
        HeaderRotator(["User-Agent: A"])  # type: ignore[list-item]


def test_tls_identifier_rotator() -> None:
    rotator = TLSIdentifierRotator(
        ["chrome_146", "firefox_147"], strategy="random", rng=random.Random(5)
    )
    assert {rotator.next() for _ in range(100)} == {"chrome_146", "firefox_147"}
    assert repr(rotator) == "TLSIdentifierRotator(['chrome_146', 'firefox_147'], strategy='random')"
    with pytest.raises(TypeError):
        TLSIdentifierRotator([146])  # type: ignore[list-item]
