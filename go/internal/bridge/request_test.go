package bridge

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	nethttp "net/http"
	"strings"
	"sync"
	"testing"
)

var protocols = []struct {
	name    string
	h2      bool
	version string
}{
	{"http1", false, "HTTP/1.1"},
	{"http2", true, "HTTP/2"},
}

func TestGetBothProtocols(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
				w.Header().Add("Set-Cookie", "a=1")
				w.Header().Add("Set-Cookie", "b=2")
				w.Header().Set("X-Seen-UA", fmt.Sprint(r.Header.Values("User-Agent")))
				w.Header().Set("X-Seen-AE", fmt.Sprint(r.Header.Values("Accept-Encoding")))
				w.Header().Set("X-Seen-Dup", strings.Join(r.Header.Values("X-Dup"), ","))
				w.WriteHeader(201)
				io.WriteString(w, "hello "+r.URL.RequestURI())
			})
			sess := trustSession(t, srv.caPEM)
			res := mustOK(t, roundTrip(t, sess, RequestMeta{
				URL:     srv.URL + "/path?q=1",
				Headers: []Header{{"X-Dup", "one"}, {"accept", "*/*"}, {"X-Dup", "two"}},
			}, nil))
			m := res.meta
			if m.StatusCode != 201 || m.ReasonPhrase != "Created" || m.HTTPVersion != p.version {
				t.Fatalf("status line: %+v", m)
			}
			if m.URL != srv.URL+"/path?q=1" {
				t.Errorf("url = %q", m.URL)
			}
			if got := string(res.body); got != "hello /path?q=1" {
				t.Errorf("body = %q", got)
			}
			if got := m.header("set-cookie"); len(got) != 2 || got[0] != "a=1" || got[1] != "b=2" {
				t.Errorf("set-cookie = %q", got)
			}
			if got := m.header("x-seen-ua"); got[0] != "[]" {
				t.Errorf("Go added a User-Agent: %q", got)
			}
			if got := m.header("x-seen-ae"); got[0] != "[]" {
				t.Errorf("Go added an Accept-Encoding: %q", got)
			}
			if got := m.header("x-seen-dup"); got[0] != "one,two" {
				t.Errorf("duplicate header values = %q", got)
			}
			if m.ContentLength != int64(len(res.body)) {
				t.Errorf("content_length = %d, body %d", m.ContentLength, len(res.body))
			}
			for i := 1; i < len(m.Headers); i++ {
				if m.Headers[i-1].Name > m.Headers[i].Name {
					t.Fatalf("headers not sorted: %v", m.Headers)
				}
			}
		})
	}
}

// The body must arrive exactly as sent (Python decodes Content-Encoding),
// whether or not the caller asked for gzip.
func TestBodyIsNotDecoded(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat("compress me ", 100)))
	zw.Close()
	for _, p := range protocols {
		for _, ae := range []string{"", "gzip, deflate, br, zstd"} {
			t.Run(p.name+"/ae="+ae, func(t *testing.T) {
				srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
					w.Header().Set("Content-Encoding", "gzip")
					w.Write(gz.Bytes())
				})
				var hdrs []Header
				if ae != "" {
					hdrs = append(hdrs, Header{"Accept-Encoding", ae})
				}
				res := mustOK(t, roundTrip(t, trustSession(t, srv.caPEM), RequestMeta{URL: srv.URL, Headers: hdrs}, nil))
				if !bytes.Equal(res.body, gz.Bytes()) {
					t.Fatalf("body was altered: got %d bytes, want the %d gzip bytes", len(res.body), gz.Len())
				}
				if got := res.meta.header("content-encoding"); len(got) != 1 || got[0] != "gzip" {
					t.Errorf("content-encoding = %q", got)
				}
				if res.meta.ContentLength != int64(gz.Len()) {
					t.Errorf("content_length = %d", res.meta.ContentLength)
				}
			})
		}
	}
}

