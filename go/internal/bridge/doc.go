// Package bridge is everything behind the C API of libtlsrequests except the
// cgo shims: sessions, requests, the JSON wire format and error kinds. It
// does not import "C", so `go test -race` covers all of it.
//
// Handles. Sessions and requests live in registries (registry.go) keyed by
// counters starting at 1; no Go pointer crosses the boundary.
//
// Clients. A Session owns tls-client HttpClients per (profile, proxy,
// origin), created on first use (clients.go) and never mutated afterwards, so
// per-request proxies and profiles need no SetProxy. A client dials under one
// lock, so the group of an origin has one client for HTTP/2 and up to
// maxClientsPerOrigin for HTTP/1.1. Idle clients past maxIdleClients are
// closed, least recently used first. Every client has no
// cookie jar, follows no redirects, has no overall timeout, disables
// compression (the body stays encoded, no Accept-Encoding is added) and dials
// through our dialer (dialer.go), which implements the proxies itself so
// proxy failures are typed and every dial honours the connect deadline.
//
// Requests. tls-client's Do runs in a goroutine (request.go). Per-request
// timeouts are timers that cancel the request's context with a cause
// (timers.go); fhttp's httptrace hooks mark the phases: GotConn ends the
// connect phase, WroteRequest starts waiting for the head, and each body read
// arms the read timer again. Exported calls wait on the Do goroutine or the
// context, whichever ends first, so cancel and timeouts return promptly even
// where the transport ignores the context (tls-client's HTTP/2 re-dials run on
// context.Background(); their handshake is bounded by a deadline on the raw
// conn instead, cleared at GotConn).
//
// Bodies. A streamed request body goes through bodyPipe (pipe.go), which
// copies from the caller's chunk during tlsr_request_write and never keeps
// it. Once an HTTP/1.x response head arrives, Do's goroutine reads the start
// of the body ahead of the caller (prefetch.go).
//
// Errors. classify (errors.go) maps a transport error to one of ErrorKinds:
// the context's cause first, then typed errors (errors.As), then a few
// substrings of errors fhttp flattens with %v, and finally the phase the
// request was in (connect / write / read).
package bridge
