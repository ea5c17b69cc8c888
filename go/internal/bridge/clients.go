package bridge

import (
	"context"
	"net"
	"net/url"
	"sort"
	"strings"

	tlsclient "github.com/bogdanfinn/tls-client"
	"github.com/bogdanfinn/tls-client/profiles"
)

// A session's tls-client HttpClients.
//
// A tls-client HttpClient opens its connections one at a time: it holds one
// lock through TCP connect and TLS handshake. One client for everything would
// queue every new connection behind the slowest handshake, so a session keeps
// a group of clients per (profile, proxy, origin):
//
//   - connections to different origins open in parallel;
//   - an HTTP/2 (or HTTP/3) origin gets one client, whose one connection
//     carries every request, as in a browser;
//   - an HTTP/1.1 origin, where each request in flight needs a connection of
//     its own, gets up to maxClientsPerOrigin clients, so a burst opens that
//     many connections at a time (a browser opens 6 per host).
//
// The protocol of an https origin is known only once its first connection is
// up, so, as Chrome does, requests that arrive meanwhile wait for that first
// connection (the "probe") before a client is picked for them.

type clientKey struct {
	profile string // "" = the session's own profile
	proxy   string // normalised proxy URL, "" = direct
	origin  string // scheme://host:port
}

// maxIdleClients bounds the clients a session keeps that no open request
// uses; beyond it the least recently used are closed (a crawler visits many
// hosts, and each client holds its idle connections and TLS session cache).
// Variables only so tests can lower them.
var (
	maxIdleClients      = 256
	maxClientsPerOrigin = 6
)

const (
	protoUnknown = ""
	protoHTTP1   = "http/1.1"
	protoMux     = "multiplexed" // HTTP/2 or HTTP/3: one connection is enough
)

type clientGroup struct {
	key     clientKey
	clients []*client
	proto   string
	probe   chan struct{} // non-nil while a request learns proto; closed when it is done
}

// client is one tls-client HttpClient and the dialer it uses. Nothing on it is
// changed after creation: no SetProxy/SetFollowRedirect/SetCookieJar races.
type client struct {
	http   tlsclient.HttpClient
	dialer *dialer
	racing bool // HTTP/3 racing: the request may be sent twice concurrently

	// Guarded by Session.mu.
	group    *clientGroup
	users    int    // open request handles using it; never evicted while > 0
	lastUsed uint64 // Session.useSeq when its last user closed
}

func (c *client) close() {
	c.http.CloseIdleConnections() // a clean shutdown where the protocol has one
	c.dialer.closeAll()
}

// acquire picks the client for r (waiting for the origin's probe if there is
// one) and counts r as its user until release. It runs on the request's own
// goroutine; creating a client does no I/O, so holding the lock is cheap.
func (s *Session) acquire(r *Request) (*client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if r.untracked {
			return nil, errRequestClosed
		}
		if s.closed {
			return nil, errSessionClosed
		}
		g := s.groups[r.key]
		if g == nil {
			g = &clientGroup{key: r.key}
			if strings.HasPrefix(r.key.origin, "http://") || s.cfg.ForceHTTP1 {
				g.proto = protoHTTP1
			}
			s.groups[r.key] = g
		}
		if g.proto == protoUnknown && g.probe != nil {
			probe := g.probe
			s.mu.Unlock()
			select {
			case <-probe:
			case <-r.ctx.Done():
			}
			s.mu.Lock()
			if r.ctx.Err() != nil {
				return nil, context.Cause(r.ctx) // cancelled or timed out while waiting
			}
			continue
		}
		c := g.leastUsed()
		if c == nil || (g.proto == protoHTTP1 && c.users > 0 && len(g.clients) < maxClientsPerOrigin) {
			var err error
			if c, err = s.newClient(r.profile, r.proxyURL); err != nil {
				return nil, err
			}
			c.group = g
			g.clients = append(g.clients, c)
			s.idleClients++ // counted idle until its first user, just below
		}
		if g.proto == protoUnknown {
			g.probe = make(chan struct{})
			r.probing = g
			r.isProbe.Store(true)
		}
		if c.users == 0 {
			s.idleClients--
		}
		c.users++
		r.client = c
		return c, nil
	}
}

func (g *clientGroup) leastUsed() *client {
	var best *client
	for _, c := range g.clients {
		if best == nil || c.users < best.users {
			best = c
		}
	}
	return best
}

// learned records the protocol r's connection speaks, if r is its origin's
// probe, and lets the requests waiting for it go on.
func (s *Session) learned(r *Request, proto string) {
	if !r.isProbe.Load() { // the common case, without the session lock
		return
	}
	s.mu.Lock()
	s.endProbeLocked(r, proto)
	s.mu.Unlock()
}

func (s *Session) endProbeLocked(r *Request, proto string) {
	g := r.probing
	if g == nil {
		return
	}
	r.probing = nil
	r.isProbe.Store(false)
	if g.proto == protoUnknown {
		g.proto = proto // still unknown when the probe failed: the next request probes
	}
	close(g.probe)
	g.probe = nil
}

// releaseLocked gives back a client taken with acquire and returns the idle
// clients to close now that there may be too many.
func (s *Session) releaseLocked(c *client) []*client {
	c.users--
	s.useSeq++
	c.lastUsed = s.useSeq
	if c.users > 0 {
		return nil
	}
	s.idleClients++
	return s.evictIdleLocked()
}

// evictIdleLocked drops the least recently used clients that no request uses
// while more than maxIdleClients of them are idle, and returns them to close.
// It runs whenever a client becomes idle, so the bound always holds.
func (s *Session) evictIdleLocked() []*client {
	if s.idleClients <= maxIdleClients {
		return nil
	}
	var idle []*client
	for _, g := range s.groups {
		for _, c := range g.clients {
			if c.users == 0 {
				idle = append(idle, c)
			}
		}
	}
	if len(idle) <= maxIdleClients {
		return nil
	}
	sort.Slice(idle, func(i, j int) bool { return idle[i].lastUsed < idle[j].lastUsed })
	evicted := idle[:len(idle)-maxIdleClients]
	s.idleClients -= len(evicted)
	for _, c := range evicted {
		g := c.group
		for i, other := range g.clients {
			if other == c {
				g.clients = append(g.clients[:i], g.clients[i+1:]...)
				break
			}
		}
		if len(g.clients) == 0 && g.probe == nil {
			delete(s.groups, g.key)
		}
	}
	return evicted
}

// origin is scheme://host:port of u, with the scheme's default port.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
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
