package bridge

import (
	"errors"
	"io"
	"net"
	nethttp "net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// elapsed fails the test if fn took longer than max.
func within(t *testing.T, max time.Duration, fn func()) time.Duration {
	t.Helper()
	start := time.Now()
	fn()
	d := time.Since(start)
	if d > max {
		t.Fatalf("took %v, want at most %v", d, max)
	}
	return d
}

// blackhole accepts TCP connections and never says anything.
func blackhole(t *testing.T) string {
	ln := listen(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	return ln.Addr().String()
}

func TestConnectTimeoutDuringTLSHandshake(t *testing.T) {
	addr := blackhole(t)
	sess := newTestSession(t, SessionConfig{})
	var res result
	d := within(t, 3*time.Second, func() {
		res = roundTrip(t, sess, RequestMeta{URL: "https://" + addr + "/", Timeout: &Timeouts{Connect: secs(0.2)}}, nil)
	})
	wantKind(t, res.err, KindConnectTimeout)
	if d < 150*time.Millisecond {
		t.Fatalf("sub-second timeout fired after only %v", d)
	}
	// The client must still be usable: the next connect attempt times out too
	// instead of waiting behind a stuck handshake.
	within(t, 3*time.Second, func() {
		res = roundTrip(t, sess, RequestMeta{URL: "https://" + addr + "/", Timeout: &Timeouts{Connect: secs(0.2)}}, nil)
	})
	wantKind(t, res.err, KindConnectTimeout)
}

func TestConnectRefused(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	sess := newTestSession(t, SessionConfig{})
	for _, scheme := range []string{"http", "https"} {
		res := roundTrip(t, sess, RequestMeta{URL: scheme + "://" + addr + "/", Timeout: &Timeouts{Connect: secs(2)}}, nil)
		wantKind(t, res.err, KindConnect)
	}
}

func TestReadTimeoutWaitingForHead(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
				if r.URL.Path == "/slow" {
					<-release
				}
				io.WriteString(w, "ok")
			})
			defer close(release)
			sess := trustSession(t, srv.caPEM)
			// Warm the connection so the timeout measures only the read phase.
			mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL}, nil))
			var res result
			within(t, 3*time.Second, func() {
				res = roundTrip(t, sess, RequestMeta{URL: srv.URL + "/slow", Timeout: &Timeouts{Connect: secs(5), Read: secs(0.2)}}, nil)
			})
			wantKind(t, res.err, KindReadTimeout)
		})
	}
}

func TestReadTimeoutDuringBody(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
				io.WriteString(w, "first")
				w.(nethttp.Flusher).Flush()
				<-release
			})
			defer close(release)
			sess := trustSession(t, srv.caPEM)
			h, err := start(t, sess, RequestMeta{URL: srv.URL, Timeout: &Timeouts{Read: secs(0.3)}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer CloseRequest(h)
			if _, err := WaitRequest(h); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			n, rerr := ReadResponse(h, buf)
			if rerr != nil || string(buf[:n]) != "first" {
				t.Fatalf("first read: %q %v", buf[:n], rerr)
			}
			within(t, 3*time.Second, func() { _, rerr = ReadResponse(h, buf) })
			wantKind(t, asError(rerr), KindReadTimeout)
		})
	}
}

func TestWriteTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := newTLSServer(t, false, func(w nethttp.ResponseWriter, r *nethttp.Request) {
		<-release // never reads the body
	})
	defer close(release)
	sess := trustSession(t, srv.caPEM)
	h, serr := start(t, sess, RequestMeta{Method: "POST", URL: srv.URL, StreamBody: true,
		Timeout: &Timeouts{Write: secs(0.3)}}, nil)
	if serr != nil {
		t.Fatal(serr)
	}
	defer CloseRequest(h)
	chunk := make([]byte, 256<<10)
	var err error
	within(t, 20*time.Second, func() {
		for i := 0; i < 4096 && err == nil; i++ { // up to 1 GiB: far beyond socket buffers
			err = WriteRequest(h, chunk)
		}
	})
	wantKind(t, asError(err), KindWriteTimeout)
	_, err = WaitRequest(h)
	wantKind(t, asError(err), KindWriteTimeout)
}

