package bridge

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// rawHTTP1Server answers every request with its raw request head as body.
func rawHTTP1Server(t *testing.T) string {
	ln := listen(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			var head strings.Builder
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if line == "\r\n" {
					break
				}
				head.WriteString(line)
			}
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", head.Len(), head.String())
		}
	})
	return "http://" + ln.Addr().String()
}

// rawHTTP2Server answers every request with its decoded HEADERS block, one
// "name: value" per line, in wire order. The response headers x-settings and
// x-window report the client's first SETTINGS frame (wire order) and its
// first connection-level WINDOW_UPDATE increment.
func rawHTTP2Server(t *testing.T, pki *testPKI) string {
	ln := listen(t, func(c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{pki.serverCert}, NextProtos: []string{"h2"}})
		if tc.Handshake() != nil {
			return
		}
		if _, err := io.ReadFull(tc, make([]byte, len(http2.ClientPreface))); err != nil {
			return
		}
		fr := http2.NewFramer(tc, tc)
		fr.WriteSettings()
		dec := hpack.NewDecoder(4096, nil)
		var settings []string
		window := "none"
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			switch f := f.(type) {
			case *http2.SettingsFrame:
				if !f.IsAck() {
					if settings == nil {
						f.ForeachSetting(func(st http2.Setting) error {
							settings = append(settings, fmt.Sprintf("%d:%d", st.ID, st.Val))
							return nil
						})
					}
					fr.WriteSettingsAck()
				}
			case *http2.WindowUpdateFrame:
				if f.StreamID == 0 && window == "none" {
					window = fmt.Sprint(f.Increment)
				}
			case *http2.HeadersFrame:
				fields, err := dec.DecodeFull(f.HeaderBlockFragment())
				if err != nil {
					return
				}
				var body strings.Builder
				for _, hf := range fields {
					fmt.Fprintf(&body, "%s: %s\r\n", hf.Name, hf.Value)
				}
				var hb bytes.Buffer
				enc := hpack.NewEncoder(&hb)
				enc.WriteField(hpack.HeaderField{Name: ":status", Value: "200"})
				enc.WriteField(hpack.HeaderField{Name: "x-settings", Value: strings.Join(settings, ";")})
				enc.WriteField(hpack.HeaderField{Name: "x-window", Value: window})
				fr.WriteHeaders(http2.HeadersFrameParam{StreamID: f.StreamID, BlockFragment: hb.Bytes(), EndHeaders: true})
				fr.WriteData(f.StreamID, true, []byte(body.String()))
			}
		}
	})
	return "https://" + ln.Addr().String()
}

func TestHeaderOrderOnTheWire(t *testing.T) {
	pki := newPKI(t)
	h1 := rawHTTP1Server(t)
	h2 := rawHTTP2Server(t, pki)
	h1Host := strings.TrimPrefix(h1, "http://")
	h2Host := strings.TrimPrefix(h2, "https://")
	given := []Header{
		{"User-Agent", "ua/1"}, {"Accept", "text/html"}, {"X-Dup", "1"},
		{"accept-language", "en"}, {"X-Dup", "2"}, {"Content-Length", "99"},
	}
	cases := []struct {
		name, url string
		headers   []Header
		want      []string
	}{
		{"http1", h1 + "/p", given, []string{
			"GET /p HTTP/1.1", "Host: " + h1Host, "User-Agent: ua/1", "Accept: text/html",
			"X-Dup: 1", "X-Dup: 2", "accept-language: en",
		}},
		{"http1 host given and no user-agent", h1 + "/p", []Header{{"Accept", "a"}, {"Host", "example.test"}}, []string{
			"GET /p HTTP/1.1", "Accept: a", "Host: example.test",
		}},
		{"http2", h2 + "/p", given, []string{
			":method: GET", ":authority: " + h2Host, ":scheme: https", ":path: /p",
			"user-agent: ua/1", "accept: text/html", "x-dup: 1", "x-dup: 2", "accept-language: en",
		}},
		{"http2 no user-agent", h2 + "/p", []Header{{"Accept", "a"}}, []string{
			":method: GET", ":authority: " + h2Host, ":scheme: https", ":path: /p", "accept: a",
		}},
	}
	sess := trustSession(t, pki.caPEM)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := mustOK(t, roundTrip(t, sess, RequestMeta{URL: tc.url, Headers: tc.headers}, nil))
			got := strings.Split(strings.TrimSuffix(string(res.body), "\r\n"), "\r\n")
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("wire headers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestBuildHeadersValidation(t *testing.T) {
	cases := []struct {
		name string
		in   []Header
		kind string
	}{
		{"ok", []Header{{"X-A", "b"}, {"x-a", "c"}}, ""},
		{"CR in value", []Header{{"X-A", "b\rc"}}, KindInvalidConfig},
		{"LF in value", []Header{{"X-A", "b\nX-Evil: 1"}}, KindInvalidConfig},
		{"NUL in value", []Header{{"X-A", "b\x00"}}, KindInvalidConfig},
		{"CRLF in name", []Header{{"X-A\r\nX-B", "v"}}, KindInvalidConfig},
		{"space in name", []Header{{"X A", "v"}}, KindInvalidConfig},
		{"empty name", []Header{{"", "v"}}, KindInvalidConfig},
		{"pseudo header", []Header{{":path", "/"}}, KindInvalidConfig},
		{"two hosts", []Header{{"Host", "a"}, {"host", "b"}}, KindInvalidConfig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildHeaders(tc.in)
			if tc.kind == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantKind(t, asError(err), tc.kind)
		})
	}
}

func TestParseURL(t *testing.T) {
	cases := []struct{ url, kind string }{
		{"https://example.test/a?b=c", ""},
		{"HTTP://example.test", ""},
		{"http://[::1]:8080/", ""},
		{"ftp://example.test/", KindUnsupportedProtocol},
		{"example.test/path", KindUnsupportedProtocol},
		{"ws://example.test/", KindUnsupportedProtocol},
		{"http://", KindInvalidURL},
		{"http://exa mple.test/", KindInvalidURL},
		{"http://example.test:port/", KindInvalidURL},
		{"https:opaque", KindInvalidURL},
		{"%zz", KindInvalidURL},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			u, err := parseURL(tc.url)
			if tc.kind == "" {
				if err != nil {
					t.Fatal(err)
				}
				if u.Scheme != "http" && u.Scheme != "https" {
					t.Fatalf("scheme %q not normalised", u.Scheme)
				}
				return
			}
			wantKind(t, asError(err), tc.kind)
		})
	}
}

func TestURLUserinfoIsNotSent(t *testing.T) {
	h1 := rawHTTP1Server(t)
	sess := newTestSession(t, SessionConfig{})
	res := mustOK(t, roundTrip(t, sess, RequestMeta{URL: strings.Replace(h1, "http://", "http://user:pass@", 1)}, nil))
	if strings.Contains(string(res.body), "Authorization") {
		t.Fatalf("Go added Authorization from the URL:\n%s", res.body)
	}
}
