// Command libtlsrequests is the Go core of tls_requests, built with
// -buildmode=c-shared. This file holds only thin //export shims: convert C to
// Go, call internal/bridge, convert Go to C. tlsrequests.h is the contract
// (returns, errors, ownership); all logic lives in internal/bridge.
//
// Build: go build -buildmode=c-shared -trimpath -o <dir>/libtlsrequests.so .
// (cgo also writes <dir>/libtlsrequests.h; never name the output
// "tlsrequests.so" inside go/, or it would overwrite tlsrequests.h.)
package main

/*
#include <stdlib.h>
#include "tlsrequests.h"

// cgo cannot spell const in Go signatures; exporting with this typedef keeps
// the generated prototypes identical to tlsrequests.h.
typedef const char tlsr_cchar;
*/
import "C"

import (
	"errors"
	"time"
	"unsafe"

	"github.com/tls-requests/tls-requests/go/internal/bridge"
)

func main() {}

// tlsr_abi_version returns TLSR_ABI_VERSION.
//
//export tlsr_abi_version
func tlsr_abi_version() C.uint32_t {
	return C.uint32_t(bridge.ABIVersion)
}

// tlsr_free releases a buffer returned through an *out parameter; NULL and
// pointers this library did not hand out are ignored.
//
//export tlsr_free
func tlsr_free(ptr *C.char) {
	freeOut(ptr)
}

// tlsr_version writes {"abi", "tls_client", "go"} to *out.
//
//export tlsr_version
func tlsr_version(out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	return ok(out, outLen, bridge.VersionJSON())
}

// tlsr_error_kinds writes the JSON array of error kinds to *out.
//
//export tlsr_error_kinds
func tlsr_error_kinds(out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	return ok(out, outLen, bridge.ErrorKindsJSON())
}

// tlsr_profiles writes the sorted JSON array of built-in profile names to *out.
//
//export tlsr_profiles
func tlsr_profiles(out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	return ok(out, outLen, bridge.ProfilesJSON())
}

// tlsr_debug_stats writes {"sessions", "requests", "buffers"} to *out; the
// stats buffer itself is not counted.
//
//export tlsr_debug_stats
func tlsr_debug_stats(out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	return ok(out, outLen, bridge.StatsJSON(liveBuffers()))
}

// tlsr_session_new creates a session from a JSON SessionConfig and stores its
// handle in *session; *out is NULL on success.
//
//export tlsr_session_new
func tlsr_session_new(config *C.tlsr_cchar, configLen C.size_t, session *C.uint64_t, out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	*session = 0
	h, err := bridge.NewSession(cBytes(config, configLen))
	if err != nil {
		return fail(out, outLen, err)
	}
	*session = C.uint64_t(h)
	return none(out, outLen)
}

// tlsr_session_close cancels the session's requests, closes its connections
// and invalidates the handle.
//
//export tlsr_session_close
func tlsr_session_close(session C.uint64_t, out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	return result(out, outLen, bridge.CloseSession(uint64(session)))
}

// tlsr_request_start starts a request from a JSON RequestMeta and a body
// (copied; NULL/0 when streamed or empty) and stores its handle in *request.
//
//export tlsr_request_start
func tlsr_request_start(session C.uint64_t, meta *C.tlsr_cchar, metaLen C.size_t, body *C.tlsr_cchar, bodyLen C.size_t, request *C.uint64_t, out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	*request = 0
	// Inputs are borrowed for this call only: StartRequest decodes the meta
	// and copies the body before returning.
	h, err := bridge.StartRequest(uint64(session), cBytes(meta, metaLen), cBytes(body, bodyLen))
	if err != nil {
		return fail(out, outLen, err)
	}
	*request = C.uint64_t(h)
	return none(out, outLen)
}

// tlsr_request_write streams one body chunk; it blocks until the transport
// has consumed it.
//
//export tlsr_request_write
func tlsr_request_write(request C.uint64_t, buf *C.tlsr_cchar, length C.size_t, out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	return result(out, outLen, bridge.WriteRequest(uint64(request), cBytes(buf, length)))
}

// tlsr_request_write_close ends a streamed request body.
//
//export tlsr_request_write_close
func tlsr_request_write_close(request C.uint64_t, out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	return result(out, outLen, bridge.CloseRequestBody(uint64(request)))
}

// tlsr_request_wait blocks until the response head, or for at most waitMs
// milliseconds when waitMs >= 0, and writes the JSON ResponseMeta to *out.
//
//export tlsr_request_wait
func tlsr_request_wait(request C.uint64_t, waitMs C.int64_t, out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	meta, err := bridge.WaitRequestFor(uint64(request), time.Duration(waitMs)*time.Millisecond)
	if errors.Is(err, bridge.ErrPending) {
		*out, *outLen = nil, 0
		return C.TLSR_PENDING
	}
	if err != nil {
		return fail(out, outLen, err)
	}
	return ok(out, outLen, meta)
}

// tlsr_response_read reads up to capacity body bytes straight into buf and
// stores the count in *n; *n == 0 with TLSR_OK is the end of the body.
//
//export tlsr_response_read
func tlsr_response_read(request C.uint64_t, buf *C.char, capacity C.size_t, n *C.size_t, out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	*n = 0
	var p []byte
	if buf != nil && capacity > 0 {
		p = unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))
	}
	got, err := bridge.ReadResponse(uint64(request), p)
	if err != nil {
		return fail(out, outLen, err)
	}
	*n = C.size_t(got)
	return none(out, outLen)
}

// tlsr_request_cancel cancels an in-flight request; it never blocks.
//
//export tlsr_request_cancel
func tlsr_request_cancel(request C.uint64_t) {
	defer func() { _ = recover() }() // void: nothing to report a panic to
	bridge.CancelRequest(uint64(request))
}

// tlsr_request_close releases a request handle and its response body.
//
//export tlsr_request_close
func tlsr_request_close(request C.uint64_t, out **C.char, outLen *C.size_t) (rc C.int) {
	defer recoverTo(&rc, out, outLen)
	return result(out, outLen, bridge.CloseRequest(uint64(request)))
}

// cBytes borrows a caller buffer for the duration of one call, without a
// copy; the bridge copies whatever it keeps.
func cBytes(p *C.tlsr_cchar, n C.size_t) []byte {
	if p == nil || n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}
