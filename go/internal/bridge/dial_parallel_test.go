package bridge

import (
	"io"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// slowHandshakeListener delays the first read of every accepted conn, so each
// TLS handshake takes at least delay (like a distant server).
type slowHandshakeListener struct {
	net.Listener
	delay time.Duration
}

func (l slowHandshakeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &slowFirstRead{Conn: c, delay: l.delay}, nil
}

type slowFirstRead struct {
	net.Conn
	delay time.Duration
	once  sync.Once
}

func (c *slowFirstRead) Read(p []byte) (int, error) {
	c.once.Do(func() { time.Sleep(c.delay) })
	return c.Conn.Read(p)
}

// newSlowHandshakeServer answers "ok" after handlerDelay; h2 selects HTTP/2.
func newSlowHandshakeServer(t *testing.T, delay time.Duration, h2 bool, handlerDelay time.Duration) *testServer {
	t.Helper()
	srv := httptest.NewUnstartedServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		time.Sleep(handlerDelay)
		io.WriteString(w, "ok")
	}))
	ts := &testServer{Server: srv}
	srv.Config.ConnState = func(_ net.Conn, st nethttp.ConnState) { ts.countConn(st) }
	srv.EnableHTTP2 = h2
	srv.Listener = slowHandshakeListener{Listener: srv.Listener, delay: delay}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return ts
}

// concurrently runs one request per URL at once and fails on any error.
func concurrently(t *testing.T, sess uint64, urls []string) {
	t.Helper()
	var wg sync.WaitGroup
	results := make([]result, len(urls))
	for i, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = roundTrip(t, sess, RequestMeta{URL: u}, nil)
		}()
	}
	wg.Wait()
	for _, res := range results {
		mustOK(t, res)
	}
}

// Connections to different hosts are dialled in parallel: tls-client dials
// under one lock per client, so the session keeps one client per host.
func TestDialsToDifferentHostsRunInParallel(t *testing.T) {
	const hosts, delay = 4, 300 * time.Millisecond
	sess := newTestSession(t, SessionConfig{InsecureSkipVerify: true})
	var urls []string
	for i := 0; i < hosts; i++ {
		urls = append(urls, newSlowHandshakeServer(t, delay, true, 0).URL)
	}
	took := within(t, time.Duration(hosts)*delay*3/4, func() { concurrently(t, sess, urls) })
	t.Logf("%d hosts with a %v handshake each: %v", hosts, delay, took)
}

// A burst to one HTTP/1.1 origin opens maxClientsPerOrigin connections at a
// time, not one: each request in flight needs a connection of its own.
func TestHTTP1BurstOpensConnectionsInParallel(t *testing.T) {
	const n, delay, work = 12, 200 * time.Millisecond, 300 * time.Millisecond
	srv := newSlowHandshakeServer(t, delay, false, work)
	sess := newTestSession(t, SessionConfig{InsecureSkipVerify: true})
	urls := make([]string, n)
	for i := range urls {
		urls[i] = srv.URL
	}
	// One at a time: n*delay + work = 2.7 s; 6 at a time: about 2*delay + work = 0.7 s.
	took := within(t, n*delay*2/3, func() { concurrently(t, sess, urls) })
	t.Logf("%d requests, %v handshake, %v handler: %v, %d connections", n, delay, work, took, srv.conns.Load())
	if c := srv.conns.Load(); c != n {
		t.Fatalf("%d connections, want %d", c, n)
	}
	s, _ := sessions.get(sess)
	if c := clientCount(s); c != maxClientsPerOrigin {
		t.Fatalf("%d clients, want %d", c, maxClientsPerOrigin)
	}
}

// A burst to a new HTTP/2 origin waits for the first connection and shares
// it, as a browser does, instead of opening one connection per request.
func TestHTTP2BurstSharesTheFirstConnection(t *testing.T) {
	const n = 12
	srv := newSlowHandshakeServer(t, 200*time.Millisecond, true, 100*time.Millisecond)
	sess := newTestSession(t, SessionConfig{InsecureSkipVerify: true})
	urls := make([]string, n)
	for i := range urls {
		urls[i] = srv.URL
	}
	concurrently(t, sess, urls)
	if c := srv.conns.Load(); c != 1 {
		t.Fatalf("%d connections for %d concurrent HTTP/2 requests, want 1", c, n)
	}
}

// A request waiting for its origin's first connection can still be
// cancelled, and the origin is probed again after a failed first connection.
func TestWaitingForTheFirstConnection(t *testing.T) {
	hung := "https://" + blackhole(t)
	sess := newTestSession(t, SessionConfig{InsecureSkipVerify: true})
	probe, err := start(t, sess, RequestMeta{URL: hung, Timeout: &Timeouts{Connect: secs(0.5)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer CloseRequest(probe)
	waiting, err := start(t, sess, RequestMeta{URL: hung}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer CloseRequest(waiting)
	time.Sleep(100 * time.Millisecond)
	within(t, time.Second, func() {
		CancelRequest(waiting)
		_, werr := WaitRequest(waiting)
		wantKind(t, asError(werr), KindCancelled)
	})
	// The probe times out; a later request to the origin becomes the next probe.
	_, perr := WaitRequest(probe)
	wantKind(t, asError(perr), KindConnectTimeout)
	next := roundTrip(t, sess, RequestMeta{URL: hung, Timeout: &Timeouts{Connect: secs(0.3)}}, nil)
	wantKind(t, next.err, KindConnectTimeout)
}

// A host whose handshake never completes does not hold up requests to others.
func TestHangingHandshakeDoesNotBlockOtherHosts(t *testing.T) {
	hung := blackhole(t)
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) { io.WriteString(w, "ok") })
	sess := trustSession(t, srv.caPEM)
	done := make(chan result, 1)
	go func() {
		done <- roundTrip(t, sess, RequestMeta{URL: "https://" + hung, Timeout: &Timeouts{Connect: secs(3)}}, nil)
	}()
	time.Sleep(100 * time.Millisecond) // the hung dial holds its client's lock now
	within(t, time.Second, func() { mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL}, nil)) })
	wantKind(t, (<-done).err, KindConnectTimeout)
}

// Past maxIdleClients idle clients, the least recently used one is closed
// with its connections; clients in use are never evicted.
func TestIdleClientsAreEvictedLeastRecentlyUsedFirst(t *testing.T) {
	defer func(n int) { maxIdleClients = n }(maxIdleClients)
	maxIdleClients = 2
	var servers []*testServer
	for i := 0; i < 4; i++ {
		servers = append(servers, newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) {
			io.WriteString(w, "ok")
		}))
	}
	sess := newTestSession(t, SessionConfig{InsecureSkipVerify: true})
	s, _ := sessions.get(sess)
	held, serr := start(t, sess, RequestMeta{URL: servers[0].URL}, nil) // stays open: in use
	if serr != nil {
		t.Fatal(serr)
	}
	defer CloseRequest(held)
	finishRequest(t, held)
	for _, srv := range servers[1:] {
		mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL}, nil))
	}
	// Idle: servers 1, 2, 3 -> the oldest (1) was evicted when 3's client was made.
	servers[1].waitNoOpenConns(t)
	for _, i := range []int{0, 2, 3} {
		if servers[i].open.Load() != 1 {
			t.Fatalf("server %d: %d open connections, want 1", i, servers[i].open.Load())
		}
	}
	n := clientCount(s)
	if n != 3 {
		t.Fatalf("%d clients, want 3 (1 in use + 2 idle)", n)
	}
	// A request to an evicted origin simply gets a new client.
	mustOK(t, roundTrip(t, sess, RequestMeta{URL: servers[1].URL}, nil))
}
