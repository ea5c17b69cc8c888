"""
Type aliases for the public inputs of the API.
"""

from __future__ import annotations

import typing
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from typing import (
    IO,
    Any,
    Callable,
    Optional,
    Union,
)

if typing.TYPE_CHECKING:  # pragma: no cover
    from ._auth import Auth
    from ._config import Proxy, Timeout
    from ._cookies import Cookies
    from ._models import Headers, Request
    from ._urls import URL, QueryParams

PrimitiveData = Optional[Union[str, int, float, bool]]

URLTypes = Union["URL", str]
QueryParamTypes = Union[
    "QueryParams",
    Mapping[str, Union[PrimitiveData, Sequence[PrimitiveData]]],
    list[tuple[str, PrimitiveData]],
    tuple[tuple[str, PrimitiveData], ...],
    str,
    bytes,
]
HeaderTypes = Union[
    "Headers",
    Mapping[str, str],
    Mapping[bytes, bytes],
    Sequence[tuple[str, str]],
    Sequence[tuple[bytes, bytes]],
]
CookieTypes = Union["Cookies", Mapping[str, str], list[tuple[str, str]], Any]
TimeoutTypes = Union[
    Optional[float],
    tuple[Optional[float], Optional[float], Optional[float], Optional[float]],
    "Timeout",
]
ProxyTypes = Union["URL", str, "Proxy"]
CertTypes = Union[str, tuple[str, str], tuple[str, str, Optional[str]]]
VerifyTypes = Union[bool, str]

AuthTypes = Union[
    tuple[Union[str, bytes], Union[str, bytes]],
    Callable[["Request"], "Request"],
    "Auth",
]

RequestContent = Union[str, bytes, bytearray, memoryview, Iterable[bytes], AsyncIterable[bytes]]
ResponseContent = Union[str, bytes, Iterable[bytes], AsyncIterable[bytes]]
RequestData = Mapping[str, Any]

FileContent = Union[IO[bytes], bytes, str]
FileTypes = Union[
    FileContent,
    tuple[Optional[str], FileContent],
    tuple[Optional[str], FileContent, Optional[str]],
    tuple[Optional[str], FileContent, Optional[str], Mapping[str, str]],
]
RequestFiles = Union[Mapping[str, FileTypes], Sequence[tuple[str, FileTypes]]]

RequestExtensions = Mapping[str, Any]
ResponseExtensions = Mapping[str, Any]

EventHook = Callable[..., Any]

__all__ = [
    "AuthTypes",
    "CertTypes",
    "CookieTypes",
    "EventHook",
    "HeaderTypes",
    "ProxyTypes",
    "QueryParamTypes",
    "RequestContent",
    "RequestData",
    "RequestFiles",
    "TimeoutTypes",
    "URLTypes",
    "VerifyTypes",
]