func TestConnectionReuse(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
				io.WriteString(w, strings.Repeat("x", 10000))
			})
			sess := trustSession(t, srv.caPEM)
			for i := 0; i < 5; i++ {
				res := mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL}, nil))
				if len(res.body) != 10000 {
					t.Fatalf("body %d bytes", len(res.body))
				}
			}
			if n := srv.conns.Load(); n != 1 {
				t.Fatalf("%d TCP connections for 5 sequential requests, want 1", n)
			}
		})
	}
}

func TestConnectionReusePlainHTTP(t *testing.T) {
	srv := newHTTPServer(t, func(w nethttp.ResponseWriter, r *nethttp.Request) { io.WriteString(w, "ok") })
	sess := newTestSession(t, SessionConfig{})
	for i := 0; i < 5; i++ {
		mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL}, nil))
	}
	if n := srv.conns.Load(); n != 1 {
		t.Fatalf("%d TCP connections, want 1", n)
	}
}

func TestBodylessResponses(t *testing.T) {
	for _, p := range protocols {
		srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
			switch r.URL.Path {
			case "/204":
				w.WriteHeader(204)
			case "/304":
				w.WriteHeader(304)
			default:
				w.Header().Set("Content-Length", "1000")
				if r.Method != "HEAD" {
					w.Write(make([]byte, 1000))
				}
			}
		})
		sess := trustSession(t, srv.caPEM)
		for _, tc := range []struct {
			method, path string
			status       int
		}{{"HEAD", "/", 200}, {"GET", "/204", 204}, {"GET", "/304", 304}, {"HEAD", "/204", 204}} {
			t.Run(p.name+"/"+tc.method+tc.path, func(t *testing.T) {
				res := mustOK(t, roundTrip(t, sess, RequestMeta{Method: tc.method, URL: srv.URL + tc.path,
					Timeout: &Timeouts{Read: secs(2)}}, nil))
				if res.meta.StatusCode != tc.status || len(res.body) != 0 || res.meta.ContentLength != 0 {
					t.Fatalf("got %d, %d body bytes, content_length %d", res.meta.StatusCode, len(res.body), res.meta.ContentLength)
				}
			})
		}
	}
}

func TestPostBodies(t *testing.T) {
	echo := func(w nethttp.ResponseWriter, r *nethttp.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s|%d|%v|%s", r.Method, r.ContentLength, r.TransferEncoding, b)
	}
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			srv := newTLSServer(t, p.h2, echo)
			sess := trustSession(t, srv.caPEM)
			res := mustOK(t, roundTrip(t, sess, RequestMeta{Method: "POST", URL: srv.URL,
				Headers: []Header{{"Content-Length", "999"}, {"Content-Type", "text/plain"}}}, []byte("payload")))
			if got := string(res.body); got != "POST|7|[]|payload" {
				t.Errorf("bytes body: %q", got)
			}
			res = mustOK(t, roundTrip(t, sess, RequestMeta{Method: "POST", URL: srv.URL}, nil))
			if got := string(res.body); got != "POST|0|[]|" {
				t.Errorf("empty body: %q", got)
			}
		})
	}
}

func TestStreamedUpload(t *testing.T) {
	for _, p := range protocols {
		for _, cl := range []int64{-1, 12} {
			t.Run(fmt.Sprintf("%s/cl=%d", p.name, cl), func(t *testing.T) {
				srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
					b, _ := io.ReadAll(r.Body)
					fmt.Fprintf(w, "%d|%s", r.ContentLength, b)
				})
				sess := trustSession(t, srv.caPEM)
				h, err := start(t, sess, RequestMeta{Method: "PUT", URL: srv.URL, StreamBody: true, ContentLength: i64(cl)}, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer CloseRequest(h)
				for _, chunk := range []string{"hello ", "", "world!"} {
					if err := WriteRequest(h, []byte(chunk)); err != nil {
						t.Fatalf("write: %v", err)
					}
				}
				if err := CloseRequestBody(h); err != nil {
					t.Fatal(err)
				}
				res := finishRequest(t, h)
				mustOK(t, res)
				want := fmt.Sprintf("%d|hello world!", cl)
				if string(res.body) != want {
					t.Fatalf("got %q, want %q", res.body, want)
				}
			})
		}
	}
}

