package bridge

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// connectProxy is a minimal HTTP CONNECT proxy. If auth is set, requests
// without that Proxy-Authorization get 407.
type connectProxy struct {
	addr    string
	tunnels atomic.Int32
	lastUA  atomic.Value
}

func newConnectProxy(t *testing.T, auth string, tlsCert *tls.Certificate) *connectProxy {
	p := &connectProxy{}
	ln := listen(t, func(c net.Conn) {
		if tlsCert != nil {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{*tlsCert}})
			if tc.Handshake() != nil {
				return
			}
			c = tc
		}
		br := bufio.NewReader(c)
		req, err := nethttp.ReadRequest(br)
		if err != nil || req.Method != "CONNECT" {
			return
		}
		p.lastUA.Store(req.Header.Get("User-Agent") + "|" + req.Host)
		if auth != "" && req.Header.Get("Proxy-Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte(auth)) {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
			return
		}
		up, err := net.Dial("tcp", req.Host)
		if err != nil {
			io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
			return
		}
		defer up.Close()
		p.tunnels.Add(1)
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		go io.Copy(up, br)
		io.Copy(c, up)
	})
	p.addr = ln.Addr().String()
	return p
}

// socksProxy is a minimal SOCKS5 server (RFC 1928/1929). With a user set, it
// requires username/password auth and rejects other credentials.
type socksProxy struct {
	addr     string
	lastHost atomic.Value // the target as the client sent it
}

func newSOCKSProxy(t *testing.T, user, pass string) *socksProxy {
	p := &socksProxy{}
	ln := listen(t, func(c net.Conn) {
		buf := make([]byte, 262)
		if _, err := io.ReadFull(c, buf[:2]); err != nil || buf[0] != 5 {
			return
		}
		if _, err := io.ReadFull(c, buf[:buf[1]]); err != nil {
			return
		}
		if user == "" {
			c.Write([]byte{5, 0})
		} else {
			c.Write([]byte{5, 2})
			io.ReadFull(c, buf[:2])
			u := make([]byte, buf[1])
			io.ReadFull(c, u)
			io.ReadFull(c, buf[:1])
			pw := make([]byte, buf[0])
			io.ReadFull(c, pw)
			if string(u) != user || string(pw) != pass {
				c.Write([]byte{1, 1})
				return
			}
			c.Write([]byte{1, 0})
		}
		if _, err := io.ReadFull(c, buf[:4]); err != nil || buf[1] != 1 {
			return
		}
		var host string
		switch buf[3] {
		case 1:
			io.ReadFull(c, buf[:4])
			host = net.IP(buf[:4]).String()
		case 3:
			io.ReadFull(c, buf[:1])
			name := make([]byte, buf[0])
			io.ReadFull(c, name)
			host = string(name)
		default:
			return
		}
		io.ReadFull(c, buf[:2])
		port := binary.BigEndian.Uint16(buf[:2])
		p.lastHost.Store(host)
		up, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(int(port))))
		if err != nil {
			c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
			return
		}
		defer up.Close()
		c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
		go io.Copy(up, c)
		io.Copy(c, up)
	})
	p.addr = ln.Addr().String()
	return p
}

func TestProxies(t *testing.T) {
	pki := newPKI(t)
	srv := httptest.NewUnstartedServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		io.WriteString(w, "via proxy")
	}))
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.serverCert}}
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	target := "https://localhost:" + port // a name, so socks5 vs socks5h differ
	plain := newConnectProxy(t, "", nil)
	authed := newConnectProxy(t, "user:p@ss", nil)
	tlsProxy := newConnectProxy(t, "", &pki.serverCert)
	socks := newSOCKSProxy(t, "", "")
	socksAuth := newSOCKSProxy(t, "u", "secret")
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()

	// One CA signed both the server's and the TLS proxy's certificate.
	sess := newTestSession(t, SessionConfig{RootCAPEM: pki.caPEM})
	isIP := func(t *testing.T) {
		if got, _ := socks.lastHost.Load().(string); net.ParseIP(got) == nil {
			t.Errorf("socks5 should resolve locally, proxy saw %q", got)
		}
	}
	isName := func(t *testing.T) {
		if got := socks.lastHost.Load(); got != "localhost" {
			t.Errorf("socks5h should pass the name to the proxy, proxy saw %q", got)
		}
	}
	cases := []struct {
		name, proxy string
		kind        string
		check       func(*testing.T)
	}{
		{"http CONNECT", "http://" + plain.addr, "", nil},
		{"http CONNECT with auth", "http://user:p%40ss@" + authed.addr, "", nil},
		{"https proxy", "https://localhost:" + portOf(tlsProxy.addr), "", nil},
		{"socks5", "socks5://" + socks.addr, "", isIP},
		{"socks5h", "socks5h://" + socks.addr, "", isName},
		{"socks5 with auth", "socks5://u:secret@" + socksAuth.addr, "", nil},
		{"407", "http://" + authed.addr, KindProxy, nil},
		{"wrong proxy password", "http://user:nope@" + authed.addr, KindProxy, nil},
		{"proxy refused", "http://" + closedAddr, KindProxy, nil},
		{"socks refused", "socks5://" + closedAddr, KindProxy, nil},
		{"socks auth failure", "socks5://u:wrong@" + socksAuth.addr, KindProxy, nil},
		{"socks auth missing", "socks5://" + socksAuth.addr, KindProxy, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := roundTrip(t, sess, RequestMeta{URL: target, Proxy: tc.proxy, Timeout: &Timeouts{Connect: secs(5)}}, nil)
			if tc.kind != "" {
				wantKind(t, res.err, tc.kind)
				return
			}
			mustOK(t, res)
			if string(res.body) != "via proxy" {
				t.Fatalf("body %q", res.body)
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
	if got := plain.lastUA.Load(); got != "|localhost:"+port {
		t.Errorf("CONNECT request carried User-Agent|Host %q", got)
	}
	// A direct request on the same session does not go through any proxy.
	before := plain.tunnels.Load()
	mustOK(t, roundTrip(t, sess, RequestMeta{URL: target}, nil))
	if plain.tunnels.Load() != before {
		t.Error("direct request used a proxy")
	}
}

func TestProxyConnectTimeout(t *testing.T) {
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) {})
	hole := blackhole(t)
	sess := trustSession(t, srv.caPEM)
	for _, scheme := range []string{"http", "socks5"} {
		res := roundTrip(t, sess, RequestMeta{URL: srv.URL, Proxy: scheme + "://" + hole, Timeout: &Timeouts{Connect: secs(0.2)}}, nil)
		wantKind(t, res.err, KindConnectTimeout)
	}
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
