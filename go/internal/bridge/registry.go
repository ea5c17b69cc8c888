package bridge

import (
	"sync"
	"sync/atomic"
)

// registry maps opaque handles to Go objects, so no Go pointer ever crosses
// the C boundary. Handles count up from 1 and are never reused; 0 is never a
// valid handle.
type registry[T any] struct {
	mu   sync.Mutex
	next uint64
	m    map[uint64]T
	live atomic.Int64 // mirrors len(m) for lock-free stats
}

func newRegistry[T any]() *registry[T] {
	return &registry[T]{m: make(map[uint64]T)}
}

func (r *registry[T]) add(v T) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	r.m[r.next] = v
	r.live.Add(1)
	return r.next
}

func (r *registry[T]) get(h uint64) (T, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.m[h]
	return v, ok
}

// remove deletes h and returns its value; ok is false if h was unknown, so
// exactly one caller wins when several race to release the same handle.
func (r *registry[T]) remove(h uint64) (T, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.m[h]
	if ok {
		delete(r.m, h)
		r.live.Add(-1)
	}
	return v, ok
}

func (r *registry[T]) count() int64 { return r.live.Load() }

var (
	sessions = newRegistry[*Session]()
	requests = newRegistry[*Request]()
)

func invalidHandle(what string, h uint64) *Error {
	return newError(KindInvalidHandle, "unknown or closed %s handle %d", what, h)
}
