"""The start/stop/context-manager shape every test server shares."""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

__all__ = ["Startable"]

S = TypeVar("S", bound="Startable")


class Startable:
    """A server with `start()` (returning itself) and `stop()`; `with` calls the two."""

    def start(self: S) -> S:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self: S) -> S:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
