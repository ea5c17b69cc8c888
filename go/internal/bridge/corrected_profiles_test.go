package bridge

import (
	"encoding/binary"
	"encoding/json"
	"net"
	"slices"
	"testing"

	"github.com/bogdanfinn/tls-client/profiles"
	tls "github.com/bogdanfinn/utls"
)

// hello is the part of a marshalled ClientHello the corrections touch.
type hello struct {
	ciphers, exts, sigalgs []uint16
	alpn                   []string
}

// marshalHello builds the ClientHello a profile sends to "localhost" and
// parses it back (GREASE dropped).
func marshalHello(t *testing.T, p profiles.ClientProfile) hello {
	t.Helper()
	spec, err := p.GetClientHelloSpec()
	if err != nil {
		t.Fatal(err)
	}
	// A first connection has no ticket, so no pre_shared_key either.
	spec.Extensions = slices.DeleteFunc(spec.Extensions, func(e tls.TLSExtension) bool {
		_, psk := e.(*tls.UtlsPreSharedKeyExtension)
		return psk
	})
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	uc := tls.UClient(c1, &tls.Config{ServerName: "localhost"}, tls.HelloCustom, false, false, false)
	if err := uc.ApplyPreset(&spec); err != nil {
		t.Fatal(err)
	}
	if err := uc.BuildHandshakeState(); err != nil {
		t.Fatal(err)
	}
	raw := uc.HandshakeState.Hello.Raw
	grease := func(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }
	u16 := func(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
	var h hello
	b := raw[4+2+32:] // handshake header, legacy version, random
	b = b[1+int(b[0]):]
	n := int(u16(b))
	for i := 2; i < 2+n; i += 2 {
		if v := u16(b[i:]); !grease(v) {
			h.ciphers = append(h.ciphers, v)
		}
	}
	b = b[2+n:]
	b = b[1+int(b[0]):]
	exts := b[2 : 2+int(u16(b))]
	for len(exts) >= 4 {
		typ, body := u16(exts), exts[4:4+int(u16(exts[2:]))]
		exts = exts[4+len(body):]
		if grease(typ) {
			continue
		}
		h.exts = append(h.exts, typ)
		switch typ {
		case 13:
			for i := 2; i < len(body); i += 2 {
				if v := u16(body[i:]); !grease(v) {
					h.sigalgs = append(h.sigalgs, v)
				}
			}
		case 16:
			for l := body[2:]; len(l) > 0; l = l[1+int(l[0]):] {
				h.alpn = append(h.alpn, string(l[1:1+int(l[0])]))
			}
		}
	}
	return h
}

func TestCorrectedProfilesKeepTheirNames(t *testing.T) {
	for name := range corrections {
		if _, ok := profiles.MappedTLSClients[name]; !ok {
			t.Errorf("correction for %q, which tls-client does not define", name)
		}
		p, err := builtinProfile(name)
		if err != nil {
			t.Fatal(err)
		}
		if p.GetClientHelloStr() != profiles.MappedTLSClients[name].GetClientHelloStr() {
			t.Errorf("%s: hello id %q, want upstream's", name, p.GetClientHelloStr())
		}
	}
}

func TestCorrectedProfiles(t *testing.T) {
	firefoxExts := []uint16{0, 23, 65281, 10, 11, 35, 16, 5, 34, 18, 51, 43, 13, 45, 28, 27, 65037}
	firefoxSigalgs := []uint16{0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201}
	firefoxCiphers := []uint16{0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030,
		0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	without := func(l []uint16, v uint16) []uint16 {
		return slices.DeleteFunc(slices.Clone(l), func(x uint16) bool { return x == v })
	}
	for _, tc := range []struct {
		name  string
		check func(t *testing.T, up, got hello)
	}{
		{"chrome_133", func(t *testing.T, up, got hello) {
			if !slices.Equal(up.alpn, []string{"h3", "h2", "http/1.1"}) || !slices.Equal(got.alpn, []string{"h2", "http/1.1"}) {
				t.Errorf("alpn upstream %v, corrected %v", up.alpn, got.alpn)
			}
		}},
		{"chrome_146", func(t *testing.T, up, got hello) {
			if !slices.Contains(up.exts, extTrustAnchors) || !slices.Equal(got.exts, without(up.exts, extTrustAnchors)) {
				t.Errorf("extensions upstream %v, corrected %v", up.exts, got.exts)
			}
		}},
		{"chrome_146_PSK", func(t *testing.T, up, got hello) {
			if slices.Contains(got.exts, extTrustAnchors) || len(got.exts) != len(up.exts)-1 {
				t.Errorf("extensions upstream %v, corrected %v", up.exts, got.exts)
			}
		}},
		{"firefox_133", func(t *testing.T, _, got hello) {
			if want := without(firefoxExts, 18); !slices.Equal(got.exts, want) {
				t.Errorf("extensions %v, want %v", got.exts, want)
			}
		}},
		{"firefox_135", func(t *testing.T, _, got hello) {
			if !slices.Equal(got.exts, firefoxExts) || !slices.Equal(got.sigalgs, firefoxSigalgs) {
				t.Errorf("extensions %v, sigalgs %x", got.exts, got.sigalgs)
			}
		}},
		{"firefox_147", func(t *testing.T, up, got hello) {
			if slices.Contains(up.sigalgs, 0x0203) || !slices.Equal(got.sigalgs, firefoxSigalgs) || !slices.Equal(got.exts, firefoxExts) {
				t.Errorf("sigalgs upstream %x, corrected %x; extensions %v", up.sigalgs, got.sigalgs, got.exts)
			}
		}},
		{"firefox_148", func(t *testing.T, up, got hello) {
			if len(up.ciphers) != 19 || !slices.Equal(got.ciphers, firefoxCiphers) || !slices.Equal(got.sigalgs, firefoxSigalgs) {
				t.Errorf("ciphers upstream %x, corrected %x", up.ciphers, got.ciphers)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := builtinProfile(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, marshalHello(t, profiles.MappedTLSClients[tc.name]), marshalHello(t, p))
		})
	}
}

func TestCorrectedFirefoxHTTP2(t *testing.T) {
	for _, name := range []string{"firefox_133", "firefox_135", "firefox_147", "firefox_148"} {
		p, err := builtinProfile(name)
		if err != nil {
			t.Fatal(err)
		}
		hp := p.GetHeaderPriority()
		if p.GetStreamID() != 3 || hp == nil || hp.Exclusive || hp.StreamDep != 0 || hp.Weight != 41 {
			t.Errorf("%s: stream %d, header priority %+v", name, p.GetStreamID(), hp)
		}
		up := profiles.MappedTLSClients[name]
		if !slices.Equal(p.GetSettingsOrder(), up.GetSettingsOrder()) || p.GetConnectionFlow() != up.GetConnectionFlow() {
			t.Errorf("%s: SETTINGS or WINDOW_UPDATE changed", name)
		}
	}
}

func TestVersionListsCorrectedProfiles(t *testing.T) {
	var v struct {
		Corrected []string `json:"corrected_profiles"`
	}
	if err := json.Unmarshal(VersionJSON(), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Corrected) != len(corrections) || !slices.IsSorted(v.Corrected) || !slices.Contains(v.Corrected, "chrome_146") {
		t.Fatalf("corrected_profiles: %v", v.Corrected)
	}
}
