package bridge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	http "github.com/bogdanfinn/fhttp"
	"github.com/bogdanfinn/fhttp/httptrace"
	"github.com/bogdanfinn/tls-client/profiles"
	"golang.org/x/net/http/httpguts"
)

// Request is one tlsr_request_start handle. Do runs in its own goroutine;
// the exported calls wait on done or on the context, never on Do itself, so
// cancel and timeouts return promptly even where the transport ignores the
// context (tls-client's HTTP/2 re-dials).
type Request struct {
	sess *Session
	req  *http.Request

	// The client is picked when the request runs (clients.go).
	key          clientKey
	profile      profiles.ClientProfile
	proxyURL     *url.URL
	connectLimit *time.Duration
	client       *client      // set by acquire; guarded by sess.mu until then
	probing      *clientGroup // the origin whose protocol this request learns; guarded by sess.mu
	untracked    bool         // the handle was closed; guarded by sess.mu
	isProbe      atomic.Bool  // probing != nil, readable without the lock

	ctx    context.Context
	cancel context.CancelCauseFunc
	noUA   bool

	// Timers, each cancelling ctx with its own cause (see timeouts in ffi.md).
	connectT *deadline // start .. connection ready
	writeT   *deadline // while the transport writes headers / a body chunk
	headT    *deadline // request written .. response head
	bodyT    *deadline // each response body read

	phase atomic.Int32 // a phase; only moves forward

	// Streamed request body (meta.stream_body).
	stream   bool
	writeMu  sync.Mutex
	pipe     *bodyPipe // nil unless streamed with content_length != 0
	bodyDone bool      // write_close called

	done     chan struct{} // closed when Do returned
	mu       sync.Mutex    // guards the fields below
	headDone bool
	resp     *http.Response
	err      *Error
	closed   bool
	meta     []byte // ResponseMeta JSON, built once
	bodyless bool   // HEAD, 1xx, 204, 304: reads return EOF at once

	readMu  sync.Mutex // serialises body reads; guards eof, readErr, pf (once done is closed)
	eof     bool
	readErr *Error
	pf      *prefetch // set before done is closed; nil when there is none or it was drained
}

// StartRequest validates a JSON RequestMeta, registers a request handle and
// starts the request in the background. body is copied when not streamed.
func StartRequest(session uint64, metaJSON, body []byte) (uint64, error) {
	s, ok := sessions.get(session)
	if !ok {
		return 0, invalidHandle("session", session)
	}
	meta, err := decodeRequestMeta(metaJSON)
	if err != nil {
		return 0, err
	}
	r, err := newRequest(s, &meta, body)
	if err != nil {
		return 0, err
	}
	if err := s.track(r); err != nil {
		r.cancel(errSessionClosed)
		return 0, err
	}
	h := requests.add(r)
	r.connectT.arm()
	go r.run()
	return h, nil
}

