package bridge

import (
	"encoding/json"
	"io"
	nethttp "net/http"
	"testing"

	http "github.com/bogdanfinn/fhttp"
)

// Benchmarks of the per-request cost the bridge adds to tls-client; they run
// only with -bench:
//
//	go test -run XXX -bench . ./internal/bridge/

// A browser profile's request meta, as tls_requests sends it for a GET.
const benchMeta = `{"method":"GET","url":"https://127.0.0.1:1/json","headers":[["sec-ch-ua","\"Chromium\";v=\"146\", \"Not-A.Brand\";v=\"24\", \"Google Chrome\";v=\"146\""],["sec-ch-ua-mobile","?0"],["sec-ch-ua-platform","\"Windows\""],["Upgrade-Insecure-Requests","1"],["User-Agent","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0.0.0 Safari/537.36"],["Accept","text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"],["Sec-Fetch-Site","none"],["Sec-Fetch-Mode","navigate"],["Sec-Fetch-User","?1"],["Sec-Fetch-Dest","document"],["Accept-Encoding","gzip, deflate, br, zstd"],["Accept-Language","en-US,en;q=0.9"],["Priority","u=0, i"]],"proxy":"","client_identifier":"","timeout":{"connect":30.0,"read":30.0,"write":30.0,"pool":30.0},"stream_body":false,"content_length":-1}`

func BenchmarkDecodeRequestMeta(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := decodeRequestMeta([]byte(benchMeta)); err != nil {
			b.Fatal(err)
		}
	}
}

// The same meta through decodeStrict and Header's UnmarshalJSON.
func BenchmarkDecodeRequestMetaGeneric(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var m RequestMeta
		if err := decodeStrict("RequestMeta", []byte(benchMeta), &m); err != nil {
			b.Fatal(err)
		}
	}
}

// A small GET through the bridge (start, wait, read to the end, close) and
// the same GET through tls-client's Do, against an in-process server.
func BenchmarkSmallRequest(b *testing.B) {
	payload := []byte(`{"slideshow": {"author": "Yours Truly", "title": "Sample Slide Show"}}`)
	for _, p := range protocols {
		srv := newTLSServer(b, p.h2, func(w nethttp.ResponseWriter, r *nethttp.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(payload)
		})
		cfg, _ := json.Marshal(SessionConfig{RootCAPEM: srv.caPEM, ClientIdentifier: testProfile, ForceHTTP1: !p.h2})
		sess, err := NewSession(cfg)
		if err != nil {
			b.Fatal(err)
		}
		meta, _ := json.Marshal(RequestMeta{Method: "GET", URL: srv.URL + "/json", Timeout: &Timeouts{Read: secs(30)}})
		b.Run(p.name+"/bridge", func(b *testing.B) {
			buf := make([]byte, 256<<10)
			for i := 0; i < b.N; i++ {
				h, err := StartRequest(sess, meta, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := WaitRequest(h); err != nil {
					b.Fatal(err)
				}
				for {
					n, err := ReadResponse(h, buf)
					if err != nil {
						b.Fatal(err)
					}
					if n == 0 {
						break
					}
				}
				CloseRequest(h)
			}
		})
		b.Run(p.name+"/tls-client", func(b *testing.B) {
			s, _ := sessions.get(sess)
			c, err := s.newClient(s.profile, nil)
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < b.N; i++ {
				req, _ := http.NewRequest("GET", srv.URL+"/json", nil)
				resp, err := c.http.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
		CloseSession(sess)
	}
}
