package bridge

import (
	"encoding/json"
	"io"
	nethttp "net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bogdanfinn/tls-client/profiles"
)

const chromeLikeJA3 = "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53," +
	"0-23-65281-10-11-35-16-5-13-18-51-45-43-27-17513,29-23-24,0"

func chromeLikeProfile() *CustomProfile {
	return &CustomProfile{
		JA3: chromeLikeJA3,
		H2Settings: []H2Setting{
			{"HEADER_TABLE_SIZE", 65536}, {"ENABLE_PUSH", 0}, {"INITIAL_WINDOW_SIZE", 6291456}, {"MAX_HEADER_LIST_SIZE", 262144},
		},
		ConnectionFlow:    15663105,
		HeaderPriority:    &Priority{Exclusive: true, DependsOn: 0, Weight: 256},
		PseudoHeaderOrder: []string{":method", ":authority", ":scheme", ":path"},
		SignatureAlgorithms: []string{"ECDSAWithP256AndSHA256", "PSSWithSHA256", "PKCS1WithSHA256",
			"ECDSAWithP384AndSHA384", "PSSWithSHA384", "PKCS1WithSHA384", "PSSWithSHA512", "PKCS1WithSHA512"},
		SupportedVersions:    []string{"GREASE", "1.3", "1.2"},
		KeyShareCurves:       []string{"GREASE", "X25519"},
		CertCompressionAlgos: []string{"brotli"},
		ALPNProtocols:        []string{"h2", "http/1.1"},
		ALPSProtocols:        []string{"h2"},
	}
}

func TestCustomProfileRequest(t *testing.T) {
	pki := newPKI(t)
	url := rawHTTP2Server(t, pki)
	cp := chromeLikeProfile()
	cp.PseudoHeaderOrder = []string{":method", ":path", ":authority", ":scheme"}
	sess := newTestSession(t, SessionConfig{CustomProfile: cp, RootCAPEM: pki.caPEM})
	res := mustOK(t, roundTrip(t, sess, RequestMeta{URL: url + "/x", Headers: []Header{{"accept", "*/*"}}}, nil))
	if res.meta.HTTPVersion != "HTTP/2" {
		t.Fatalf("negotiated %s", res.meta.HTTPVersion)
	}
	if got := res.meta.header("x-settings"); len(got) != 1 || got[0] != "1:65536;2:0;4:6291456;6:262144" {
		t.Errorf("SETTINGS on the wire: %q", got)
	}
	if got := res.meta.header("x-window"); len(got) != 1 || got[0] != "15663105" {
		t.Errorf("WINDOW_UPDATE on the wire: %q", got)
	}
	if !strings.HasPrefix(string(res.body), ":method: GET\r\n:path: /x\r\n:authority: ") {
		t.Errorf("pseudo-header order:\n%s", res.body)
	}
}

