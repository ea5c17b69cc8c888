"""
Rotators: pick the next proxy, header set or browser profile for each request.

`Rotator[T]` holds the items and the choice strategy; `ProxyRotator`, `HeaderRotator` and
`TLSIdentifierRotator` only say what an item is. Every `next()` call takes a lock, so one rotator
can serve many threads and tasks at once.
"""

from __future__ import annotations

import bisect
import itertools
import os
import random
import threading
import time
import typing

from ._config import Proxy
from ._urls import URL

__all__ = ["HeaderRotator", "ProxyRotator", "Rotator", "TLSIdentifierRotator"]

T = typing.TypeVar("T")

Strategy = typing.Literal["round_robin", "random", "weighted"]
_STRATEGIES: tuple[Strategy, ...] = typing.get_args(Strategy)


class Rotator(typing.Generic[T]):
    """
    A thread-safe rotation over a fixed list of items.

    **Parameters:**

    * **items** - the items to rotate over (at least one).
    * **strategy** - *(optional)* `"round_robin"` (in order, then from the start again),
      `"random"` (uniform, independent draws) or `"weighted"` (draws in proportion to
      `weights`). Default: `"weighted"` when `weights` are given, else `"round_robin"`.
    * **weights** - *(optional)* one non-negative weight per item, for `"weighted"`.
    * **rng** - *(optional)* the `random.Random` used by the random strategies; pass a seeded
      one for reproducible draws.

    ```python
    rotator = Rotator(["a", "b", "c"])
    rotator.next(), rotator.next()  # 'a', 'b'
    ```

    It can be shared between threads.
    """

    # Whether repr() lists the items; subclasses whose items may hold secrets turn this off.
    _show_items = True

    def __init__(
        self,
        items: typing.Iterable[T],
        *,
        strategy: Strategy | None = None,
        weights: typing.Sequence[float] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._items: tuple[T, ...] = tuple(items)
        if not self._items:
            raise ValueError(f"{type(self).__name__} needs at least one item.")
        if strategy is None:
            strategy = "weighted" if weights is not None else "round_robin"
        if strategy not in _STRATEGIES:
            raise ValueError(f"Unknown strategy {strategy!r}; use one of {_STRATEGIES}.")
        if strategy == "weighted" and weights is None:
            raise ValueError('The "weighted" strategy needs weights, one per item.')
        if weights is not None and strategy != "weighted":
            raise ValueError(f'weights are only used by the "weighted" strategy, not {strategy!r}.')
        self._weights: tuple[float, ...] | None = None
        if weights is not None:
            self._weights = tuple(float(weight) for weight in weights)
            if len(self._weights) != len(self._items):
                raise ValueError(
                    f"Got {len(self._weights)} weights for {len(self._items)} items; "
                    "give one weight per item."
                )
            if any(weight < 0 for weight in self._weights) or not any(self._weights):
                raise ValueError("Weights must be non-negative and not all zero.")
        self._strategy: Strategy = strategy
        self._cumulative = list(itertools.accumulate(self._weights or ()))
        self._rng = rng if rng is not None else random.Random()
        self._lock = threading.Lock()
        self._position = 0

    @property
    def items(self) -> tuple[T, ...]:
        """The items, in the order given."""
        return self._items

    @property
    def strategy(self) -> Strategy:
        return self._strategy

    @property
    def weights(self) -> tuple[float, ...] | None:
        return self._weights

    def next(self) -> T:
        """The next item, according to the strategy."""
        with self._lock:
            return self._items[self._next_index(self._usable_indexes())]

    def _usable_indexes(self) -> typing.Sequence[int] | None:
        """Indexes that may be chosen now, or None for all; must be called with the lock held."""
        return None

    def _next_index(self, usable: typing.Sequence[int] | None) -> int:
        count = len(self._items)
        if self._strategy == "round_robin":
            allowed = None if usable is None else set(usable)
            for step in range(count):
                index = (self._position + step) % count
                if allowed is None or index in allowed:
                    self._position = index + 1
                    return index
            raise AssertionError("usable indexes must not be empty")  # pragma: no cover
        candidates = range(count) if usable is None else usable
        if self._strategy == "random":
            return candidates[self._rng.randrange(len(candidates))]
        assert self._weights is not None
        if usable is None:
            cumulative = self._cumulative
        else:
            cumulative = list(itertools.accumulate(self._weights[index] for index in usable))
        if not cumulative[-1]:
            # Every usable item has weight zero: fall back to a uniform choice among them.
            return candidates[self._rng.randrange(len(candidates))]
        # bisect_right skips zero-weight items, whose cumulative value equals the previous one.
        point = self._rng.random() * cumulative[-1]
        return candidates[min(bisect.bisect_right(cumulative, point), len(candidates) - 1)]

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        shown = f"{list(self._items)!r}" if self._show_items else f"<{len(self._items)} items>"
        weights = f", weights={list(self._weights)!r}" if self._weights is not None else ""
        return f"{type(self).__name__}({shown}, strategy={self._strategy!r}{weights})"


class ProxyRotator(Rotator[Proxy]):
    """
    Rotates proxies between requests.

    **Parameters:**

    * **proxies** - proxy URLs (`"http://user:pass@host:port"`, `socks5://...`) or `Proxy`s.
    * **strategy**, **weights**, **rng** - as for `Rotator`.
    * **cooldown** - *(optional)* seconds a proxy is skipped after `mark_failed()`. Default 60.

    `next()` returns a `Proxy`, whose repr hides credentials (so does the rotator's).
    Proxies marked failed are skipped until their cooldown ends or `mark_success()` is called;
    if every proxy is cooling down, all are used again rather than failing.

    ```python
    proxies = ProxyRotator(["http://10.0.0.1:8080", "http://10.0.0.2:8080"])
    client = Client(proxy=proxies)
    ```
    """

    def __init__(
        self,
        proxies: typing.Iterable[str | URL | Proxy],
        *,
        strategy: Strategy | None = None,
        weights: typing.Sequence[float] | None = None,
        rng: random.Random | None = None,
        cooldown: float = 60.0,
        clock: typing.Callable[[], float] = time.monotonic,
    ) -> None:
        items = [_to_proxy(proxy) for proxy in proxies]
        super().__init__(items, strategy=strategy, weights=weights, rng=rng)
        self._cooldown = cooldown
        self._clock = clock
        self._failed_until: dict[int, float] = {}

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        *,
        strategy: Strategy | None = None,
        weights: typing.Sequence[float] | None = None,
        rng: random.Random | None = None,
        cooldown: float = 60.0,
    ) -> ProxyRotator:
        """
        Read one proxy per line; blank lines and lines starting with `#` are skipped.

        A line without a scheme (`host:port`) is taken as an `http://` proxy.
        """
        proxies: list[str] = []
        with open(path, encoding="utf-8") as file:
            for line in file:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                proxies.append(line if "://" in line else f"http://{line}")
        return cls(proxies, strategy=strategy, weights=weights, rng=rng, cooldown=cooldown)

    def _indexes_of(self, proxy: str | URL | Proxy) -> list[int]:
        wanted = _to_proxy(proxy)
        return [index for index, item in enumerate(self._items) if item == wanted]

    def mark_failed(self, proxy: str | URL | Proxy) -> None:
        """Skip `proxy` for `cooldown` seconds (unknown proxies are ignored)."""
        until = self._clock() + self._cooldown
        with self._lock:
            for index in self._indexes_of(proxy):
                self._failed_until[index] = until

    def mark_success(self, proxy: str | URL | Proxy) -> None:
        """Use `proxy` again right away."""
        with self._lock:
            for index in self._indexes_of(proxy):
                self._failed_until.pop(index, None)

    def _usable_indexes(self) -> typing.Sequence[int] | None:
        if not self._failed_until:
            return None
        now = self._clock()
        for index, until in list(self._failed_until.items()):
            if until <= now:
                del self._failed_until[index]
        usable = [index for index in range(len(self._items)) if index not in self._failed_until]
        return usable or None


