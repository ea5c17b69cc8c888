package bridge

import (
	"crypto/x509"
	"net"
	"net/url"
	"sort"
	"strings"
	"sync"

	tlsclient "github.com/bogdanfinn/tls-client"
	"github.com/bogdanfinn/tls-client/profiles"
	tls "github.com/bogdanfinn/utls"
)

// Session is one tlsr_session_new handle: a validated configuration plus the
// tls-client HttpClients built from it, one per (profile, proxy, origin).
type Session struct {
	cfg          SessionConfig
	profile      profiles.ClientProfile
	rootCAs      *x509.CertPool
	certificates []tls.Certificate

	mu       sync.Mutex
	closed   bool
	clients  map[clientKey]*client
	inflight map[*Request]struct{} // open request handles, for cancellation
	useSeq   uint64                // ticks at every request close, orders clients for eviction
}

type clientKey struct {
	profile string // "" = the session's own profile
	proxy   string // normalised proxy URL, "" = direct
	// origin is scheme://host:port. A tls-client HttpClient makes its
	// connections one at a time, holding one lock through TCP connect and TLS
	// handshake, so one client for all hosts would queue every new connection
	// behind the slowest handshake. One client per origin lets connections to
	// different hosts open in parallel; each client still reuses its own.
	origin string
}

// maxIdleClients bounds the clients a session keeps that no open request
// uses; beyond it the least recently used are closed (a crawler visits many
// hosts, and each client holds its idle connections and TLS session cache).
// A variable only so tests can lower it.
var maxIdleClients = 256

// client is one tls-client HttpClient and the dialer it uses. Nothing on it is
// changed after creation: no SetProxy/SetFollowRedirect/SetCookieJar races.
type client struct {
	http   tlsclient.HttpClient
	dialer *dialer
	racing bool // HTTP/3 racing: the request may be sent twice concurrently

	// Guarded by Session.mu.
	users    int    // open request handles using it; never evicted while > 0
	lastUsed uint64 // Session.useSeq when its last user closed
}

// NewSession validates a JSON SessionConfig and registers a session.
func NewSession(config []byte) (uint64, error) {
	s := &Session{clients: make(map[clientKey]*client), inflight: make(map[*Request]struct{})}
	if err := decodeStrict("SessionConfig", config, &s.cfg); err != nil {
		return 0, err
	}
	var err error
	if s.cfg.CustomProfile != nil {
		s.profile, err = buildCustomProfile(s.cfg.CustomProfile)
	} else {
		s.profile, err = builtinProfile(s.cfg.ClientIdentifier)
	}
	if err != nil {
		return 0, err
	}
	if s.cfg.HTTP3 && s.cfg.ForceHTTP1 {
		return 0, newError(KindInvalidConfig, "http3 and force_http1 cannot both be true")
	}
	if s.cfg.RootCAPEM != "" {
		s.rootCAs = x509.NewCertPool()
		if !s.rootCAs.AppendCertsFromPEM([]byte(s.cfg.RootCAPEM)) {
			return 0, newError(KindInvalidConfig, "root_ca_pem holds no valid PEM certificate")
		}
	}
	if (s.cfg.ClientCertPEM == "") != (s.cfg.ClientKeyPEM == "") {
		return 0, newError(KindInvalidConfig, "client_cert_pem and client_key_pem must be given together")
	}
	if s.cfg.ClientCertPEM != "" {
		cert, err := tls.X509KeyPair([]byte(s.cfg.ClientCertPEM), []byte(s.cfg.ClientKeyPEM))
		if err != nil {
			return 0, newError(KindInvalidConfig, "client certificate: %v", err)
		}
		s.certificates = []tls.Certificate{cert}
	}
	return sessions.add(s), nil
}

// CloseSession cancels the session's open requests (kind "cancelled"), closes
// the idle connections of all its clients and invalidates the handle. Request
// handles stay valid until tlsr_request_close; when the last one is closed,
// every connection the session still has is closed too.
func CloseSession(h uint64) error {
	s, ok := sessions.remove(h)
	if !ok {
		return invalidHandle("session", h)
	}
	s.mu.Lock()
	s.closed = true
	reqs := make([]*Request, 0, len(s.inflight))
	for r := range s.inflight {
		reqs = append(reqs, r)
	}
	s.mu.Unlock()

	for _, r := range reqs {
		r.cancel(errSessionClosed)
	}
	s.closeConnsIfDone()
	return nil
}

// track registers an open request; it fails if the session closed meanwhile.
func (s *Session) track(r *Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return newError(KindInvalidHandle, "session is closed")
	}
	s.inflight[r] = struct{}{}
	return nil
}

// untrack is called once a request handle is closed (its body closed too):
// it gives back the request's client and, on a closed session, closes the
// connections once the last request is gone.
func (s *Session) untrack(r *Request) {
	s.mu.Lock()
	delete(s.inflight, r)
	s.mu.Unlock()
	s.release(r.client)
	s.closeConnsIfDone()
}

