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

func newSlowHandshakeServer(t *testing.T, delay time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		io.WriteString(w, "ok")
	}))
	srv.EnableHTTP2 = true
	srv.Listener = slowHandshakeListener{Listener: srv.Listener, delay: delay}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// Connections to different hosts are dialled in parallel: tls-client dials
// under one lock per client, so the session keeps one client per host.
func TestDialsToDifferentHostsRunInParallel(t *testing.T) {
	const hosts, delay = 4, 300 * time.Millisecond
	sess := newTestSession(t, SessionConfig{InsecureSkipVerify: true})
	var urls []string
	for i := 0; i < hosts; i++ {
		urls = append(urls, newSlowHandshakeServer(t, delay).URL)
	}
	var wg sync.WaitGroup
	results := make([]result, hosts)
	took := within(t, time.Duration(hosts)*delay*3/4, func() {
		for i, u := range urls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = roundTrip(t, sess, RequestMeta{URL: u}, nil)
			}()
		}
		wg.Wait()
	})
	for _, res := range results {
		mustOK(t, res)
	}
	t.Logf("%d hosts with a %v handshake each: %v", hosts, delay, took)
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
	s.mu.Lock()
	n := len(s.clients)
	s.mu.Unlock()
	if n != 3 {
		t.Fatalf("%d clients, want 3 (1 in use + 2 idle)", n)
	}
	// A request to an evicted origin simply gets a new client.
	mustOK(t, roundTrip(t, sess, RequestMeta{URL: servers[1].URL}, nil))
}
