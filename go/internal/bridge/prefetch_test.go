package bridge

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	nethttp "net/http"
	"strconv"
	"testing"
	"time"
)

// Bodies of every size around the prefetch buffer's limits arrive byte for
// byte, with and without a Content-Length, whatever the read buffer size.
func TestPrefetchedBodiesAreExact(t *testing.T) {
	sizes := []int{1, 100, prefetchUnknown - 1, prefetchUnknown, prefetchUnknown + 1,
		prefetchMax - 1, prefetchMax, prefetchMax + 1, 300 << 10}
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
				n, _ := strconv.Atoi(r.URL.Query().Get("n"))
				body := patternBody(n)
				if r.URL.Query().Get("chunked") == "" {
					w.Header().Set("Content-Length", strconv.Itoa(n))
				}
				for off := 0; off < n; off += 5000 { // several writes, flushed
					w.Write(body[off:min(off+5000, n)])
					w.(nethttp.Flusher).Flush()
				}
			})
			sess := trustSession(t, srv.caPEM)
			for _, size := range sizes {
				for _, chunked := range []string{"", "1"} {
					for _, bufSize := range []int{7, 256 << 10} {
						name := fmt.Sprintf("size=%d chunked=%q buf=%d", size, chunked, bufSize)
						h, err := start(t, sess, RequestMeta{URL: fmt.Sprintf("%s/?n=%d&chunked=%s", srv.URL, size, chunked)}, nil)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						got, rerr := readAll(h, bufSize)
						CloseRequest(h)
						if rerr != nil {
							t.Fatalf("%s: %v", name, rerr)
						}
						if !bytes.Equal(got, patternBody(size)) {
							t.Fatalf("%s: got %d bytes, or different bytes", name, len(got))
						}
					}
				}
			}
			if p.name == "http1" && srv.conns.Load() != 1 {
				t.Errorf("%d connections: bodies read to the end must return theirs to the pool", srv.conns.Load())
			}
		})
	}
	waitNoHandles(t)
}

// A small HTTP/1.1 body is read ahead as soon as the head arrives: before
// any ReadResponse call it is in memory, its end included, and the first read
// returns it all. HTTP/2 bodies are read directly.
func TestSmallBodyIsReadAheadWithTheHead(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
				io.WriteString(w, `{"small": "body"}`)
			})
			sess := trustSession(t, srv.caPEM)
			h, err := start(t, sess, RequestMeta{URL: srv.URL}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer CloseRequest(h)
			if _, err := WaitRequest(h); err != nil {
				t.Fatal(err)
			}
			r, _ := requests.get(h)
			if p.h2 != (r.pf == nil) {
				t.Fatalf("prefetch = %v for %s", r.pf != nil, p.name)
			}
			deadline := time.Now().Add(5 * time.Second)
			for r.pf != nil {
				r.pf.mu.Lock()
				done, filled, perr := r.pf.done, r.pf.filled, r.pf.err
				r.pf.mu.Unlock()
				if done {
					if perr != io.EOF || filled != len(`{"small": "body"}`) {
						t.Fatalf("prefetch ended with %d bytes, %v", filled, perr)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the body was not read ahead")
				}
				time.Sleep(time.Millisecond)
			}
			buf := make([]byte, 1024)
			n, rerr := ReadResponse(h, buf)
			if rerr != nil || string(buf[:n]) != `{"small": "body"}` {
				t.Fatalf("read %q %v", buf[:n], rerr)
			}
			if n, rerr := ReadResponse(h, buf); n != 0 || rerr != nil {
				t.Fatalf("end: %d %v", n, rerr)
			}
		})
	}
}

// Reading ahead never delays data: with the prefetcher blocked waiting for
// the rest of a body (known length or not), what has arrived is returned at
// once, and each later chunk as soon as it arrives.
func TestDripIsDeliveredPromptly(t *testing.T) {
	for _, p := range protocols {
		for _, length := range []string{"", "21"} {
			t.Run(fmt.Sprintf("%s/content-length=%q", p.name, length), func(t *testing.T) {
				step := make(chan struct{})
				srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
					if length != "" {
						w.Header().Set("Content-Length", length)
					}
					for i := 0; i < 3; i++ {
						select {
						case <-step:
						case <-time.After(10 * time.Second):
							return
						}
						fmt.Fprintf(w, "chunk%d", i)
						if i == 2 {
							io.WriteString(w, "!!!")
						}
						w.(nethttp.Flusher).Flush()
					}
				})
				sess := trustSession(t, srv.caPEM)
				h, err := start(t, sess, RequestMeta{URL: srv.URL, Timeout: &Timeouts{Read: secs(5)}}, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer CloseRequest(h)
				step <- struct{}{} // the head goes with the first chunk
				if _, err := WaitRequest(h); err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, 256<<10)
				var got []byte
				for i := 0; i < 3; i++ {
					if i > 0 {
						step <- struct{}{}
					}
					var (
						n    int
						rerr error
					)
					within(t, 2*time.Second, func() { n, rerr = ReadResponse(h, buf) })
					if rerr != nil || n == 0 {
						t.Fatalf("chunk %d: %d %v", i, n, rerr)
					}
					got = append(got, buf[:n]...)
					if i < 2 && string(got) != "chunk0chunk1"[:6*(i+1)] {
						t.Fatalf("after chunk %d: %q", i, got)
					}
				}
				rest, rerr := readAll(h, len(buf))
				if rerr != nil || string(got)+string(rest) != "chunk0chunk1chunk2!!!" {
					t.Fatalf("body %q%q %v", got, rest, rerr)
				}
			})
		}
	}
}

// Closing a request while the prefetcher waits for more of the body ends it:
// the server sees the client go away, and no handle is left.
func TestCloseWhilePrefetching(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			gone := make(chan struct{})
			srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
				io.WriteString(w, "first")
				w.(nethttp.Flusher).Flush()
				select {
				case <-r.Context().Done():
					close(gone)
				case <-time.After(10 * time.Second):
				}
			})
			sess := trustSession(t, srv.caPEM)
			h, err := start(t, sess, RequestMeta{URL: srv.URL}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := WaitRequest(h); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond) // let the prefetcher block on the rest
			if err := CloseRequest(h); err != nil {
				t.Fatal(err)
			}
			select {
			case <-gone:
			case <-time.After(5 * time.Second):
				t.Fatal("the server did not see the request end")
			}
			if n := requests.count(); n != 0 {
				t.Fatalf("%d request handles left", n)
			}
		})
	}
}

func TestPrefetchSize(t *testing.T) {
	for _, c := range []struct {
		cl   int64
		want int
	}{{0, 0}, {-1, prefetchUnknown}, {1, 2}, {prefetchMax - 1, prefetchMax}, {prefetchMax, prefetchMax}, {1 << 40, prefetchMax}} {
		if got := prefetchSize(c.cl); got != c.want {
			t.Errorf("prefetchSize(%d) = %d, want %d", c.cl, got, c.want)
		}
	}
}

func readAll(h uint64, bufSize int) ([]byte, error) {
	if _, err := WaitRequest(h); err != nil {
		return nil, err
	}
	var out []byte
	buf := make([]byte, bufSize)
	for {
		n, err := ReadResponse(h, buf)
		if err != nil {
			return out, err
		}
		if n == 0 {
			return out, nil
		}
		out = append(out, buf[:n]...)
	}
}

func patternBody(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	return b
}