class HeaderRotator(Rotator[dict[str, str]]):
    """
    Rotates header sets (e.g. User-Agent and friends) between requests.

    **Parameters:**

    * **headers** - dicts of headers; each `next()` returns a fresh copy.
    * **strategy**, **weights**, **rng** - as for `Rotator`.

    Its repr shows only how many sets it holds, since headers may carry tokens.

    ```python
    client = Client(headers=HeaderRotator([{"User-Agent": "A"}, {"User-Agent": "B"}]))
    ```
    """

    _show_items = False

    def __init__(
        self,
        headers: typing.Iterable[typing.Mapping[str, str]],
        *,
        strategy: Strategy | None = None,
        weights: typing.Sequence[float] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        items = [_to_headers(item) for item in headers]
        super().__init__(items, strategy=strategy, weights=weights, rng=rng)

    def next(self) -> dict[str, str]:
        # A copy, so a caller that edits the headers does not change later requests.
        return dict(super().next())


class TLSIdentifierRotator(Rotator[str]):
    """
    Rotates browser profiles (`client_identifier` names such as `"chrome_146"`).

    **Parameters:**

    * **identifiers** - profile names or aliases; the client checks them when it starts.
    * **strategy**, **weights**, **rng** - as for `Rotator`.

    ```python
    client = Client(client_identifier=TLSIdentifierRotator(["chrome_146", "firefox_147"]))
    ```
    """

    def __init__(
        self,
        identifiers: typing.Iterable[str],
        *,
        strategy: Strategy | None = None,
        weights: typing.Sequence[float] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        items = [_to_identifier(item) for item in identifiers]
        super().__init__(items, strategy=strategy, weights=weights, rng=rng)


def _to_proxy(item: object) -> Proxy:
    if isinstance(item, Proxy):
        return item
    if isinstance(item, (str, URL)):
        return Proxy(item)
    raise TypeError(f"Expected a proxy URL or a Proxy, got {type(item).__name__}.")


def _to_headers(item: object) -> dict[str, str]:
    if not isinstance(item, typing.Mapping):
        raise TypeError(f"Expected a mapping of headers, got {type(item).__name__}.")
    return {str(name): str(value) for name, value in item.items()}


def _to_identifier(item: object) -> str:
    if not isinstance(item, str):
        raise TypeError(f"Expected a profile name (str), got {type(item).__name__}.")
    return item
