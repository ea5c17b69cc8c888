package bridge

import (
	"io"
	"sync"
)

// bodyPipe carries a streamed request body from tlsr_request_write to the
// transport. It behaves like io.Pipe (Write returns once readers consumed
// all of p; closing either side ends the other), but a Read copies straight
// from the chunk being written without a rendezvous with the writer: the
// writer, a caller's thread blocked in tlsr_request_write, is woken once per
// chunk instead of once per transport read (HTTP/1.1 reads 32 KiB at a time).
//
// The chunk may be C memory: it is only touched under mu, and Write forgets
// it before returning, so no pointer to it outlives the call.
type bodyPipe struct {
	mu    sync.Mutex
	cond  sync.Cond
	chunk []byte // unread rest of the chunk being written
	werr  error  // the write side closed: reads return it (io.EOF for a normal end)
	rerr  error  // the read side closed: writes return it
}

func newBodyPipe() *bodyPipe {
	p := &bodyPipe{}
	p.cond.L = &p.mu
	return p
}

// Read reads from the chunk being written, waiting for one if there is none.
func (p *bodyPipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		switch {
		case p.rerr != nil:
			return 0, io.ErrClosedPipe
		case len(p.chunk) > 0:
			n := copy(b, p.chunk)
			p.chunk = p.chunk[n:]
			if len(p.chunk) == 0 {
				p.cond.Broadcast() // the writer may return
			}
			return n, nil
		case p.werr != nil:
			return 0, p.werr
		}
		p.cond.Wait()
	}
}

// Write hands b to the readers and blocks until they consumed all of it or
// the read side closed.
func (p *bodyPipe) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.rerr != nil:
		return 0, p.rerr
	case p.werr != nil:
		return 0, io.ErrClosedPipe
	case len(b) == 0:
		return 0, nil
	}
	p.chunk = b
	p.cond.Broadcast()
	for len(p.chunk) > 0 && p.rerr == nil {
		p.cond.Wait()
	}
	n := len(b) - len(p.chunk)
	p.chunk = nil // never keep the caller's memory past this call
	if n < len(b) {
		return n, p.rerr
	}
	return n, nil
}

// CloseRead closes the read side: pending and later writes fail with err
// (io.ErrClosedPipe if nil). The first close wins.
func (p *bodyPipe) CloseRead(err error) {
	if err == nil {
		err = io.ErrClosedPipe
	}
	p.closeSide(&p.rerr, err)
}

// CloseWrite closes the write side: reads return err (io.EOF if nil) once
// the current chunk is consumed. The first close wins.
func (p *bodyPipe) CloseWrite(err error) {
	if err == nil {
		err = io.EOF
	}
	p.closeSide(&p.werr, err)
}

// closeSide records err in side (p.rerr or p.werr) unless it is already set,
// and wakes both sides.
func (p *bodyPipe) closeSide(side *error, err error) {
	p.mu.Lock()
	if *side == nil {
		*side = err
	}
	p.cond.Broadcast()
	p.mu.Unlock()
}

// pipeReader is the transport's side of a bodyPipe.
type pipeReader struct{ p *bodyPipe }

func (r pipeReader) Read(b []byte) (int, error) { return r.p.Read(b) }

func (r pipeReader) Close() error {
	r.p.CloseRead(nil)
	return nil
}
