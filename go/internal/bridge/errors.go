package bridge

import (
	"context"
	stdtls "crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"strings"

	"github.com/bogdanfinn/fhttp/http2"
	utls "github.com/bogdanfinn/utls"
)

// Error kinds: the stable strings Python maps to exception classes.
// docs/internals/ffi.md documents when each one is used.
const (
	KindConnectTimeout      = "connect_timeout"
	KindReadTimeout         = "read_timeout"
	KindWriteTimeout        = "write_timeout"
	KindConnect             = "connect"
	KindRead                = "read"
	KindWrite               = "write"
	KindProxy               = "proxy"
	KindTLS                 = "tls"
	KindProtocol            = "protocol"
	KindUnsupportedProtocol = "unsupported_protocol"
	KindInvalidURL          = "invalid_url"
	KindInvalidProfile      = "invalid_profile"
	KindInvalidConfig       = "invalid_config"
	KindInvalidHandle       = "invalid_handle"
	KindCancelled           = "cancelled"
	KindInternal            = "internal"
)

// ErrorKinds is the single list of every kind this library can report;
// tlsr_error_kinds returns it and tests check every kind used is in it.
var ErrorKinds = []string{
	KindConnectTimeout, KindReadTimeout, KindWriteTimeout,
	KindConnect, KindRead, KindWrite,
	KindProxy, KindTLS, KindProtocol,
	KindUnsupportedProtocol, KindInvalidURL, KindInvalidProfile, KindInvalidConfig,
	KindInvalidHandle, KindCancelled, KindInternal,
}

// Error is an error with a stable kind; it is what crosses the boundary as
// {"kind": ..., "message": ...}.
type Error struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Kind + ": " + e.Message }

func newError(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrorJSON renders err as the boundary's error object. Errors that are not
// *Error (which should not happen) become kind "internal".
func ErrorJSON(err error) []byte {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Kind: KindInternal, Message: err.Error()}
	}
	b, mErr := json.Marshal(e)
	if mErr != nil {
		return []byte(`{"kind":"internal","message":"cannot encode error"}`)
	}
	return b
}

// PanicError converts a recovered panic value into an "internal" error.
func PanicError(v any) error {
	return newError(KindInternal, "panic: %v", v)
}

// Causes given to a request's context.CancelCauseFunc. They decide the kind of
// any error that follows the cancellation.
var (
	errCancelled      = &Error{Kind: KindCancelled, Message: "request cancelled"}
	errSessionClosed  = &Error{Kind: KindCancelled, Message: "session closed"}
	errRequestClosed  = &Error{Kind: KindCancelled, Message: "request handle closed"}
	errConnectTimeout = &Error{Kind: KindConnectTimeout, Message: "connect timeout expired"}
	errReadTimeout    = &Error{Kind: KindReadTimeout, Message: "read timeout expired"}
	errWriteTimeout   = &Error{Kind: KindWriteTimeout, Message: "write timeout expired"}
)

// phase says how far a request got; it decides the kind of a network error
// that carries no better information (connect vs write vs read).
type phase int32

const (
	phaseConnect phase = iota // until a connection is ready
	phaseWrite                // sending the request
	phaseRead                 // waiting for or reading the response
)

// proxyError marks a failure while talking to a proxy (TCP, TLS, CONNECT or
// SOCKS handshake). Only the dialer in dialer.go creates it.
type proxyError struct{ err error }

func (e *proxyError) Error() string { return "proxy: " + e.err.Error() }
func (e *proxyError) Unwrap() error { return e.err }

