package bridge

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	nethttp "net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/proxy"
)

// dialer is given to tls-client through WithDialContext, so tls-client's own
// proxy code is bypassed: ours honours the context, reports every proxy
// failure as *proxyError, and bounds TCP + proxy + TLS handshake by the
// request's connect deadline (see connectDeadline).
type dialer struct {
	proxyURL *url.URL // nil: direct
	// For https:// proxies: the session's trust settings.
	rootCAs  *x509.CertPool
	insecure bool
	// lastConnect is the connect limit of the latest request on this client
	// that had one, used for dials that carry no request context
	// (tls-client's HTTP/2 transport re-dials with context.Background()).
	// The waiting request is released by its own timer anyway; this only
	// stops such a dial from hanging forever while holding tls-client's
	// per-client dial lock.
	mu          sync.Mutex
	lastConnect time.Duration
	// conns holds every connection dialled and not yet closed, so closing the
	// session can close them all: a connection that carried a response still
	// being read when the session closed is never idle at that moment, so
	// CloseIdleConnections alone would leave it open.
	conns map[*trackedConn]struct{}
}

type connectDeadlineKey struct{}

// withConnectDeadline records the absolute connect deadline of a request in
// its context for the dialer.
func withConnectDeadline(ctx context.Context, d time.Time) context.Context {
	return context.WithValue(ctx, connectDeadlineKey{}, d)
}

func (d *dialer) noteConnectLimit(limit time.Duration) {
	d.mu.Lock()
	d.lastConnect = limit
	d.mu.Unlock()
}

func (d *dialer) deadline(ctx context.Context) time.Time {
	if t, ok := ctx.Value(connectDeadlineKey{}).(time.Time); ok {
		return t
	}
	d.mu.Lock()
	limit := d.lastConnect
	d.mu.Unlock()
	if limit > 0 {
		return time.Now().Add(limit)
	}
	return time.Time{}
}

// DialContext dials addr directly or through the proxy. The returned conn has
// the connect deadline set; the request clears it when the connection is
// ready (markReady), so a TLS handshake that hangs fails on time even when
// tls-client handshakes with a background context.
func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	deadline := d.deadline(ctx)
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	var (
		conn net.Conn
		err  error
	)
	if d.proxyURL == nil {
		var nd net.Dialer
		conn, err = nd.DialContext(ctx, network, addr)
	} else {
		if d.proxyURL.Scheme == "socks5" { // socks5h: the proxy resolves
			// A target DNS failure is a connect error, not a proxy error.
			if addr, err = resolveLocally(ctx, addr); err != nil {
				return nil, err
			}
		}
		conn, err = d.dialProxy(ctx, network, addr)
		if err != nil && !isTimeout(err) && !errors.Is(err, context.Canceled) {
			err = &proxyError{err}
		}
	}
	if err != nil {
		return nil, err
	}
	if !deadline.IsZero() {
		_ = conn.SetDeadline(deadline)
	}
	tc := &trackedConn{Conn: conn, d: d}
	d.mu.Lock()
	if d.conns == nil {
		d.conns = make(map[*trackedConn]struct{})
	}
	d.conns[tc] = struct{}{}
	d.mu.Unlock()
	return tc, nil
}

// closeAll closes every open connection this dialer made.
func (d *dialer) closeAll() {
	d.mu.Lock()
	conns := make([]*trackedConn, 0, len(d.conns))
	for c := range d.conns {
		conns = append(conns, c)
	}
	d.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

func (d *dialer) dialProxy(ctx context.Context, network, addr string) (net.Conn, error) {
	u := d.proxyURL
	switch u.Scheme {
	case "socks5", "socks5h":
		return d.dialSOCKS(ctx, network, addr)
	}
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	// Interrupt the blocking handshakes below when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if u.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{
			ServerName:         u.Hostname(),
			RootCAs:            d.rootCAs,
			InsecureSkipVerify: d.insecure,
			NextProtos:         []string{"http/1.1"},
		})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, ctxErr(ctx, err)
		}
		conn = tc
	}
	if err := httpConnect(conn, u, addr); err != nil {
		conn.Close()
		return nil, ctxErr(ctx, err)
	}
	if ctx.Err() != nil { // cancelled right after the tunnel opened
		conn.Close()
		return nil, ctx.Err()
	}
	_ = conn.SetDeadline(time.Time{})
	return conn, nil
}