func TestSessionConfigValidation(t *testing.T) {
	pki := newPKI(t)
	mod := func(f func(*CustomProfile)) *CustomProfile {
		c := chromeLikeProfile()
		f(c)
		return c
	}
	cases := []struct {
		name string
		json string // used when cfg is nil
		cfg  *SessionConfig
		kind string
	}{
		{"builtin", "", &SessionConfig{ClientIdentifier: "chrome_133"}, ""},
		{"custom", "", &SessionConfig{CustomProfile: chromeLikeProfile()}, ""},
		{"custom overrides identifier", "", &SessionConfig{ClientIdentifier: "nope", CustomProfile: chromeLikeProfile()}, ""},
		{"mtls", "", &SessionConfig{ClientIdentifier: "chrome_133", ClientCertPEM: pki.clientCertPEM, ClientKeyPEM: pki.keyPEM}, ""},
		{"not json", `{"client_identifier":`, nil, KindInvalidConfig},
		{"unknown key", `{"client_identifier":"chrome_133","follow_redirects":true}`, nil, KindInvalidConfig},
		{"wrong type", `{"client_identifier":"chrome_133","force_http1":"yes"}`, nil, KindInvalidConfig},
		{"empty identifier", `{}`, nil, KindInvalidProfile},
		{"unknown identifier", "", &SessionConfig{ClientIdentifier: "chrome_999"}, KindInvalidProfile},
		{"http3 with http1", "", &SessionConfig{ClientIdentifier: "chrome_133", HTTP3: true, ForceHTTP1: true}, KindInvalidConfig},
		{"bad root pem", "", &SessionConfig{ClientIdentifier: "chrome_133", RootCAPEM: "garbage"}, KindInvalidConfig},
		{"cert without key", "", &SessionConfig{ClientIdentifier: "chrome_133", ClientCertPEM: pki.clientCertPEM}, KindInvalidConfig},
		{"bad key", "", &SessionConfig{ClientIdentifier: "chrome_133", ClientCertPEM: pki.clientCertPEM, ClientKeyPEM: pki.clientCertPEM}, KindInvalidConfig},
		{"ja3 too short", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.JA3 = "771,4865" })}, KindInvalidProfile},
		{"ja3 not numbers", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.JA3 = "771,a-b,0,29,0" })}, KindInvalidProfile},
		{"ja3 unknown extension", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.JA3 = "771,4865,0-9999,29,0" })}, KindInvalidProfile},
		{"ja3 only", "", &SessionConfig{CustomProfile: &CustomProfile{JA3: chromeLikeJA3}}, ""},
		{"unknown curve", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.KeyShareCurves = []string{"X448"} })}, KindInvalidProfile},
		{"unknown version", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.SupportedVersions = []string{"1.4"} })}, KindInvalidProfile},
		{"bad sigalg", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.SignatureAlgorithms = []string{"Nope"} })}, KindInvalidProfile},
		{"unknown h2 setting", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.H2Settings = []H2Setting{{"FOO", 1}} })}, KindInvalidProfile},
		{"numeric h2 setting", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.H2Settings = []H2Setting{{"8", 1}, {"NO_RFC7540_PRIORITIES", 1}} })}, ""},
		{"duplicate h2 setting", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.H2Settings = []H2Setting{{"ENABLE_PUSH", 0}, {"2", 0}} })}, KindInvalidProfile},
		{"bad pseudo order", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.PseudoHeaderOrder = []string{":method", ":path"} })}, KindInvalidProfile},
		{"weight 0", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.HeaderPriority.Weight = 0 })}, KindInvalidProfile},
		{"priority frames", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) {
			c.PriorityFrames = []PriorityFrame{{StreamID: 3, DependsOn: 0, Weight: 201}, {StreamID: 5, Weight: 101}}
		})}, ""},
		{"bad priority weight", "", &SessionConfig{CustomProfile: mod(func(c *CustomProfile) { c.PriorityFrames = []PriorityFrame{{StreamID: 3, Weight: 257}} })}, KindInvalidProfile},
		{"bad h2 setting pair", `{"custom_profile":{"ja3":"` + chromeLikeJA3 + `","h2_settings":[["HEADER_TABLE_SIZE"]]}}`, nil, KindInvalidConfig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(tc.json)
			if tc.cfg != nil {
				b, _ = json.Marshal(tc.cfg)
			}
			h, err := NewSession(b)
			if tc.kind == "" {
				if err != nil {
					t.Fatal(err)
				}
				CloseSession(h)
				return
			}
			wantKind(t, asError(err), tc.kind)
		})
	}
	waitNoHandles(t)
}

func TestUnknownProfileSuggestsNames(t *testing.T) {
	_, err := builtinProfile("chrome_13")
	e := asError(err)
	wantKind(t, e, KindInvalidProfile)
	if !strings.Contains(e.Message, "chrome_") || !strings.Contains(e.Message, "did you mean") {
		t.Fatalf("message without suggestions: %s", e.Message)
	}
}

func TestProfilesList(t *testing.T) {
	var names []string
	if err := json.Unmarshal(ProfilesJSON(), &names); err != nil {
		t.Fatal(err)
	}
	if len(names) != len(profiles.MappedTLSClients) || !slices.IsSorted(names) || !slices.Contains(names, testProfile) {
		t.Fatalf("profiles: %v", names)
	}
}

func TestVersionJSON(t *testing.T) {
	var v struct {
		ABI       int    `json:"abi"`
		TLSClient string `json:"tls_client"`
		Go        string `json:"go"`
	}
	if err := json.Unmarshal(VersionJSON(), &v); err != nil {
		t.Fatal(err)
	}
	if v.ABI != ABIVersion || v.TLSClient != "v1.15.1" || !strings.HasPrefix(v.Go, "go") {
		t.Fatalf("version: %+v", v)
	}
}

func TestRegistry(t *testing.T) {
	r := newRegistry[string]()
	if h := r.add("a"); h != 1 {
		t.Fatalf("first handle %d, want 1", h)
	}
	var wg sync.WaitGroup
	handles := make(chan uint64, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			handles <- r.add("x")
		}()
	}
	wg.Wait()
	close(handles)
	seen := map[uint64]bool{}
	for h := range handles {
		if h == 0 || seen[h] {
			t.Fatalf("bad or reused handle %d", h)
		}
		seen[h] = true
	}
	removed := make(chan bool, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok := r.remove(1)
			removed <- ok
		}()
	}
	wg.Wait()
	close(removed)
	wins := 0
	for ok := range removed {
		if ok {
			wins++
		}
	}
	if wins != 1 || r.count() != 100 {
		t.Fatalf("remove wins=%d count=%d", wins, r.count())
	}
	if _, ok := r.get(1); ok {
		t.Fatal("removed handle still resolves")
	}
}

