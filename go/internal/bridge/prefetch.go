package bridge

import (
	"io"
	"sync"
)

// Body prefetch (HTTP/1.x). As soon as a response head arrives, the
// goroutine that ran Do goes on reading the start of the body into a small
// buffer, while the caller is still busy with the head (JSON meta, Python
// objects). A small body, and its end, are then usually in memory by the time
// the first tlsr_response_read comes, which returns at once instead of
// waiting for the transport: reading the end of an HTTP/1.1 body waits for the
// transport's connection goroutine to put the connection back in the pool,
// and the prefetcher does that wait in the background, so the connection is
// also free sooner for the next request. It delays nothing the caller can
// see: reads still return whatever has arrived, as soon as it has arrived.
//
// HTTP/2 and 3 do not need it: their body reads already hand over everything
// buffered in one call and end without a hand-back. Measured on a small GET,
// reading ahead there gained nothing.
//
// The prefetcher is the body's only reader until it stops: at EOF, at an
// error, or once it has read cap(buf) bytes in total. Reads take the buffered
// bytes first and then read the body directly, as they did before.

const (
	// prefetchMax caps the buffer when the body length is known.
	prefetchMax = 64 << 10
	// prefetchUnknown is the buffer for a body of unknown length (chunked
	// HTTP/1.1, HTTP/2 without content-length).
	prefetchUnknown = 16 << 10
)

type prefetch struct {
	mu     sync.Mutex
	buf    []byte // the prefetcher writes buf[filled:]; reads take buf[taken:filled]
	filled int
	taken  int
	err    error         // what ended the prefetch: io.EOF, a read error, or nil (buffer full)
	done   bool          // the prefetcher has returned; the body is free for direct reads
	wake   chan struct{} // closed (and replaced) whenever filled or done changes
}

// prefetchSize is the buffer for a body of the given Content-Length (-1 if
// unknown); 0 means no prefetch. One spare byte lets a body of known length
// also read its end (HTTP/2 reports EOF on the read after the last byte).
func prefetchSize(contentLength int64) int {
	switch {
	case contentLength == 0:
		return 0 // nothing to read ahead: the first read ends the body at once
	case contentLength < 0:
		return prefetchUnknown
	case contentLength >= prefetchMax:
		return prefetchMax
	default:
		return int(contentLength) + 1
	}
}

func newPrefetch(size int) *prefetch {
	return &prefetch{buf: make([]byte, size), wake: make(chan struct{})}
}

// run reads body into the buffer until EOF, an error or a full buffer. It
// never holds the lock while reading, so the buffered part stays available.
func (pf *prefetch) run(body io.Reader) {
	filled, empty := 0, 0
	for {
		var (
			n   int
			err error
		)
		if filled == len(pf.buf) {
			pf.publish(0, nil, true)
			return
		}
		n, err = body.Read(pf.buf[filled:])
		filled += n
		if n == 0 && err == nil {
			if empty++; empty >= maxEmptyReads {
				err = io.ErrNoProgress
			}
		} else {
			empty = 0
		}
		if err != nil {
			pf.publish(n, err, true)
			return
		}
		if n > 0 {
			pf.publish(n, nil, false)
		}
	}
}

func (pf *prefetch) publish(n int, err error, done bool) {
	pf.mu.Lock()
	pf.filled += n
	if done {
		pf.err, pf.done = err, true
	}
	close(pf.wake)
	pf.wake = make(chan struct{})
	pf.mu.Unlock()
}

// take copies buffered bytes into p. When none are buffered it returns the
// channel to wait on, or, once the prefetcher has stopped, done = true with
// what stopped it.
func (pf *prefetch) take(p []byte) (n int, wait <-chan struct{}, done bool, err error) {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if pf.taken < pf.filled {
		n = copy(p, pf.buf[pf.taken:pf.filled])
		pf.taken += n
		return n, nil, false, nil
	}
	if pf.done {
		return 0, nil, true, pf.err
	}
	return 0, pf.wake, false, nil
}
