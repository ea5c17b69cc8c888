package bridge

import (
	"context"
	stdtls "crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"syscall"
	"testing"

	"github.com/bogdanfinn/fhttp/http2"
	utls "github.com/bogdanfinn/utls"
)

func TestClassify(t *testing.T) {
	cancelled := func(cause error) context.Context {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(cause)
		return ctx
	}
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "https://x", Err: err} }
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	timeoutOp := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	cases := []struct {
		name string
		ctx  context.Context
		err  error
		ph   phase
		kind string
	}{
		{"cancel cause wins", cancelled(errCancelled), urlErr(context.Canceled), phaseRead, KindCancelled},
		{"session closed", cancelled(errSessionClosed), io.ErrUnexpectedEOF, phaseRead, KindCancelled},
		{"connect timer", cancelled(errConnectTimeout), urlErr(context.Canceled), phaseConnect, KindConnectTimeout},
		{"read timer", cancelled(errReadTimeout), errors.New("stream reset"), phaseRead, KindReadTimeout},
		{"write timer", cancelled(errWriteTimeout), io.ErrClosedPipe, phaseWrite, KindWriteTimeout},
		{"own error passes through", nil, fmt.Errorf("wrapped: %w", newError(KindInvalidURL, "x")), phaseConnect, KindInvalidURL},
		{"deadline while connecting", nil, urlErr(context.DeadlineExceeded), phaseConnect, KindConnectTimeout},
		{"net timeout while connecting", nil, timeoutOp, phaseConnect, KindConnectTimeout},
		{"net timeout while writing", nil, timeoutOp, phaseWrite, KindWriteTimeout},
		{"net timeout while reading", nil, timeoutOp, phaseRead, KindReadTimeout},
		{"proxy refused", nil, urlErr(&proxyError{refused}), phaseConnect, KindProxy},
		{"proxy 407", nil, &proxyError{errors.New("proxy answered CONNECT with 407")}, phaseConnect, KindProxy},
		{"refused", nil, urlErr(refused), phaseConnect, KindConnect},
		{"dns", nil, urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}), phaseConnect, KindConnect},
		{"unknown CA", nil, urlErr(&utls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), phaseConnect, KindTLS},
		{"bad hostname", nil, x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}, phaseConnect, KindTLS},
		{"std verify error", nil, &stdtls.CertificateVerificationError{Err: errors.New("x")}, phaseConnect, KindTLS},
		{"not TLS", nil, urlErr(utls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), phaseConnect, KindTLS},
		{"alert received", nil, &net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}, phaseRead, KindTLS},
		{"alert error", nil, utls.AlertError(40), phaseConnect, KindTLS},
		{"utls plain handshake error", nil, errors.New("tls: server selected unsupported protocol version 301"), phaseConnect, KindTLS},
		{"tls-prefixed error after connect is not tls", nil, errors.New("tls: use of closed connection"), phaseRead, KindRead},
		{"h2 stream error", nil, urlErr(http2.StreamError{StreamID: 1, Code: http2.ErrCodeProtocol}), phaseRead, KindProtocol},
		{"h2 connection error", nil, http2.ConnectionError(http2.ErrCodeProtocol), phaseRead, KindProtocol},
		{"h2 goaway", nil, http2.GoAwayError{ErrCode: http2.ErrCodeProtocol}, phaseRead, KindProtocol},
		{"h1 malformed", nil, errors.New("net/http: HTTP/1.x transport connection broken: malformed HTTP response \"x\""), phaseRead, KindProtocol},
		{"broken while reading", nil, urlErr(io.ErrUnexpectedEOF), phaseRead, KindRead},
		{"EOF while reading", nil, urlErr(io.EOF), phaseRead, KindRead},
		{"reset while writing", nil, &net.OpError{Op: "write", Err: os.NewSyscallError("write", syscall.EPIPE)}, phaseWrite, KindWrite},
		{"reset while connecting", nil, &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, phaseConnect, KindConnect},
		{"foreign cancel", nil, context.Canceled, phaseRead, KindCancelled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := classify(tc.ctx, tc.err, tc.ph)
			if got.Kind != tc.kind {
				t.Fatalf("kind = %q (%s), want %q", got.Kind, got.Message, tc.kind)
			}
			if !slices.Contains(ErrorKinds, got.Kind) {
				t.Fatalf("kind %q is not in ErrorKinds", got.Kind)
			}
		})
	}
}

func TestErrorKindsListIsComplete(t *testing.T) {
	want := []string{
		"connect_timeout", "read_timeout", "write_timeout", "connect", "read", "write", "proxy", "tls",
		"protocol", "unsupported_protocol", "invalid_url", "invalid_profile", "invalid_config",
		"invalid_handle", "cancelled", "internal",
	}
	var got []string
	if err := json.Unmarshal(ErrorKindsJSON(), &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ErrorKinds = %v, want %v (docs/internals/ffi.md)", got, want)
	}
	for _, e := range []*Error{errCancelled, errSessionClosed, errRequestClosed, errConnectTimeout, errReadTimeout, errWriteTimeout} {
		if !slices.Contains(ErrorKinds, e.Kind) {
			t.Errorf("cause %v has unlisted kind", e)
		}
	}
}

func TestErrorJSON(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{newError(KindTLS, "bad cert"), `{"kind":"tls","message":"bad cert"}`},
		{fmt.Errorf("ctx: %w", newError(KindProxy, "407")), `{"kind":"proxy","message":"407"}`},
		{errors.New("surprise"), `{"kind":"internal","message":"surprise"}`},
		{PanicError("boom"), `{"kind":"internal","message":"panic: boom"}`},
	}
	for _, tc := range cases {
		if got := string(ErrorJSON(tc.err)); got != tc.want {
			t.Errorf("ErrorJSON(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}
