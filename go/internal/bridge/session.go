package bridge

import (
	"crypto/x509"
	"sync"

	"github.com/bogdanfinn/tls-client/profiles"
	tls "github.com/bogdanfinn/utls"
)

// Session is one tlsr_session_new handle: a validated configuration plus the
// tls-client HttpClients built from it (clients.go).
type Session struct {
	cfg          SessionConfig
	profile      profiles.ClientProfile
	rootCAs      *x509.CertPool
	certificates []tls.Certificate

	mu       sync.Mutex
	closed   bool
	groups   map[clientKey]*clientGroup // see clients.go
	inflight map[*Request]struct{}      // open request handles, for cancellation
	useSeq   uint64                     // ticks at every request close, orders clients for eviction
	// idleClients counts the clients without users, so that a request close
	// looks for clients to evict only when there are too many.
	idleClients int
}

// NewSession validates a JSON SessionConfig and registers a session.
func NewSession(config []byte) (uint64, error) {
	s := &Session{groups: make(map[clientKey]*clientGroup), inflight: make(map[*Request]struct{})}
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
	r.untracked = true
	s.endProbeLocked(r, protoUnknown)
	var toClose []*client
	if r.client != nil {
		toClose = s.releaseLocked(r.client)
	}
	toClose = append(toClose, s.takeClientsIfDoneLocked()...)
	s.mu.Unlock()
	for _, c := range toClose {
		c.close()
	}
}

// closeConnsIfDone closes all connections of a closed session once no request
// handle uses them any more.
func (s *Session) closeConnsIfDone() {
	s.mu.Lock()
	clients := s.takeClientsIfDoneLocked()
	s.mu.Unlock()
	for _, c := range clients {
		c.close()
	}
}

// takeClientsIfDoneLocked drops and returns every client of a closed session
// that no request handle uses any more. It returns them once: the groups go
// with them.
func (s *Session) takeClientsIfDoneLocked() []*client {
	if !s.closed || len(s.inflight) > 0 {
		return nil
	}
	var clients []*client
	for _, g := range s.groups {
		clients = append(clients, g.clients...)
	}
	s.groups = nil
	return clients
}

// resolveProfile is the profile of a request: the session's, or a named one.
func (s *Session) resolveProfile(name string) (profiles.ClientProfile, error) {
	if name == "" {
		return s.profile, nil
	}
	return builtinProfile(name)
}
