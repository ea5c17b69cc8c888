package bridge

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"testing"
	"time"
)

// Every byte written arrives once and in order, whatever the read sizes.
func TestBodyPipeTransfersExactly(t *testing.T) {
	for _, readSize := range []int{1, 7, 32 << 10, 1 << 20} {
		p := newBodyPipe()
		size := 3<<20 + 5
		if readSize < 100 {
			size = 64<<10 + 5 // byte-sized reads are slow under -race
		}
		want := make([]byte, size)
		rand.New(rand.NewSource(1)).Read(want)
		done := make(chan error, 1)
		go func() {
			for off, size := 0, 1; off < len(want); off, size = off+size, size*3+1 {
				end := min(off+size, len(want))
				if n, err := p.Write(want[off:end]); err != nil || n != end-off {
					done <- err
					return
				}
			}
			p.CloseWrite(nil)
			done <- nil
		}()
		var got bytes.Buffer
		buf := make([]byte, readSize)
		for {
			n, err := p.Read(buf)
			got.Write(buf[:n])
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("read: %v", err)
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("write: %v", err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("read size %d: %d bytes arrived, want %d, or different bytes", readSize, got.Len(), len(want))
		}
	}
}

// Write returns only once its chunk was read, and then holds no reference to
// it: the caller may reuse (or free) the memory at once.
func TestBodyPipeWriteReturnsWhenConsumed(t *testing.T) {
	p := newBodyPipe()
	chunk := []byte("0123456789")
	returned := make(chan struct{})
	go func() {
		p.Write(chunk)
		close(returned)
	}()
	buf := make([]byte, 4)
	for read := 0; read < len(chunk); {
		select {
		case <-returned:
			t.Fatalf("Write returned after %d of %d bytes were read", read, len(chunk))
		default:
		}
		n, err := p.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		read += n
	}
	<-returned
	p.mu.Lock()
	kept := p.chunk
	p.mu.Unlock()
	if kept != nil {
		t.Fatal("the pipe kept a reference to the written chunk")
	}
	copy(chunk, "xxxxxxxxxx") // the caller's to change now
	p.CloseWrite(nil)
	if n, err := p.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("after the end: %d %v", n, err)
	}
}

// Closing the read side (the transport gave up, or a cancel) ends a blocked
// Write with the cause, and every later one.
func TestBodyPipeCloseReadUnblocksWrite(t *testing.T) {
	p := newBodyPipe()
	cause := errors.New("cause")
	go func() {
		time.Sleep(50 * time.Millisecond)
		p.CloseRead(cause)
	}()
	var (
		n   int
		err error
	)
	within(t, 2*time.Second, func() { n, err = p.Write(make([]byte, 100)) })
	if n != 0 || err != cause {
		t.Fatalf("blocked write: %d %v", n, err)
	}
	if _, err := p.Write([]byte("x")); err != cause {
		t.Fatalf("later write: %v", err)
	}
	if _, err := p.Read(make([]byte, 1)); err != io.ErrClosedPipe {
		t.Fatalf("read after CloseRead: %v", err)
	}
	p2 := newBodyPipe()
	p2.CloseRead(nil)
	if _, err := p2.Write([]byte("x")); err != io.ErrClosedPipe {
		t.Fatalf("write after CloseRead(nil): %v", err)
	}
}

// Closing the write side ends reads with EOF (or the given error) and fails
// later writes; a blocked Read wakes up.
func TestBodyPipeCloseWrite(t *testing.T) {
	p := newBodyPipe()
	go func() {
		time.Sleep(50 * time.Millisecond)
		p.CloseWrite(nil)
	}()
	var err error
	within(t, 2*time.Second, func() { _, err = p.Read(make([]byte, 8)) })
	if err != io.EOF {
		t.Fatalf("blocked read: %v", err)
	}
	if _, err := p.Write([]byte("x")); err != io.ErrClosedPipe {
		t.Fatalf("write after CloseWrite: %v", err)
	}
	if n, err := p.Write(nil); n != 0 || err != io.ErrClosedPipe {
		t.Fatalf("empty write after CloseWrite: %d %v", n, err)
	}
	p2 := newBodyPipe()
	p2.CloseWrite(errRequestClosed)
	p2.CloseWrite(nil) // the first close wins
	if _, err := p2.Read(make([]byte, 8)); err != errRequestClosed {
		t.Fatalf("read after CloseWrite(err): %v", err)
	}
}