// release gives back a client taken with clientFor.
func (s *Session) release(c *client) {
	s.mu.Lock()
	c.users--
	s.useSeq++
	c.lastUsed = s.useSeq
	var evicted []*client
	if c.users == 0 {
		evicted = s.evictIdleLocked()
	}
	s.mu.Unlock()
	for _, e := range evicted {
		e.close()
	}
}

// closeConnsIfDone closes all connections of a closed session once no request
// handle uses them any more. It runs once: the clients are dropped with it.
func (s *Session) closeConnsIfDone() {
	s.mu.Lock()
	if !s.closed || len(s.inflight) > 0 {
		s.mu.Unlock()
		return
	}
	clients := s.clients
	s.clients = nil
	s.mu.Unlock()
	for _, c := range clients {
		c.close()
	}
}

func (c *client) close() {
	c.http.CloseIdleConnections() // a clean shutdown where the protocol has one
	c.dialer.closeAll()
}

// clientFor returns the client for a request to u, creating it on first use,
// and counts the request as its user until release. Creation does no I/O, so
// holding the lock is cheap.
func (s *Session) clientFor(profileName string, proxyURL *url.URL, u *url.URL) (*client, error) {
	profile := s.profile
	if profileName != "" {
		var err error
		if profile, err = builtinProfile(profileName); err != nil {
			return nil, err
		}
	}
	key := clientKey{profile: profileName, origin: origin(u)}
	if proxyURL != nil {
		key.proxy = proxyURL.String()
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, newError(KindInvalidHandle, "session is closed")
	}
	c, ok := s.clients[key]
	if !ok {
		var err error
		if c, err = s.newClient(profile, proxyURL); err != nil {
			s.mu.Unlock()
			return nil, err
		}
		s.clients[key] = c
	}
	c.users++
	s.mu.Unlock()
	return c, nil
}

// evictIdleLocked drops the least recently used clients that no request uses
// while more than maxIdleClients of them are idle, and returns them to close.
// It runs whenever a client becomes idle, so the bound always holds.
func (s *Session) evictIdleLocked() []*client {
	var idle []clientKey
	for k, c := range s.clients {
		if c.users == 0 {
			idle = append(idle, k)
		}
	}
	if len(idle) <= maxIdleClients {
		return nil
	}
	sort.Slice(idle, func(i, j int) bool { return s.clients[idle[i]].lastUsed < s.clients[idle[j]].lastUsed })
	evicted := make([]*client, 0, len(idle)-maxIdleClients)
	for _, k := range idle[:len(idle)-maxIdleClients] {
		evicted = append(evicted, s.clients[k])
		delete(s.clients, k)
	}
	return evicted
}

// origin is scheme://host:port of u, with the scheme's default port.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

func (s *Session) newClient(profile profiles.ClientProfile, proxyURL *url.URL) (*client, error) {
	d := &dialer{proxyURL: proxyURL, rootCAs: s.rootCAs, insecure: s.cfg.InsecureSkipVerify}
	// HTTP/3 racing dials QUIC without our dialer, so it would bypass a proxy.
	racing := s.cfg.HTTP3 && proxyURL == nil
	opts := []tlsclient.HttpClientOption{
		tlsclient.WithClientProfile(profile),
		tlsclient.WithNotFollowRedirects(), // Python follows redirects
		tlsclient.WithTimeoutSeconds(0),    // deadlines come from each request's context
		tlsclient.WithDialContext(d.DialContext),
		tlsclient.WithTransportOptions(&tlsclient.TransportOptions{
			DisableCompression:  true, // no Accept-Encoding added, body delivered undecoded
			RootCAs:             s.rootCAs,
			Certificates:        s.certificates,
			MaxIdleConnsPerHost: s.cfg.MaxIdleConnsPerHost,
		}),
	}
	if racing {
		opts = append(opts, tlsclient.WithProtocolRacing())
	} else {
		opts = append(opts, tlsclient.WithDisableHttp3())
	}
	if s.cfg.InsecureSkipVerify {
		opts = append(opts, tlsclient.WithInsecureSkipVerify())
	}
	if s.cfg.ForceHTTP1 {
		opts = append(opts, tlsclient.WithForceHttp1())
	}
	if s.cfg.RandomTLSExtensionOrder {
		opts = append(opts, tlsclient.WithRandomTLSExtensionOrder())
	}
	if s.cfg.ServerName != "" {
		opts = append(opts, tlsclient.WithServerNameOverwrite(s.cfg.ServerName))
	}
	hc, err := tlsclient.NewHttpClient(tlsclient.NewNoopLogger(), opts...)
	if err != nil {
		return nil, newError(KindInvalidConfig, "%v", err)
	}
	return &client{http: hc, dialer: d, racing: racing}, nil
}
