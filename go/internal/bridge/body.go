package bridge

import (
	"context"
	"errors"
	"io"
	"net"

	utls "github.com/bogdanfinn/utls"
)

// maxEmptyReads bounds a reader that keeps returning (0, nil).
const maxEmptyReads = 100

// ReadResponse reads up to len(p) bytes of the raw (undecoded) response body
// into p, which may be C memory: it is only used during this call. It returns
// the prefetched bytes first (prefetch.go), then makes at most one underlying
// Read that returns data; (0, nil) means end of body.
func ReadResponse(h uint64, p []byte) (int, error) {
	r, err := lookupRequest(h)
	if err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, newError(KindInvalidConfig, "read buffer capacity must be > 0")
	}
	r.readMu.Lock()
	defer r.readMu.Unlock()
	resp, err := r.awaitHead()
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	bodyless := r.bodyless
	r.mu.Unlock()
	if r.eof || bodyless {
		return 0, nil
	}
	if r.readErr != nil {
		return 0, r.readErr
	}
	r.advance(phaseRead)
	r.bodyT.arm()
	defer r.bodyT.stop()
	if r.pf != nil {
		if n, err, direct := r.readPrefetched(p); !direct {
			return n, err
		}
	}
	for empty := 0; ; empty++ {
		n, err := resp.Body.Read(p)
		if err == nil && n == 0 && empty >= maxEmptyReads {
			err = io.ErrNoProgress
		}
		if err != nil || n > 0 {
			return r.settle(n, err)
		}
	}
}

// readPrefetched serves a read from the prefetch buffer, waiting for the
// prefetcher if the buffer is empty. direct is true when the prefetcher
// stopped with the buffer drained and the body not ended: the caller then
// reads the body itself.
func (r *Request) readPrefetched(p []byte) (n int, err error, direct bool) {
	for {
		n, wait, done, err := r.pf.take(p)
		switch {
		case n > 0:
			return n, nil, false
		case done:
			r.pf = nil // drained: release the buffer
			if err == nil {
				return 0, nil, true
			}
			n, err := r.settle(0, err)
			return n, err, false
		}
		select {
		case <-wait:
		case <-r.ctx.Done():
			// The transport ends the prefetcher's read too; report the cause now.
			r.readErr = classify(r.ctx, context.Cause(r.ctx), phaseRead)
			return 0, r.readErr, false
		}
	}
}

// settle records the outcome of one body read: EOF ends the body, an error
// is kept and reported by every later read (after the data that came with it).
func (r *Request) settle(n int, err error) (int, error) {
	if err == io.EOF {
		r.eof, err = true, nil
	}
	if err != nil {
		r.readErr = classify(r.ctx, err, phaseRead)
		if n > 0 {
			return n, nil // report the error on the next call
		}
		return 0, r.readErr
	}
	return n, nil
}

// lookupStreamingRequest returns an open request started with stream_body,
// with its writeMu locked.
func lookupStreamingRequest(h uint64) (*Request, error) {
	r, err := lookupRequest(h)
	if err != nil {
		return nil, err
	}
	if !r.stream {
		return nil, newError(KindInvalidConfig, "the request was not started with stream_body")
	}
	r.writeMu.Lock()
	return r, nil
}

// WriteRequest streams one chunk of the request body; p may be C memory and
// is not retained: the pipe returns only once the transport copied all of it.
func WriteRequest(h uint64, p []byte) error {
	r, err := lookupStreamingRequest(h)
	if err != nil {
		return err
	}
	defer r.writeMu.Unlock()
	if r.bodyDone {
		return newError(KindInvalidConfig, "the request body was already closed")
	}
	if r.pipe == nil { // content_length 0: there is no body to write
		if len(p) == 0 {
			return nil
		}
		return newError(KindInvalidConfig, "content_length is 0 but body data was written")
	}
	if len(p) == 0 {
		return nil
	}
	if _, err := r.pipe.Write(p); err != nil {
		return r.bodyWriteError(err)
	}
	return nil
}

// CloseRequestBody ends a streamed request body.
func CloseRequestBody(h uint64) error {
	r, err := lookupStreamingRequest(h)
	if err != nil {
		return err
	}
	defer r.writeMu.Unlock()
	if !r.bodyDone && r.pipe != nil {
		r.pipe.CloseWrite(nil)
	}
	r.bodyDone = true
	return nil
}

func (r *Request) bodyWriteError(err error) error {
	if errors.Is(err, io.ErrClosedPipe) && r.ctx.Err() == nil {
		// The transport closed the body: the exchange ended (the server
		// answered or the connection failed) before the body was sent.
		select {
		case <-r.done:
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.err != nil {
				return r.err
			}
		default:
		}
		return newError(KindWrite, "the transport stopped reading the request body")
	}
	return classify(r.ctx, err, phaseWrite)
}

// timedBody is the request body as the transport sees it. Between a Read
// that returned data and the next Read, the transport is writing that data
// to the network, so that is when the write timeout runs; while it waits in
// Read for the caller's next chunk, the timer is off.
type timedBody struct {
	r io.Reader
	c io.Closer // nil for in-memory bodies
	t *deadline
}

func (b *timedBody) Read(p []byte) (int, error) {
	b.t.stop()
	n, err := b.r.Read(p)
	if n > 0 {
		b.t.arm()
	}
	return n, err
}

func (b *timedBody) Close() error {
	if b.c != nil {
		return b.c.Close()
	}
	return nil
}

// negotiated returns the ALPN protocol of a (u)TLS connection, or "".
func negotiated(c net.Conn) string {
	if tc, ok := c.(interface{ ConnectionState() utls.ConnectionState }); ok {
		return tc.ConnectionState().NegotiatedProtocol
	}
	return ""
}