// A slow producer of a streamed body is not a write timeout.
func TestSlowStreamedBodyIsNotAWriteTimeout(t *testing.T) {
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	})
	sess := trustSession(t, srv.caPEM)
	h, serr := start(t, sess, RequestMeta{Method: "POST", URL: srv.URL, StreamBody: true,
		Timeout: &Timeouts{Write: secs(0.1), Read: secs(5)}}, nil)
	if serr != nil {
		t.Fatal(serr)
	}
	defer CloseRequest(h)
	for _, c := range []string{"a", "b", "c"} {
		if err := WriteRequest(h, []byte(c)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	CloseRequestBody(h)
	res := mustOK(t, finishRequest(t, h))
	if string(res.body) != "abc" {
		t.Fatalf("body %q", res.body)
	}
}

func TestCancelUnblocksWaitReadAndWrite(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) {
		switch r.URL.Path {
		case "/body":
			io.WriteString(w, "x")
			w.(nethttp.Flusher).Flush()
		case "/upload":
			w.WriteHeader(200)
			w.(nethttp.Flusher).Flush()
		}
		<-release
	})
	sess := trustSession(t, srv.caPEM)
	cancelSoon := func(h uint64) {
		go func() {
			time.Sleep(150 * time.Millisecond)
			CancelRequest(h)
		}()
	}

	t.Run("wait", func(t *testing.T) {
		h, _ := start(t, sess, RequestMeta{URL: srv.URL + "/head"}, nil)
		defer CloseRequest(h)
		cancelSoon(h)
		var err error
		within(t, 2*time.Second, func() { _, err = WaitRequest(h) })
		wantKind(t, asError(err), KindCancelled)
	})
	t.Run("read", func(t *testing.T) {
		h, _ := start(t, sess, RequestMeta{URL: srv.URL + "/body"}, nil)
		defer CloseRequest(h)
		if _, err := WaitRequest(h); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8)
		if n, err := ReadResponse(h, buf); n != 1 || err != nil {
			t.Fatalf("first read %d %v", n, err)
		}
		cancelSoon(h)
		var err error
		within(t, 2*time.Second, func() { _, err = ReadResponse(h, buf) })
		wantKind(t, asError(err), KindCancelled)
	})
	t.Run("write", func(t *testing.T) {
		h, _ := start(t, sess, RequestMeta{Method: "POST", URL: srv.URL + "/upload", StreamBody: true}, nil)
		defer CloseRequest(h)
		cancelSoon(h)
		var err error
		chunk := make([]byte, 64<<10)
		within(t, 5*time.Second, func() {
			for err == nil {
				err = WriteRequest(h, chunk)
			}
		})
		wantKind(t, asError(err), KindCancelled)
	})
	t.Run("before start of wait", func(t *testing.T) {
		h, _ := start(t, sess, RequestMeta{URL: srv.URL + "/head"}, nil)
		CancelRequest(h)
		_, err := WaitRequest(h)
		wantKind(t, asError(err), KindCancelled)
		if err := CloseRequest(h); err != nil {
			t.Fatal(err)
		}
		CancelRequest(h) // no-op on a closed handle
	})
}

func TestSessionCloseCancelsInflight(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) { <-release })
	b := []byte(`{"client_identifier":"` + testProfile + `","root_ca_pem":` + quoteJSON(srv.caPEM) + `}`)
	sess, err := NewSession(b)
	if err != nil {
		t.Fatal(err)
	}
	var hs []uint64
	for i := 0; i < 3; i++ {
		h, err := start(t, sess, RequestMeta{URL: srv.URL}, nil)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(hs))
	for i, h := range hs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = WaitRequest(h)
		}()
	}
	time.Sleep(100 * time.Millisecond)
	within(t, 2*time.Second, func() {
		if err := CloseSession(sess); err != nil {
			t.Error(err)
		}
		wg.Wait()
	})
	for _, err := range errs {
		wantKind(t, asError(err), KindCancelled)
	}
	_, serr := start(t, sess, RequestMeta{URL: srv.URL}, nil)
	wantKind(t, serr, KindInvalidHandle)
	wantKind(t, asError(CloseSession(sess)), KindInvalidHandle)
	for _, h := range hs {
		if err := CloseRequest(h); err != nil {
			t.Fatal(err)
		}
		wantKind(t, asError(CloseRequest(h)), KindInvalidHandle)
	}
	waitNoHandles(t)
}

func TestInvalidHandles(t *testing.T) {
	for name, err := range map[string]error{
		"session_close": CloseSession(0),
		"write":         WriteRequest(12345678, []byte("x")),
		"write_close":   CloseRequestBody(12345678),
		"close":         CloseRequest(0),
		"wait":          second(WaitRequest(12345678)),
		"read":          second(ReadResponse(12345678, make([]byte, 1))),
		"start":         second(StartRequest(12345678, []byte(`{"method":"GET","url":"http://x"}`), nil)),
	} {
		t.Run(name, func(t *testing.T) { wantKind(t, asError(err), KindInvalidHandle) })
	}
	CancelRequest(12345678) // must not panic or block
}

