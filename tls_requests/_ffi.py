"""
The only module that touches cffi: it loads the Go core and exposes small typed functions.

No cdata leaves this module. Every function either returns plain Python values or raises
`NativeError(kind, message)`, which the transport turns into a public exception through the one
table in `_exceptions.py`.

OWNERSHIP RULE (verbatim from go/tlsrequests.h):
  Inputs:  the caller owns every buffer it passes; Go copies what it needs during the call and
           retains no pointer after returning.
  Outputs: every non-NULL *out buffer is allocated by Go with C.malloc and is owned by the
           caller, who must release it exactly once with tlsr_free(ptr). Session handles are
           owned by the caller and must be released exactly once with tlsr_session_close(h);
           request handles exactly once with tlsr_request_close(h). Using a closed or unknown
           handle returns the "invalid_handle" error kind.

On the Python side `_take()` is the only place that calls `tlsr_free`, and `NativeSession` /
the transports close each handle exactly once. cffi releases the GIL during every call, so
blocking calls made from worker threads run in parallel.
"""

from __future__ import annotations

import io
import json
import os
import platform
import sys
import threading
import typing
from pathlib import Path

from ._exceptions import ForkedProcessError, LibraryNotFound

__all__: list[str] = []

ABI_VERSION = 2
TLSR_PENDING = 2  # tlsr_request_wait: the slice ran out before the response head
WAIT_SLICE_MS = 100
LIBRARY_ENV_VAR = "TLS_REQUESTS_LIBRARY"

# The function list of go/tlsrequests.h, verbatim (tests/unit/test_ffi_cdef.py compares them).
CDEF = """
uint32_t tlsr_abi_version(void);
void tlsr_free(char *ptr);
int tlsr_version(char **out, size_t *out_len);
int tlsr_error_kinds(char **out, size_t *out_len);
int tlsr_profiles(char **out, size_t *out_len);
int tlsr_debug_stats(char **out, size_t *out_len);
int tlsr_session_new(const char *config, size_t config_len, uint64_t *session,
                     char **out, size_t *out_len);
int tlsr_session_close(uint64_t session, char **out, size_t *out_len);
int tlsr_request_start(uint64_t session, const char *meta, size_t meta_len,
                       const char *body, size_t body_len, uint64_t *request,
                       char **out, size_t *out_len);
int tlsr_request_write(uint64_t request, const char *buf, size_t len,
                       char **out, size_t *out_len);
int tlsr_request_write_close(uint64_t request, char **out, size_t *out_len);
int tlsr_request_wait(uint64_t request, int64_t wait_ms, char **out, size_t *out_len);
int tlsr_response_read(uint64_t request, char *buf, size_t cap, size_t *n,
                       char **out, size_t *out_len);
void tlsr_request_cancel(uint64_t request);
int tlsr_request_close(uint64_t request, char **out, size_t *out_len);
"""