func TestWireRoundTrip(t *testing.T) {
	meta := RequestMeta{
		Method: "POST", URL: "https://example.test/", Headers: []Header{{"A", "1"}, {"A", "2"}},
		Proxy: "socks5h://u:p@127.0.0.1:1080", Timeout: &Timeouts{Connect: secs(0.5), Read: nil},
		StreamBody: true, ContentLength: i64(-1),
	}
	b, _ := json.Marshal(meta)
	want := `{"method":"POST","url":"https://example.test/","headers":[["A","1"],["A","2"]],` +
		`"proxy":"socks5h://u:p@127.0.0.1:1080","client_identifier":"",` +
		`"timeout":{"connect":0.5,"read":null,"write":null,"pool":null},"stream_body":true,"content_length":-1}`
	if string(b) != want {
		t.Fatalf("RequestMeta JSON:\n%s\nwant:\n%s", b, want)
	}
	var back RequestMeta
	if err := decodeStrict("RequestMeta", b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b2) != want {
		t.Fatalf("round trip changed it:\n%s", b2)
	}
	cfg := SessionConfig{ClientIdentifier: "x", CustomProfile: chromeLikeProfile()}
	b, _ = json.Marshal(cfg)
	var cfgBack SessionConfig
	if err := decodeStrict("SessionConfig", b, &cfgBack); err != nil {
		t.Fatal(err)
	}
	if b2, _ := json.Marshal(cfgBack); string(b2) != string(b) {
		t.Fatalf("SessionConfig round trip:\n%s\n%s", b, b2)
	}
	if !strings.Contains(string(b), `"h2_settings":[["HEADER_TABLE_SIZE",65536],`) {
		t.Fatalf("h2_settings encoding: %s", b)
	}
}

// Only ja3 is required; the companion lists get Chrome's contents.
func TestCustomProfileJA3Only(t *testing.T) {
	srv := newTLSServer(t, true, func(w nethttp.ResponseWriter, r *nethttp.Request) { io.WriteString(w, r.Proto) })
	sess := newTestSession(t, SessionConfig{CustomProfile: &CustomProfile{JA3: chromeLikeJA3}, RootCAPEM: srv.caPEM})
	res := mustOK(t, roundTrip(t, sess, RequestMeta{URL: srv.URL}, nil))
	if string(res.body) != "HTTP/2.0" {
		t.Fatalf("server saw %s", res.body)
	}
	// The caller's struct is not modified.
	cp := &CustomProfile{JA3: chromeLikeJA3}
	if _, err := buildCustomProfile(cp); err != nil || cp.SupportedVersions != nil {
		t.Fatalf("err=%v, input modified: %+v", err, cp)
	}
}

// decodeRequestMeta (the fast path of tlsr_request_start) decodes what
// decodeStrict does and refuses the same malformed input.
func TestDecodeRequestMeta(t *testing.T) {
	meta := RequestMeta{
		Method: "POST", URL: "https://example.test/", Headers: []Header{{"A", "1"}, {"a", "2"}, {"B", `"q" \ é`}},
		Timeout: &Timeouts{Connect: secs(0.5)}, StreamBody: true, ContentLength: i64(12),
	}
	b, _ := json.Marshal(meta)
	got, err := decodeRequestMeta(b)
	if err != nil {
		t.Fatal(err)
	}
	var want RequestMeta
	if err := decodeStrict("RequestMeta", b, &want); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) || string(gb) != string(b) {
		t.Fatalf("decoded:\n%s\nwant:\n%s", gb, wb)
	}
	if got, err := decodeRequestMeta([]byte(`{"method":"GET","url":"https://x/","headers":null}`)); err != nil || len(got.Headers) != 0 {
		t.Fatalf("null headers: %+v %v", got, err)
	}
	for _, bad := range []string{
		`{"headers":[["a"]]}`,
		`{"headers":[["a","b","c"]]}`,
		`{"headers":[["a",1]]}`,
		`{"headers":["a","b"]}`,
		`{"headers":[["a","b"]],"unknown":1}`,
		`{"method":"GET"} {}`,
	} {
		_, err := decodeRequestMeta([]byte(bad))
		wantKind(t, asError(err), KindInvalidConfig)
	}
}