func newRequest(s *Session, meta *RequestMeta, body []byte) (*Request, error) {
	if !httpguts.ValidHeaderFieldName(meta.Method) { // a method is a token
		return nil, newError(KindInvalidConfig, "invalid method %q", meta.Method)
	}
	u, err := parseURL(meta.URL)
	if err != nil {
		return nil, err
	}
	hdrs, err := buildHeaders(meta.Headers)
	if err != nil {
		return nil, err
	}
	var t Timeouts
	if meta.Timeout != nil {
		t = *meta.Timeout
	}
	connect, err := seconds("connect", t.Connect)
	if err != nil {
		return nil, err
	}
	read, err := seconds("read", t.Read)
	if err != nil {
		return nil, err
	}
	write, err := seconds("write", t.Write)
	if err != nil {
		return nil, err
	}
	if _, err := seconds("pool", t.Pool); err != nil {
		return nil, err
	}
	contentLength := int64(-1)
	if meta.ContentLength != nil {
		contentLength = *meta.ContentLength
	}
	if meta.StreamBody && len(body) > 0 {
		return nil, newError(KindInvalidConfig, "stream_body is true but a body was passed to tlsr_request_start")
	}
	if meta.StreamBody && contentLength < -1 {
		return nil, newError(KindInvalidConfig, "content_length must be >= -1, got %d", contentLength)
	}
	proxyURL, err := parseProxy(meta.Proxy)
	if err != nil {
		return nil, err
	}
	profile, err := s.resolveProfile(meta.ClientIdentifier)
	if err != nil {
		return nil, err
	}
	key := clientKey{profile: meta.ClientIdentifier, origin: origin(u)}
	if proxyURL != nil {
		key.proxy = proxyURL.String()
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	r := &Request{
		sess: s, cancel: cancel, noUA: !hdrs.hasUA, stream: meta.StreamBody,
		key: key, profile: profile, proxyURL: proxyURL, connectLimit: connect,
		connectT: newDeadline(connect, errConnectTimeout, cancel),
		writeT:   newDeadline(write, errWriteTimeout, cancel),
		headT:    newDeadline(read, errReadTimeout, cancel),
		bodyT:    newDeadline(read, errReadTimeout, cancel),
		done:     make(chan struct{}),
	}
	if connect != nil {
		ctx = withConnectDeadline(ctx, time.Now().Add(*connect))
	}
	r.ctx = ctx
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn:      r.gotConn,
		WroteRequest: r.wroteRequest,
	})

	req := &http.Request{
		Method: meta.Method, URL: u, Host: hdrs.host, Header: hdrs.header,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
	switch {
	case meta.StreamBody && contentLength != 0:
		r.pipe = newBodyPipe()
		body := pipeReader{r.pipe}
		req.Body = &timedBody{r: body, c: body, t: r.writeT}
		req.ContentLength = contentLength // -1: chunked (HTTP/1.1) / no content-length (HTTP/2)
		// A cancel or timeout unblocks a tlsr_request_write waiting on the pipe.
		context.AfterFunc(r.ctx, func() { r.pipe.CloseRead(context.Cause(r.ctx)) })
	case len(body) > 0:
		data := bytes.Clone(body)
		req.ContentLength = int64(len(data))
		req.GetBody = func() (io.ReadCloser, error) { return r.bytesBody(data, write != nil), nil }
		req.Body, _ = req.GetBody()
	}
	r.req = req.WithContext(ctx)
	return r, nil
}

// bytesBody wraps an in-memory body. Without a write timeout it stays a
// recognisable in-memory reader, which lets HTTP/1.1 send headers and a small
// body in one packet.
func (r *Request) bytesBody(data []byte, timed bool) io.ReadCloser {
	if !timed {
		return io.NopCloser(bytes.NewReader(data))
	}
	return &timedBody{r: bytes.NewReader(data), t: r.writeT}
}

func (r *Request) run() {
	c, err := r.sess.acquire(r)
	if err != nil {
		r.finish(nil, err)
		return
	}
	if r.connectLimit != nil {
		c.dialer.noteConnectLimit(*r.connectLimit)
	}
	var resp *http.Response
	func() {
		defer func() {
			if v := recover(); v != nil {
				err = PanicError(v)
			}
		}()
		resp, err = c.http.Do(r.req)
	}()
	if err == nil && resp == nil { // tls-client's recovered-panic result
		err = newError(KindInternal, "tls-client returned neither a response nor an error")
	}
	r.finish(resp, err)
}

func (r *Request) finish(resp *http.Response, err error) {
	switch {
	case resp == nil:
		r.sess.learned(r, protoUnknown) // the probe failed: the next request probes
	case resp.ProtoMajor == 1:
		r.sess.learned(r, protoHTTP1)
	default:
		r.sess.learned(r, protoMux)
	}
	r.connectT.stop()
	var discard *http.Response // closed outside the lock: Close may do I/O
	var pf *prefetch
	r.mu.Lock()
	r.headDone = true
	r.headT.stop()
	switch {
	case err != nil:
		r.err = classify(r.ctx, err, r.currentPhase())
		if r.pipe != nil {
			r.pipe.CloseRead(r.err)
		}
		discard = resp
	case r.closed:
		discard = resp
	default:
		r.resp = resp
		if size := prefetchSize(resp.ContentLength); size > 0 && resp.ProtoMajor == 1 &&
			resp.Body != nil && !bodylessResponse(r.req, resp) {
			pf = newPrefetch(size)
			r.pf = pf
		}
	}
	r.mu.Unlock()
	if discard != nil && discard.Body != nil {
		discard.Body.Close()
	}
	close(r.done)
	if pf != nil {
		pf.run(resp.Body) // on Do's goroutine, while the caller handles the head
	}
}

func (r *Request) currentPhase() phase { return phase(r.phase.Load()) }

func (r *Request) advance(p phase) {
	for {
		cur := r.phase.Load()
		if cur >= int32(p) || r.phase.CompareAndSwap(cur, int32(p)) {
			return
		}
	}
}