// classify turns a transport error into an *Error. ctx is the request's
// context: when it was cancelled, its cause (cancel or one of our timeouts)
// wins, because the transport error is then only a consequence.
func classify(ctx context.Context, err error, ph phase) *Error {
	if ctx != nil && ctx.Err() != nil {
		var cause *Error
		if errors.As(context.Cause(ctx), &cause) {
			return cause
		}
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	msg := err.Error()
	if isTimeout(err) {
		return &Error{Kind: timeoutKind(ph), Message: msg}
	}
	var pe *proxyError
	if errors.As(err, &pe) {
		return &Error{Kind: KindProxy, Message: msg}
	}
	if isTLSError(err, ph) {
		return &Error{Kind: KindTLS, Message: msg}
	}
	if isProtocolError(err) {
		return &Error{Kind: KindProtocol, Message: msg}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return &Error{Kind: KindConnect, Message: msg}
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return &Error{Kind: KindConnect, Message: msg}
	}
	if errors.Is(err, context.Canceled) {
		// A cancellation we did not cause ourselves (should not happen).
		return &Error{Kind: KindCancelled, Message: msg}
	}
	return &Error{Kind: networkKind(ph), Message: msg}
}

func timeoutKind(ph phase) string {
	switch ph {
	case phaseConnect:
		return KindConnectTimeout
	case phaseWrite:
		return KindWriteTimeout
	default:
		return KindReadTimeout
	}
}

func networkKind(ph phase) string {
	switch ph {
	case phaseConnect:
		return KindConnect
	case phaseWrite:
		return KindWrite
	default:
		return KindRead
	}
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isTLSError(err error, ph phase) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		certInvalid      x509.CertificateInvalidError
		uVerify          *utls.CertificateVerificationError
		sVerify          *stdtls.CertificateVerificationError
		uRecord          utls.RecordHeaderError
		sRecord          stdtls.RecordHeaderError
		uAlert           utls.AlertError
		sAlert           stdtls.AlertError
		uECH             *utls.ECHRejectionError
	)
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &certInvalid),
		errors.As(err, &uVerify), errors.As(err, &sVerify),
		errors.As(err, &uRecord), errors.As(err, &sRecord),
		errors.As(err, &uAlert), errors.As(err, &sAlert), errors.As(err, &uECH):
		return true
	}
	// utls reports alerts received from the peer as
	// &net.OpError{Op: "remote error", Err: alert} with an unexported alert type.
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "remote error" {
		return true
	}
	msg := err.Error()
	for _, m := range tlsMarkers {
		if strings.Contains(msg, m) {
			return true
		}
	}
	// Local handshake failures are plain errors.New("tls: ...") in utls; only
	// trust that prefix while connecting ("tls: use of closed connection" later
	// is a read/write failure).
	return ph == phaseConnect && strings.HasPrefix(innermost(err).Error(), "tls: ")
}

// tlsMarkers are substrings of TLS errors that fhttp flattens with %v or
// re-creates as plain strings (e.g. "readLoopPeekFailLocked: remote error:
// tls: certificate required" when the server rejects our client certificate
// after an HTTP/1.1 handshake).
var tlsMarkers = []string{
	"remote error: tls: ",
	"server gave HTTP response to HTTPS client",
}

// protocolMarkers are substrings of fhttp errors that it flattens with %v
// (e.g. "HTTP/1.x transport connection broken: malformed HTTP response"),
// so errors.As cannot find them. Kept short and specific on purpose.
var protocolMarkers = []string{
	"malformed HTTP", "malformed MIME header", "malformed chunked encoding",
	"invalid header field", "unsupported transfer encoding", "too many transfer encodings",
	"bad Content-Length", "invalid Content-Length", "server sent invalid",
	"http2: server", "http2: invalid", "http2: response header list larger",
}

func isProtocolError(err error) bool {
	var (
		streamErr http2.StreamError
		connErr   http2.ConnectionError
		goAwayErr http2.GoAwayError
		textErr   textproto.ProtocolError
	)
	if errors.As(err, &streamErr) || errors.As(err, &connErr) || errors.As(err, &goAwayErr) || errors.As(err, &textErr) {
		return true
	}
	msg := err.Error()
	for _, m := range protocolMarkers {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