class NativeError(Exception):
    """A failure reported by the Go core: a stable kind plus a message."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


class _Library(typing.NamedTuple):
    ffi: typing.Any
    lib: typing.Any


_lock = threading.Lock()
_loaded: _Library | None = None
# Set in a child forked after the library was loaded: Go's runtime threads did not come along,
# so any Go call there would block for ever. Checked on every call (`_load`, `BodyReader`).
_forked_after_load = False


def _after_fork_in_child() -> None:
    global _forked_after_load
    if _loaded is not None:
        _forked_after_load = True


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _refuse_forked() -> typing.NoReturn:
    raise ForkedProcessError(
        "tls_requests was used in this process's parent before it forked, and the Go runtime "
        "does not survive fork(). Start worker processes with the 'spawn' or 'forkserver' "
        "method (multiprocessing.get_context('spawn')), or make the first request only in "
        "the children."
    )


def library_path() -> Path:
    """Where the library is: $TLS_REQUESTS_LIBRARY, else the file built into the package."""
    override = os.environ.get(LIBRARY_ENV_VAR)
    if override:
        return Path(override)
    from ._platform import library_path as packaged_library_path

    return packaged_library_path()


def _load() -> _Library:
    global _loaded
    if _loaded is not None:
        if _forked_after_load:
            _refuse_forked()
        return _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        import cffi  # type: ignore[import-untyped]

        path = library_path()
        where = f"{sys.platform}/{platform.machine()}"
        if not path.is_file():
            raise LibraryNotFound(
                f"The tls_requests native library was not found at {path} (platform {where}). "
                f"It is built from go/ when the package is installed (`pip install .`); "
                f"set {LIBRARY_ENV_VAR} to use another build."
            )
        ffi = cffi.FFI()
        ffi.cdef(CDEF)
        try:
            lib = ffi.dlopen(str(path))
        except OSError as exc:
            raise LibraryNotFound(f"Could not load {path} (platform {where}): {exc}") from exc
        abi = int(lib.tlsr_abi_version())
        if abi != ABI_VERSION:
            raise LibraryNotFound(
                f"{path} implements ABI version {abi}, but this package needs {ABI_VERSION}; "
                "reinstall tls_requests to rebuild it."
            )
        _loaded = _Library(ffi, lib)
        return _loaded


def _take(ffi: typing.Any, lib: typing.Any, out: typing.Any, out_len: typing.Any) -> bytes:
    """Copy a Go-allocated output buffer into bytes and free it: the one call site of tlsr_free."""
    ptr = out[0]
    if ptr == ffi.NULL:
        return b""
    try:
        return bytes(ffi.buffer(ptr, out_len[0]))
    finally:
        lib.tlsr_free(ptr)


def _call(name: str, *args: typing.Any) -> bytes:
    """Call a fallible `tlsr_*` function whose last two parameters are (out, out_len)."""
    return _call_rc(name, *args)[1]


def _call_rc(name: str, *args: typing.Any) -> tuple[int, bytes]:
    """`_call`, also returning the code: 0, or `TLSR_PENDING` (only tlsr_request_wait)."""
    ffi, lib = _load()
    out = ffi.new("char **")
    out_len = ffi.new("size_t *")
    rc = getattr(lib, name)(*args, out, out_len)
    payload = _take(ffi, lib, out, out_len)
    if rc not in (0, TLSR_PENDING):
        raise _error(payload)
    return rc, payload


def _error(payload: bytes) -> NativeError:
    try:
        data = json.loads(payload)
        return NativeError(str(data["kind"]), str(data["message"]))
    except (ValueError, KeyError, TypeError):
        return NativeError("internal", payload.decode("utf-8", "replace") or "unknown error")


def load() -> None:
    """Load the library now (it otherwise loads on first use); raises `LibraryNotFound`."""
    _load()


def version() -> dict[str, typing.Any]:
    return dict(json.loads(_call("tlsr_version")))


def error_kinds() -> list[str]:
    return list(json.loads(_call("tlsr_error_kinds")))


def profiles() -> list[str]:
    return list(json.loads(_call("tlsr_profiles")))


def debug_stats() -> dict[str, int]:
    """Live native objects: {"sessions", "requests", "buffers"}. For leak tests."""
    return dict(json.loads(_call("tlsr_debug_stats")))


def session_new(config: bytes) -> int:
    ffi, _ = _load()
    handle = ffi.new("uint64_t *")
    _call("tlsr_session_new", config, len(config), handle)
    return int(handle[0])


def session_close(session: int) -> None:
    if _forked_after_load:
        return  # the parent's session: nothing of it exists in this process's Go runtime
    _call("tlsr_session_close", session)


def request_start(session: int, meta: bytes, body: bytes | None) -> int:
    ffi, _ = _load()
    handle = ffi.new("uint64_t *")
    body_ptr = ffi.from_buffer(body) if body else ffi.NULL
    _call("tlsr_request_start", session, meta, len(meta), body_ptr, len(body or b""), handle)
    return int(handle[0])


def request_write(request: int, chunk: bytes | memoryview) -> None:
    ffi, _ = _load()
    _call("tlsr_request_write", request, ffi.from_buffer(chunk), len(chunk))


def request_write_close(request: int) -> None:
    _call("tlsr_request_write_close", request)


def request_wait(request: int) -> bytes:
    """
    Block until the response head arrives; returns the ResponseMeta JSON.

    Go waits at most `WAIT_SLICE_MS` per call: a thread blocked inside a C call cannot run
    Python's signal handlers, so without slices Ctrl+C would only take effect once the
    response (or its timeout) arrived. Between slices the interpreter runs them.
    """
    while True:
        rc, payload = _call_rc("tlsr_request_wait", request, WAIT_SLICE_MS)
        if rc != TLSR_PENDING:
            return payload


def request_cancel(request: int) -> None:
    if _forked_after_load:
        return  # see session_close
    _, lib = _load()
    lib.tlsr_request_cancel(request)


def request_close(request: int) -> None:
    if _forked_after_load:
        return  # see session_close
    _call("tlsr_request_close", request)


class BodyReader:
    """
    Reads a response body in chunks through one reusable native buffer.

    `read()` blocks until data arrives and returns b"" at the end of the body.
    """

    def __init__(self, request: int, chunk_size: int = 256 * 1024) -> None:
        ffi, lib = _load()
        self._request = request
        self._ffi = ffi
        self._lib = lib
        self._buffer = ffi.new("char[]", chunk_size)
        self._size = chunk_size
        self._n = ffi.new("size_t *")
        self._out = ffi.new("char **")
        self._out_len = ffi.new("size_t *")

    def read_all(self) -> bytes:
        """Read the rest of the body. BytesIO hands its buffer over, so it is held once."""
        buffer = io.BytesIO()
        while chunk := self.read():
            buffer.write(chunk)
        return buffer.getvalue()

    def read(self) -> bytes:
        if _forked_after_load:
            _refuse_forked()
        rc = self._lib.tlsr_response_read(
            self._request, self._buffer, self._size, self._n, self._out, self._out_len
        )
        payload = _take(self._ffi, self._lib, self._out, self._out_len)
        if rc != 0:
            raise _error(payload)
        return bytes(self._ffi.buffer(self._buffer, self._n[0]))