// httpConnect opens a tunnel with CONNECT. The request is written by hand so
// nothing but Host and Proxy-Authorization is sent.
func httpConnect(conn net.Conn, u *url.URL, addr string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n", addr, addr)
	if u.User != nil {
		pass, _ := u.User.Password()
		cred := base64.StdEncoding.EncodeToString([]byte(u.User.Username() + ":" + pass))
		fmt.Fprintf(&b, "Proxy-Authorization: Basic %s\r\n", cred)
	}
	b.WriteString("\r\n")
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return err
	}
	// One byte at a time, so no byte of the tunnelled stream is buffered away.
	br := bufio.NewReaderSize(oneByteReader{conn}, 16)
	resp, err := nethttp.ReadResponse(br, &nethttp.Request{Method: nethttp.MethodConnect})
	if err != nil {
		return fmt.Errorf("reading CONNECT response: %w", err)
	}
	// The body is never read or closed: after a 200 the stream belongs to the
	// tunnel, and on failure the caller closes the conn.
	if resp.StatusCode != nethttp.StatusOK {
		return fmt.Errorf("proxy answered CONNECT with %s", resp.Status)
	}
	return nil
}

type oneByteReader struct{ c net.Conn }

func (r oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return r.c.Read(p)
}

func (d *dialer) dialSOCKS(ctx context.Context, network, addr string) (net.Conn, error) {
	u := d.proxyURL
	var auth *proxy.Auth
	if u.User != nil {
		pass, _ := u.User.Password()
		auth = &proxy.Auth{User: u.User.Username(), Password: pass}
	}
	sd, err := proxy.SOCKS5("tcp", u.Host, auth, &net.Dialer{})
	if err != nil {
		return nil, err
	}
	cd, ok := sd.(proxy.ContextDialer)
	if !ok {
		return nil, errors.New("socks dialer does not support contexts")
	}
	conn, err := cd.DialContext(ctx, network, addr)
	return conn, ctxErr(ctx, err)
}

// resolveLocally replaces a host name in addr with one of its addresses,
// preferring IPv4 (not every proxy has IPv6).
func resolveLocally(ctx context.Context, addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || net.ParseIP(host) != nil {
		return addr, err
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return "", err
	}
	ip := ips[0].IP
	for _, a := range ips {
		if a.IP.To4() != nil {
			ip = a.IP
			break
		}
	}
	return net.JoinHostPort(ip.String(), port), nil
}

// ctxErr prefers the context's error when the context ended, so a deadline we
// forced onto a conn reads as a timeout and not as a broken proxy.
func ctxErr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// parseProxy validates a RequestMeta.proxy string ("" is direct).
func parseProxy(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the raw URL may hold credentials: leave it out
		}
		return nil, newError(KindInvalidConfig, "invalid proxy URL: %v", err)
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, newError(KindInvalidConfig, "unsupported proxy scheme %q (use http, https, socks5 or socks5h)", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, newError(KindInvalidConfig, "proxy URL %q has no host", redactProxy(u))
	}
	if u.Port() == "" {
		port := map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[u.Scheme]
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	return u, nil
}

func redactProxy(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = url.User("***")
	return c.String()
}

// trackedConn is every conn our dialer returns; markReady clears the connect
// deadline once the request got the connection.
type trackedConn struct {
	net.Conn
	d    *dialer
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.d.mu.Lock()
	delete(c.d.conns, c)
	c.d.mu.Unlock()
	return c.Conn.Close()
}

func (c *trackedConn) markReady() {
	c.once.Do(func() { _ = c.Conn.SetDeadline(time.Time{}) })
}

// markConnReady finds our trackedConn under TLS wrappers and clears its
// connect deadline.
func markConnReady(c net.Conn) {
	for i := 0; c != nil && i < 4; i++ {
		if tc, ok := c.(*trackedConn); ok {
			tc.markReady()
			return
		}
		nc, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return
		}
		c = nc.NetConn()
	}
}