// gotConn runs when the transport has a ready connection (HTTP/1.1 and 2).
func (r *Request) gotConn(info httptrace.GotConnInfo) {
	markConnReady(info.Conn)
	r.connectT.stop()
	r.advance(phaseWrite)
	proto := negotiated(info.Conn)
	if proto == "h2" {
		r.sess.learned(r, protoMux)
	} else {
		r.sess.learned(r, protoHTTP1)
	}
	if r.noUA && !r.client.racing && proto == "h2" {
		// Safe: the header map is only read later on this same goroutine.
		noUserAgent(r.req.Header, true)
	}
	r.writeT.arm()
}

// wroteRequest runs when the request is fully written (all protocols; for
// HTTP/3 it is also the first sign of a ready connection).
func (r *Request) wroteRequest(httptrace.WroteRequestInfo) {
	r.connectT.stop()
	r.writeT.stop()
	r.advance(phaseRead)
	r.mu.Lock()
	if !r.headDone {
		r.headT.arm()
	}
	r.mu.Unlock()
}

// lookupRequest returns an open request handle.
func lookupRequest(h uint64) (*Request, error) {
	r, ok := requests.get(h)
	if !ok {
		return nil, invalidHandle("request", h)
	}
	return r, nil
}

// ErrPending is WaitRequestFor's answer when its time ran out first.
var ErrPending = errors.New("the response head has not arrived yet")

// WaitRequest blocks until the response head (or an error) and returns the
// JSON ResponseMeta.
func WaitRequest(h uint64) ([]byte, error) { return WaitRequestFor(h, -1) }

// WaitRequestFor is WaitRequest for at most max (negative: no limit); it
// returns ErrPending when max passes first. Waiting in slices lets the caller
// react in between, e.g. Python run its signal handlers (Ctrl+C).
func WaitRequestFor(h uint64, max time.Duration) ([]byte, error) {
	r, err := lookupRequest(h)
	if err != nil {
		return nil, err
	}
	if max >= 0 && !r.headReady() {
		t := time.NewTimer(max)
		defer t.Stop()
		select {
		case <-r.done:
		case <-r.ctx.Done():
		case <-t.C:
			return nil, ErrPending
		}
	}
	if _, err := r.awaitHead(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.meta, nil
}

// headReady reports whether awaitHead would return at once.
func (r *Request) headReady() bool {
	select {
	case <-r.done:
		return true
	case <-r.ctx.Done():
		return true
	default:
		return false
	}
}

// awaitHead waits for Do or for the context, whichever ends first.
func (r *Request) awaitHead() (*http.Response, error) {
	select {
	case <-r.done:
	case <-r.ctx.Done():
		select {
		case <-r.done:
		default:
			return nil, classify(r.ctx, context.Cause(r.ctx), r.currentPhase())
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.err != nil:
		return nil, r.err
	case r.resp == nil: // closed while we waited
		return nil, errRequestClosed
	case r.meta == nil && r.ctx.Err() != nil:
		// Cancelled before anyone saw the head: report the cancel.
		return nil, classify(r.ctx, context.Cause(r.ctx), r.currentPhase())
	}
	if r.meta == nil {
		meta, bodyless := responseMeta(r.resp, r.req)
		r.bodyless = bodyless
		r.meta = mustJSON(meta)
	}
	return r.resp, nil
}

// CancelRequest cancels an in-flight request. It never blocks; unknown
// handles are ignored.
func CancelRequest(h uint64) {
	if r, ok := requests.get(h); ok {
		r.cancel(errCancelled)
	}
}

// CloseRequest releases a request handle: the response body is closed
// (a fully read body has already returned its connection to the pool), the
// request is cancelled if still running, and the handle becomes invalid.
func CloseRequest(h uint64) error {
	r, ok := requests.remove(h)
	if !ok {
		return invalidHandle("request", h)
	}
	r.mu.Lock()
	r.closed = true
	resp := r.resp
	r.mu.Unlock()
	if resp != nil {
		resp.Body.Close()
	}
	r.cancel(errRequestClosed)
	if r.pipe != nil {
		r.pipe.CloseWrite(errRequestClosed)
	}
	for _, d := range []*deadline{r.connectT, r.writeT, r.headT, r.bodyT} {
		d.close()
	}
	r.sess.untrack(r) // last: a closed session then closes its connections
	return nil
}
