package bridge

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// ---- local servers (127.0.0.1 only) ----

type testServer struct {
	*httptest.Server
	conns atomic.Int32 // TCP connections accepted
	open  atomic.Int32 // TCP connections accepted and not yet closed
	caPEM string
}

// newTLSServer starts an HTTPS server; h2 selects HTTP/2 (else HTTP/1.1 only).
func newTLSServer(t testing.TB, h2 bool, h nethttp.HandlerFunc) *testServer {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = h2
	ts := &testServer{Server: srv}
	srv.Config.ConnState = func(_ net.Conn, st nethttp.ConnState) {
		ts.countConn(st)
	}
	srv.StartTLS()
	ts.caPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	t.Cleanup(srv.Close)
	return ts
}

func (ts *testServer) countConn(st nethttp.ConnState) {
	switch st {
	case nethttp.StateNew:
		ts.conns.Add(1)
		ts.open.Add(1)
	case nethttp.StateClosed, nethttp.StateHijacked:
		ts.open.Add(-1)
	}
}

// waitNoOpenConns waits up to 2 s for the server to see every connection closed.
func (ts *testServer) waitNoOpenConns(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		if ts.open.Load() == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d connection(s) still open", ts.open.Load())
}

// newHTTPServer starts a plain http:// server.
func newHTTPServer(t *testing.T, h nethttp.HandlerFunc) *testServer {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	ts := &testServer{Server: srv}
	srv.Config.ConnState = func(_ net.Conn, st nethttp.ConnState) {
		ts.countConn(st)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return ts
}

// listen opens a raw TCP listener on 127.0.0.1 that serves each conn with fn.
func listen(t *testing.T, fn func(net.Conn)) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				fn(c)
			}()
		}
	}()
	return ln
}

// testPKI is a throwaway CA with a server and a client certificate.
type testPKI struct {
	caPEM                 string
	serverCert            tls.Certificate
	clientCertPEM, keyPEM string
	pool                  *x509.CertPool
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tlsr test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(serial int64, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "localhost"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, key
	}
	p := &testPKI{caPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})), pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	sDER, sKey := leaf(2, x509.ExtKeyUsageServerAuth)
	p.serverCert = tls.Certificate{Certificate: [][]byte{sDER}, PrivateKey: sKey}
	cDER, cKey := leaf(3, x509.ExtKeyUsageClientAuth)
	keyDER, _ := x509.MarshalECPrivateKey(cKey)
	p.clientCertPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cDER}))
	p.keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	return p
}

// ---- bridge API helpers ----

const testProfile = "chrome_133"

func newTestSession(t *testing.T, cfg SessionConfig) uint64 {
	t.Helper()
	if cfg.ClientIdentifier == "" && cfg.CustomProfile == nil {
		cfg.ClientIdentifier = testProfile
	}
	b, _ := json.Marshal(cfg)
	h, err := NewSession(b)
	if err != nil {
		t.Fatalf("NewSession: %v", err)
	}
	t.Cleanup(func() { _ = CloseSession(h) })
	return h
}

func trustSession(t *testing.T, caPEM string) uint64 {
	return newTestSession(t, SessionConfig{RootCAPEM: caPEM})
}

type result struct {
	meta ResponseMeta
	body []byte
	err  *Error
}

func start(t *testing.T, sess uint64, meta RequestMeta, body []byte) (uint64, *Error) {
	t.Helper()
	if meta.Method == "" {
		meta.Method = "GET"
	}
	b, _ := json.Marshal(meta)
	h, err := StartRequest(sess, b, body)
	return h, asError(err)
}

// roundTrip runs a whole request and closes its handle.
func roundTrip(t *testing.T, sess uint64, meta RequestMeta, body []byte) result {
	t.Helper()
	h, err := start(t, sess, meta, body)
	if err != nil {
		return result{err: err}
	}
	defer func() {
		if err := CloseRequest(h); err != nil {
			t.Errorf("CloseRequest: %v", err)
		}
	}()
	return finishRequest(t, h)
}

func finishRequest(t *testing.T, h uint64) result {
	t.Helper()
	var res result
	mj, err := WaitRequest(h)
	if err != nil {
		res.err = asError(err)
		return res
	}
	if err := json.Unmarshal(mj, &res.meta); err != nil {
		t.Fatalf("bad ResponseMeta %s: %v", mj, err)
	}
	buf := make([]byte, 7) // small, to exercise many reads
	for {
		n, err := ReadResponse(h, buf)
		if err != nil {
			res.err = asError(err)
			return res
		}
		if n == 0 {
			return res
		}
		res.body = append(res.body, buf[:n]...)
	}
}

func asError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: "not-an-*Error", Message: err.Error()}
}

func wantKind(t *testing.T, err *Error, kind string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error kind %q, got success", kind)
	}
	if err.Kind != kind {
		t.Fatalf("want error kind %q, got %q (%s)", kind, err.Kind, err.Message)
	}
}

func mustOK(t *testing.T, res result) result {
	t.Helper()
	if res.err != nil {
		t.Fatalf("request failed: %s: %s", res.err.Kind, res.err.Message)
	}
	return res
}

func (m ResponseMeta) header(name string) []string {
	var vs []string
	for _, h := range m.Headers {
		if h.Name == name {
			vs = append(vs, h.Value)
		}
	}
	return vs
}

// clientCount is the number of tls-client clients a session holds.
func clientCount(s *Session) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.groups {
		n += len(g.clients)
	}
	return n
}

func secs(v float64) *float64 { return &v }

func i64(v int64) *int64 { return &v }

// waitIdle waits until no request or session handle is open.
func waitNoHandles(t *testing.T) {
	t.Helper()
	if s, r := sessions.count(), requests.count(); s != 0 || r != 0 {
		t.Fatalf("leaked handles: sessions=%d requests=%d", s, r)
	}
}
