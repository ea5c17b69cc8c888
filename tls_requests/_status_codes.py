"""
`codes`: HTTP status codes by name, e.g. `codes.NOT_FOUND` or `codes.not_found` (httpx-style).
"""

from __future__ import annotations

from http import HTTPStatus

__all__ = ["codes"]


class _Codes:
    def __getattr__(self, name: str) -> int:
        try:
            return int(HTTPStatus[name.upper()])
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> int:
        return self.__getattr__(name)

    @staticmethod
    def get_reason_phrase(value: int) -> str:
        try:
            return HTTPStatus(value).phrase
        except ValueError:
            return ""

    @staticmethod
    def is_success(value: int) -> bool:
        return 200 <= value <= 299

    @staticmethod
    def is_error(value: int) -> bool:
        return 400 <= value <= 599


codes = _Codes()
