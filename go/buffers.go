package main

/*
#include <stdlib.h>
*/
import "C"

import (
	"sync"
	"unsafe"

	"github.com/tls-requests/tls-requests/go/internal/bridge"
)

const (
	tlsrOK    C.int = 0
	tlsrError C.int = 1
)

// live holds every *out buffer handed to C and not yet freed, so tlsr_free
// can ignore pointers it does not own (including double frees) and
// tlsr_debug_stats can count them.
var (
	liveMu sync.Mutex
	live   = make(map[uintptr]struct{})
)

// writeOut copies b into a C.malloc'd buffer owned by the caller and stores
// it in *out / *outLen. A nil b stores NULL / 0.
func writeOut(out **C.char, outLen *C.size_t, b []byte) {
	if outLen != nil {
		*outLen = 0
	}
	if out == nil {
		return
	}
	*out = nil
	if b == nil {
		return
	}
	// One spare NUL byte, so C callers may also treat JSON as a C string.
	p := C.malloc(C.size_t(len(b) + 1))
	if p == nil {
		panic("tlsr: out of memory")
	}
	buf := unsafe.Slice((*byte)(p), len(b)+1)
	copy(buf, b)
	buf[len(b)] = 0
	liveMu.Lock()
	live[uintptr(p)] = struct{}{}
	liveMu.Unlock()
	*out = (*C.char)(p)
	if outLen != nil {
		*outLen = C.size_t(len(b))
	}
}

func freeOut(ptr *C.char) {
	if ptr == nil {
		return
	}
	key := uintptr(unsafe.Pointer(ptr))
	liveMu.Lock()
	_, ok := live[key]
	delete(live, key)
	liveMu.Unlock()
	if ok {
		C.free(unsafe.Pointer(ptr))
	}
}

func liveBuffers() int64 {
	liveMu.Lock()
	defer liveMu.Unlock()
	return int64(len(live))
}

// ok stores a result and returns TLSR_OK.
func ok(out **C.char, outLen *C.size_t, b []byte) C.int {
	writeOut(out, outLen, b)
	return tlsrOK
}

// none stores NULL and returns TLSR_OK.
func none(out **C.char, outLen *C.size_t) C.int { return ok(out, outLen, nil) }

// fail stores the error object and returns TLSR_ERROR.
func fail(out **C.char, outLen *C.size_t, err error) C.int {
	writeOut(out, outLen, bridge.ErrorJSON(err))
	return tlsrError
}

func result(out **C.char, outLen *C.size_t, err error) C.int {
	if err != nil {
		return fail(out, outLen, err)
	}
	return none(out, outLen)
}

// recoverTo is deferred by every export: a panic becomes kind "internal".
func recoverTo(rc *C.int, out **C.char, outLen *C.size_t) {
	if v := recover(); v != nil {
		*rc = fail(out, outLen, bridge.PanicError(v))
	}
}