func second[T any](_ T, err error) error { return err }

func quoteJSON(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// tls-client's HTTP/2 transport re-dials with context.Background(); the
// dialer's conn deadline must still bound that handshake, or a stuck dial
// would hold the client's dial lock forever.
func TestHTTP2RedialHonoursConnectTimeout(t *testing.T) {
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) { io.WriteString(w, "ok") })
	target := strings.TrimPrefix(srv.URL, "https://")
	var (
		mu      sync.Mutex
		first   net.Conn
		n       int
		stuckAt = make(chan time.Time, 8)
	)
	front := listen(t, func(c net.Conn) {
		mu.Lock()
		n++
		isFirst := n == 1
		if isFirst {
			first = c
		}
		mu.Unlock()
		if !isFirst { // later connections: accept, never answer
			start := time.Now()
			io.Copy(io.Discard, c)
			stuckAt <- start
			return
		}
		up, err := net.Dial("tcp", target)
		if err != nil {
			return
		}
		defer up.Close()
		go io.Copy(up, c)
		io.Copy(c, up)
	})
	url := "https://" + front.Addr().String()
	sess := trustSession(t, srv.caPEM)
	mustOK(t, roundTrip(t, sess, RequestMeta{URL: url, Timeout: &Timeouts{Connect: secs(0.3)}}, nil))
	mu.Lock()
	first.Close()
	mu.Unlock()
	time.Sleep(100 * time.Millisecond) // let the client notice the dead connection

	var res result
	within(t, 3*time.Second, func() {
		res = roundTrip(t, sess, RequestMeta{URL: url, Timeout: &Timeouts{Connect: secs(0.3)}}, nil)
	})
	wantKind(t, res.err, KindConnectTimeout)
	select {
	case <-stuckAt: // the client gave up on the stuck handshake and closed it
	case <-time.After(3 * time.Second):
		t.Fatal("the background HTTP/2 dial was never abandoned")
	}
}

// The connect deadline put on a new conn must be gone once it is in use: a
// slow response and a later reuse of the idle conn must still work.
func TestConnectDeadlineDoesNotOutliveConnect(t *testing.T) {
	slow := func(w nethttp.ResponseWriter, r *nethttp.Request) {
		time.Sleep(400 * time.Millisecond)
		io.WriteString(w, "late")
	}
	servers := map[string]*testServer{
		"http":   newHTTPServer(t, slow),
		"https1": newTLSServer(t, false, slow),
		"https2": newTLSServer(t, true, slow),
	}
	for name, srv := range servers {
		t.Run(name, func(t *testing.T) {
			sess := newTestSession(t, SessionConfig{RootCAPEM: srv.caPEM})
			meta := RequestMeta{URL: srv.URL, Timeout: &Timeouts{Connect: secs(0.15), Read: secs(5)}}
			for i := 0; i < 2; i++ {
				res := mustOK(t, roundTrip(t, sess, meta, nil))
				if string(res.body) != "late" {
					t.Fatalf("body %q", res.body)
				}
			}
			if n := srv.conns.Load(); n != 1 {
				t.Fatalf("%d connections, want 1", n)
			}
		})
	}
}

// WaitRequestFor waits at most its slice, then reports ErrPending; waiting
// again picks up the same request.
func TestWaitRequestForWaitsInSlices(t *testing.T) {
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) {
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "late")
	})
	sess := trustSession(t, srv.caPEM)
	h, serr := start(t, sess, RequestMeta{URL: srv.URL}, nil)
	if serr != nil {
		t.Fatal(serr)
	}
	defer CloseRequest(h)
	pending := 0
	for {
		var meta []byte
		var err error
		took := within(t, time.Second, func() { meta, err = WaitRequestFor(h, 50*time.Millisecond) })
		if errors.Is(err, ErrPending) {
			pending++
			if took < 40*time.Millisecond {
				t.Fatalf("a 50 ms slice returned after %v", took)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(meta) == 0 {
			t.Fatal("no ResponseMeta")
		}
		break
	}
	if pending < 3 {
		t.Fatalf("%d pending slices for a 300 ms response, want at least 3", pending)
	}
	// Once the head is there, a zero slice returns it at once.
	if _, err := WaitRequestFor(h, 0); err != nil {
		t.Fatal(err)
	}
}
