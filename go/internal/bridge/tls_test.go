package bridge

import (
	"crypto/tls"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"testing"
)

func TestTLSVerification(t *testing.T) {
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) { io.WriteString(w, "ok") })
	other := newPKI(t)
	cases := []struct {
		name string
		cfg  SessionConfig
		kind string
	}{
		{"system roots do not know the test CA", SessionConfig{}, KindTLS},
		{"wrong CA", SessionConfig{RootCAPEM: other.caPEM}, KindTLS},
		{"right CA", SessionConfig{RootCAPEM: srv.caPEM}, ""},
		{"insecure", SessionConfig{InsecureSkipVerify: true}, ""},
		{"sni override fails verification", SessionConfig{RootCAPEM: srv.caPEM, ServerName: "wrong.test"}, KindTLS},
		{"sni override with insecure", SessionConfig{InsecureSkipVerify: true, ServerName: "wrong.test"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := roundTrip(t, newTestSession(t, tc.cfg), RequestMeta{URL: srv.URL}, nil)
			if tc.kind == "" {
				mustOK(t, res)
				return
			}
			wantKind(t, res.err, tc.kind)
		})
	}
}

func TestPlainHTTPServerOnHTTPSURL(t *testing.T) {
	srv := newHTTPServer(t, func(w nethttp.ResponseWriter, r *nethttp.Request) {})
	res := roundTrip(t, newTestSession(t, SessionConfig{}), RequestMeta{URL: "https://" + srv.Listener.Addr().String()}, nil)
	wantKind(t, res.err, KindTLS)
}

func TestMutualTLS(t *testing.T) {
	pki := newPKI(t)
	srv := httptest.NewUnstartedServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{pki.serverCert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pki.pool,
	}
	srv.StartTLS()
	defer srv.Close()

	withCert := newTestSession(t, SessionConfig{RootCAPEM: pki.caPEM, ClientCertPEM: pki.clientCertPEM, ClientKeyPEM: pki.keyPEM})
	res := mustOK(t, roundTrip(t, withCert, RequestMeta{URL: srv.URL}, nil))
	if string(res.body) != "localhost" {
		t.Fatalf("server saw client cert %q", res.body)
	}
	without := newTestSession(t, SessionConfig{RootCAPEM: pki.caPEM})
	wantKind(t, roundTrip(t, without, RequestMeta{URL: srv.URL}, nil).err, KindTLS)
}

func TestForceHTTP1(t *testing.T) {
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) { io.WriteString(w, r.Proto) })
	sess := newTestSession(t, SessionConfig{RootCAPEM: srv.caPEM, ForceHTTP1: true, RandomTLSExtensionOrder: true})
	res := mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL}, nil))
	if res.meta.HTTPVersion != "HTTP/1.1" || string(res.body) != "HTTP/1.1" {
		t.Fatalf("version %s, server saw %s", res.meta.HTTPVersion, res.body)
	}
}

func TestPerRequestProfileOverride(t *testing.T) {
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) { io.WriteString(w, "ok") })
	sess := trustSession(t, srv.caPEM)
	for _, p := range []string{"", "firefox_133", "safari_ios_18_0", "firefox_133"} {
		mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL, ClientIdentifier: p}, nil))
	}
	s, _ := sessions.get(sess)
	if n := clientCount(s); n != 3 {
		t.Fatalf("%d clients, want one per profile (3)", n)
	}
	if n := srv.conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3 (one per profile)", n)
	}
	_, err := start(t, sess, RequestMeta{URL: srv.URL, ClientIdentifier: "chrome_9999"}, nil)
	wantKind(t, err, KindInvalidProfile)
}

func TestRequestValidation(t *testing.T) {
	sess := newTestSession(t, SessionConfig{})
	cases := []struct {
		name string
		meta string
		body []byte
		kind string
	}{
		{"not json", `{`, nil, KindInvalidConfig},
		{"unknown key", `{"method":"GET","url":"http://127.0.0.1/","verify":false}`, nil, KindInvalidConfig},
		{"bad header pair", `{"method":"GET","url":"http://127.0.0.1/","headers":[["a"]]}`, nil, KindInvalidConfig},
		{"bad method", `{"method":"GE T","url":"http://127.0.0.1/"}`, nil, KindInvalidConfig},
		{"empty method", `{"method":"","url":"http://127.0.0.1/"}`, nil, KindInvalidConfig},
		{"bad url", `{"method":"GET","url":"http://[::1"}`, nil, KindInvalidURL},
		{"ftp", `{"method":"GET","url":"ftp://127.0.0.1/"}`, nil, KindUnsupportedProtocol},
		{"header injection", `{"method":"GET","url":"http://127.0.0.1/","headers":[["X","a\r\nb: c"]]}`, nil, KindInvalidConfig},
		{"negative timeout", `{"method":"GET","url":"http://127.0.0.1/","timeout":{"connect":-1,"read":null,"write":null,"pool":null}}`, nil, KindInvalidConfig},
		{"body with stream_body", `{"method":"POST","url":"http://127.0.0.1/","stream_body":true}`, []byte("x"), KindInvalidConfig},
		{"bad content_length", `{"method":"POST","url":"http://127.0.0.1/","stream_body":true,"content_length":-2}`, nil, KindInvalidConfig},
		{"bad proxy scheme", `{"method":"GET","url":"http://127.0.0.1/","proxy":"ftp://127.0.0.1:1"}`, nil, KindInvalidConfig},
		{"proxy without host", `{"method":"GET","url":"http://127.0.0.1/","proxy":"http://"}`, nil, KindInvalidConfig},
		{"unknown profile", `{"method":"GET","url":"http://127.0.0.1/","client_identifier":"netscape_4"}`, nil, KindInvalidProfile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StartRequest(sess, []byte(tc.meta), tc.body)
			wantKind(t, asError(err), tc.kind)
		})
	}
	waitForRequests(t, 0)
}

func waitForRequests(t *testing.T, n int64) {
	t.Helper()
	if got := requests.count(); got != n {
		t.Fatalf("%d open request handles, want %d", got, n)
	}
}

// Content-Length 0 on a streamed body means no body at all.
func TestStreamedEmptyBody(t *testing.T) {
	srv := newTLSServer(t, false, func(w nethttp.ResponseWriter, r *nethttp.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, string(rune('0'+len(b))))
	})
	sess := trustSession(t, srv.caPEM)
	h, err := start(t, sess, RequestMeta{Method: "POST", URL: srv.URL, StreamBody: true, ContentLength: i64(0)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer CloseRequest(h)
	wantKind(t, asError(WriteRequest(h, []byte("x"))), KindInvalidConfig)
	if err := CloseRequestBody(h); err != nil {
		t.Fatal(err)
	}
	res := mustOK(t, finishRequest(t, h))
	if string(res.body) != "0" {
		t.Fatalf("server got %s body bytes", res.body)
	}
}

// HTTP/3 is opt-in racing; against a TCP-only server HTTP/2 must win.
func TestHTTP3RacingFallsBackToHTTP2(t *testing.T) {
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) { io.WriteString(w, "ok") })
	sess := newTestSession(t, SessionConfig{RootCAPEM: srv.caPEM, HTTP3: true})
	for i := 0; i < 2; i++ {
		res := mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL, Headers: []Header{{"User-Agent", "x"}},
			Timeout: &Timeouts{Connect: secs(5), Read: secs(5)}}, nil))
		if res.meta.HTTPVersion != "HTTP/2" || string(res.body) != "ok" {
			t.Fatalf("%s %q", res.meta.HTTPVersion, res.body)
		}
	}
}