func TestConcurrentRequests(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
				io.WriteString(w, r.URL.Query().Get("i"))
			})
			sess := trustSession(t, srv.caPEM)
			hdrs := []Header{{"User-Agent", "shared"}}
			var wg sync.WaitGroup
			for i := 0; i < 20; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res := roundTrip(t, sess, RequestMeta{URL: fmt.Sprintf("%s/?i=%d", srv.URL, i), Headers: hdrs}, nil)
					if res.err != nil || string(res.body) != fmt.Sprint(i) {
						t.Errorf("request %d: %v %q", i, res.err, res.body)
					}
				}()
			}
			wg.Wait()
		})
	}
}

func TestStatsReturnToZero(t *testing.T) {
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) { io.WriteString(w, "ok") })
	b := []byte(fmt.Sprintf(`{"client_identifier": %q, "root_ca_pem": %q}`, testProfile, srv.caPEM))
	sess, err := NewSession(b)
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL}, nil))
	h, _ := start(t, sess, RequestMeta{URL: srv.URL}, nil)
	if got := string(StatsJSON(3)); got != `{"sessions":1,"requests":1,"buffers":3}` {
		t.Fatalf("stats = %s", got)
	}
	if err := CloseSession(sess); err != nil {
		t.Fatal(err)
	}
	if err := CloseRequest(h); err != nil {
		t.Fatal(err)
	}
	waitNoHandles(t)
}

// Go must not follow redirects or keep cookies: Python does both.
func TestNoRedirectsNoCookies(t *testing.T) {
	var hits, cookieHeaders int
	var mu sync.Mutex
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) {
		mu.Lock()
		hits++
		if r.Header.Get("Cookie") != "" {
			cookieHeaders++
		}
		mu.Unlock()
		nethttp.SetCookie(w, &nethttp.Cookie{Name: "s", Value: "1"})
		nethttp.Redirect(w, r, "/next", nethttp.StatusFound)
	})
	sess := trustSession(t, srv.caPEM)
	for i := 0; i < 2; i++ {
		res := mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL + "/start"}, nil))
		if res.meta.StatusCode != 302 || res.meta.header("location")[0] != "/next" || len(res.meta.header("set-cookie")) != 1 {
			t.Fatalf("got %+v", res.meta)
		}
	}
	if hits != 2 || cookieHeaders != 0 {
		t.Fatalf("server hits=%d (want 2: no redirect followed), cookie headers sent=%d", hits, cookieHeaders)
	}
}

// Closing a session closes its connections: idle ones, and those still carrying
// a response body, once that body's request handle is closed.
func TestCloseSessionClosesConnections(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			srv := newTLSServer(t, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
				if r.URL.Path == "/idle" {
					io.WriteString(w, "ok")
					return
				}
				chunk := []byte(strings.Repeat("x", 16384))
				for i := 0; i < 4000 && r.Context().Err() == nil; i++ {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			})
			sess := trustSession(t, srv.caPEM)
			mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL + "/idle"}, nil))
			h, serr := start(t, sess, RequestMeta{URL: srv.URL + "/stream"}, nil)
			if serr != nil {
				t.Fatal(serr)
			}
			if _, err := WaitRequest(h); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadResponse(h, make([]byte, 1024)); err != nil {
				t.Fatal(err)
			}
			if err := CloseSession(sess); err != nil {
				t.Fatal(err)
			}
			if err := CloseRequest(h); err != nil {
				t.Fatal(err)
			}
			srv.waitNoOpenConns(t)
		})
	}
}
