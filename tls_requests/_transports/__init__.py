from __future__ import annotations

from .base import AsyncBaseTransport, BaseTransport
from .mock import MockTransport
from .native import AsyncNativeTransport, NativeTransport

__all__ = [
    "AsyncBaseTransport",
    "AsyncNativeTransport",
    "BaseTransport",
    "MockTransport",
    "NativeTransport",
]
