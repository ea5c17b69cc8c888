/*
 * tlsrequests.h - the C API of libtlsrequests, the Go core of tls_requests.
 *
 * This header is the single source of truth for the boundary between Python
 * and Go. tls_requests/_ffi.py carries the function list below verbatim as its
 * cffi cdef (a unit test compares the two), and mirrors the ownership rule.
 *
 * OWNERSHIP RULE
 *   Inputs:  the caller owns every buffer it passes; Go copies what it needs
 *            during the call and retains no pointer after returning.
 *   Outputs: every non-NULL *out buffer is allocated by Go with C.malloc and is
 *            owned by the caller, who must release it exactly once with
 *            tlsr_free(ptr). Session handles are owned by the caller and must be
 *            released exactly once with tlsr_session_close(h); request handles
 *            exactly once with tlsr_request_close(h). Using a closed or unknown
 *            handle returns the "invalid_handle" error kind.
 *
 * CONVENTIONS
 *   - Handles are opaque non-zero uint64 values, never Go pointers. 0 is never
 *     a valid handle.
 *   - Bodies cross the boundary as raw bytes (pointer + length). Only metadata
 *     (configuration, headers, status) is JSON, UTF-8, snake_case keys.
 *   - A fallible function returns 0 on success and TLSR_ERROR (1) on failure
 *     (tlsr_request_wait may also return TLSR_PENDING, see there).
 *     On failure *out holds an error object
 *         {"kind": "<kind>", "message": "<text>"}
 *     where kind is one of the stable strings returned by tlsr_error_kinds().
 *     On success *out holds the documented result, or NULL when there is none.
 *   - Every export recovers Go panics and reports them as kind "internal";
 *     a panic never crosses the boundary.
 *   - All functions are safe to call from any thread, concurrently.
 *     tlsr_request_cancel may be called while another thread is blocked in
 *     tlsr_request_wait / tlsr_request_write / tlsr_response_read on the same
 *     handle; it makes that call return promptly with kind "cancelled".
 */
#ifndef TLSREQUESTS_H
#define TLSREQUESTS_H

#include <stddef.h>
#include <stdint.h>

#define TLSR_ABI_VERSION 2
#define TLSR_OK 0
#define TLSR_ERROR 1
#define TLSR_PENDING 2

/* The ABI version this library implements; Python refuses to load a mismatch. */
uint32_t tlsr_abi_version(void);

/* Releases a buffer returned through any *out parameter. NULL is a no-op. */
void tlsr_free(char *ptr);

/* Library facts as JSON: {"abi": 2, "tls_client": "v1.15.1", "go": "go1.26.8",
 * "corrected_profiles": ["chrome_133", ...]} (built-in names whose tls-client profile is
 * replaced by one corrected to match the real browser; see docs/profiles.md). */
int tlsr_version(char **out, size_t *out_len);

/* JSON array of every error kind this library can report. */
int tlsr_error_kinds(char **out, size_t *out_len);

/* JSON array of every built-in client profile name, sorted. */
int tlsr_profiles(char **out, size_t *out_len);

/* Live-object counters as JSON, for leak tests:
 *   {"sessions": n, "requests": n, "buffers": n}
 * sessions: open session handles; requests: open request handles;
 * buffers: *out buffers handed out and not yet released with tlsr_free
 * (the stats buffer itself is not counted). */
int tlsr_debug_stats(char **out, size_t *out_len);

/* Creates a session from a JSON SessionConfig (see docs/internals/ffi.md).
 * On success *session is the new handle and *out is NULL. */
int tlsr_session_new(const char *config, size_t config_len, uint64_t *session,
                     char **out, size_t *out_len);

/* Closes a session: cancels its in-flight requests and invalidates the
 * handle. Its connections are closed at once, or, while request handles of
 * the session are still open, when the last of them is closed. */
int tlsr_session_close(uint64_t session, char **out, size_t *out_len);

/* Starts a request on a session from a JSON RequestMeta. It returns at once;
 * the request runs in the background.
 * If meta.stream_body is false, body/body_len is the whole request body
 * (copied; may be NULL/0). If it is true, body must be NULL/0 and the body is
 * supplied with tlsr_request_write / tlsr_request_write_close.
 * On success *request is the new handle, registered for cancellation. */
int tlsr_request_start(uint64_t session, const char *meta, size_t meta_len,
                       const char *body, size_t body_len, uint64_t *request,
                       char **out, size_t *out_len);

/* Streams one chunk of a request body (meta.stream_body). Blocks until the
 * transport has consumed it. */
int tlsr_request_write(uint64_t request, const char *buf, size_t len,
                       char **out, size_t *out_len);

/* Ends a streamed request body. */
int tlsr_request_write_close(uint64_t request, char **out, size_t *out_len);

/* Blocks until the response head arrives, or for at most wait_ms milliseconds
 * when wait_ms >= 0: then it returns TLSR_PENDING with *out NULL, and the
 * caller may wait again (waiting in slices lets Python handle Ctrl+C between
 * them). On success *out holds a JSON ResponseMeta: {"status_code",
 * "reason_phrase", "http_version", "url", "headers": [[name, value], ...],
 * "content_length" (-1 if unknown)}. */
int tlsr_request_wait(uint64_t request, int64_t wait_ms, char **out, size_t *out_len);

/* Reads up to cap bytes of the (undecoded) response body into the caller's
 * buffer. Blocks until at least one byte is available or the body ends.
 * *n is the number of bytes written; *n == 0 with TLSR_OK means end of body. */
int tlsr_response_read(uint64_t request, char *buf, size_t cap, size_t *n,
                       char **out, size_t *out_len);

/* Cancels an in-flight request (context cancel). Never blocks; a no-op for an
 * unknown or finished handle. The handle must still be closed. */
void tlsr_request_cancel(uint64_t request);

/* Releases a request handle and its response body; cancels it if still
 * running. The connection goes back to the pool if the body was read fully. */
int tlsr_request_close(uint64_t request, char **out, size_t *out_len);

#endif /* TLSREQUESTS_H */
