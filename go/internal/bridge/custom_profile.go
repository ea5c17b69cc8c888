package bridge

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bogdanfinn/fhttp/http2"
	tlsclient "github.com/bogdanfinn/tls-client"
	"github.com/bogdanfinn/tls-client/profiles"
	tls "github.com/bogdanfinn/utls"
)

// Names tls-client's JA3 helper understands (its mapper.go tables are
// unexported and silently drop unknown names, so we check them here first).
var (
	knownVersions    = []string{"GREASE", "1.3", "1.2", "1.1", "1.0"}
	knownCurves      = []string{"GREASE", "P256", "P384", "P521", "X25519", "P256Kyber768", "X25519Kyber512D", "X25519Kyber768", "X25519Kyber768Old", "X25519MLKEM768"}
	knownCertAlgos   = []string{"zlib", "brotli", "zstd"}
	knownPseudoHdrs  = []string{":method", ":authority", ":scheme", ":path"}
	defaultPseudoHdr = []string{":method", ":authority", ":scheme", ":path"}
)

var h2SettingIDs = map[string]http2.SettingID{
	"HEADER_TABLE_SIZE":       http2.SettingHeaderTableSize,
	"ENABLE_PUSH":             http2.SettingEnablePush,
	"MAX_CONCURRENT_STREAMS":  http2.SettingMaxConcurrentStreams,
	"INITIAL_WINDOW_SIZE":     http2.SettingInitialWindowSize,
	"MAX_FRAME_SIZE":          http2.SettingMaxFrameSize,
	"MAX_HEADER_LIST_SIZE":    http2.SettingMaxHeaderListSize,
	"ENABLE_CONNECT_PROTOCOL": http2.SettingEnableConnectProtocol,
	"NO_RFC7540_PRIORITIES":   http2.SettingNoRFC7540Priorities,
}

// Companion lists a JA3 string cannot express. When the JA3 has the
// extension but the list is empty, tls-client would send the extension empty
// (a broken ClientHello), so we use Chrome's contents instead; this is the
// documented default, not a fallback for bad input.
var ja3Companions = map[uint16]struct {
	field string
	list  func(*CustomProfile) *[]string
	def   []string
}{
	tls.ExtensionSupportedVersions: {"supported_versions", func(c *CustomProfile) *[]string { return &c.SupportedVersions },
		[]string{"1.3", "1.2"}},
	tls.ExtensionKeyShare: {"key_share_curves", func(c *CustomProfile) *[]string { return &c.KeyShareCurves },
		[]string{"X25519"}},
	tls.ExtensionSignatureAlgorithms: {"signature_algorithms", func(c *CustomProfile) *[]string { return &c.SignatureAlgorithms },
		[]string{"ECDSAWithP256AndSHA256", "PSSWithSHA256", "PKCS1WithSHA256", "ECDSAWithP384AndSHA384",
			"PSSWithSHA384", "PKCS1WithSHA384", "PSSWithSHA512", "PKCS1WithSHA512"}},
	tls.ExtensionCompressCertificate: {"cert_compression_algos", func(c *CustomProfile) *[]string { return &c.CertCompressionAlgos },
		[]string{"brotli"}},
	tls.ExtensionALPN: {"alpn_protocols", func(c *CustomProfile) *[]string { return &c.ALPNProtocols },
		[]string{"h2", "http/1.1"}},
	tls.ExtensionALPSOld: {"alps_protocols", func(c *CustomProfile) *[]string { return &c.ALPSProtocols },
		[]string{"h2"}},
	tls.ExtensionALPS: {"alps_protocols", func(c *CustomProfile) *[]string { return &c.ALPSProtocols },
		[]string{"h2"}},
}

// buildCustomProfile turns a CustomProfile into a tls-client ClientProfile,
// using tls-client's own JA3 spec factory. Every problem is "invalid_profile".
// Only ja3 is required: empty companion lists get ja3Companions' defaults,
// an empty pseudo_header_order is :method :authority :scheme :path, and
// empty h2_settings send an empty SETTINGS frame.
func buildCustomProfile(c *CustomProfile) (profiles.ClientProfile, error) {
	bad := func(format string, args ...any) (profiles.ClientProfile, error) {
		return profiles.ClientProfile{}, newError(KindInvalidProfile, "custom_profile: "+format, args...)
	}
	exts, err := checkJA3(c.JA3)
	if err != nil {
		return bad("%v", err)
	}
	cp := *c // fill defaults into a copy; the caller's config stays as given
	c = &cp
	for _, ext := range exts {
		if comp, ok := ja3Companions[ext]; ok && len(*comp.list(c)) == 0 {
			*comp.list(c) = slices.Clone(comp.def)
		}
	}
	for _, chk := range []struct {
		field string
		vals  []string
		known []string
	}{
		{"supported_versions", c.SupportedVersions, knownVersions},
		{"key_share_curves", c.KeyShareCurves, knownCurves},
		{"cert_compression_algos", c.CertCompressionAlgos, knownCertAlgos},
	} {
		for _, v := range chk.vals {
			if !slices.Contains(chk.known, v) {
				return bad("unknown %s entry %q (known: %s)", chk.field, v, strings.Join(chk.known, ", "))
			}
		}
	}

	settings, order, err := h2Settings(c.H2Settings)
	if err != nil {
		return bad("%v", err)
	}
	pseudo, err := pseudoHeaderOrder(c.PseudoHeaderOrder)
	if err != nil {
		return bad("%v", err)
	}
	var priorities []http2.Priority
	for _, f := range c.PriorityFrames {
		w, err := wireWeight(f.Weight)
		if err != nil {
			return bad("priority frame for stream %d: %v", f.StreamID, err)
		}
		priorities = append(priorities, http2.Priority{StreamID: f.StreamID, PriorityParam: http2.PriorityParam{
			StreamDep: f.DependsOn, Exclusive: f.Exclusive, Weight: w,
		}})
	}
	var headerPriority *http2.PriorityParam
	if hp := c.HeaderPriority; hp != nil {
		w, err := wireWeight(hp.Weight)
		if err != nil {
			return bad("header_priority: %v", err)
		}
		headerPriority = &http2.PriorityParam{StreamDep: hp.DependsOn, Exclusive: hp.Exclusive, Weight: w}
	}

	factory, err := tlsclient.GetSpecFactoryFromJa3String(c.JA3, c.SignatureAlgorithms, nil,
		c.SupportedVersions, c.KeyShareCurves, c.ALPNProtocols, c.ALPSProtocols, nil, nil, c.CertCompressionAlgos, 0)
	if err != nil {
		return bad("%v", err)
	}
	// The factory runs per connection; run it once now so errors surface here.
	if _, err := factory(); err != nil {
		return bad("%v", err)
	}
	helloID := tls.ClientHelloID{Client: "Custom", Version: "1", SpecFactory: factory}
	return profiles.NewClientProfile(helloID, settings, order, pseudo, c.ConnectionFlow, priorities,
		headerPriority, 0, false, nil, nil, 0, nil, false), nil
}

// checkJA3 validates the shape of a JA3 string (tls-client indexes its parts
// without checking) and returns its extension ids.
func checkJA3(ja3 string) ([]uint16, error) {
	parts := strings.Split(ja3, ",")
	if len(parts) != 5 {
		return nil, fmt.Errorf("ja3 must have 5 comma-separated fields, got %d", len(parts))
	}
	if _, err := strconv.ParseUint(parts[0], 10, 16); err != nil {
		return nil, fmt.Errorf("ja3 TLS version %q is not a number", parts[0])
	}
	if parts[1] == "" {
		return nil, fmt.Errorf("ja3 has no cipher suites")
	}
	var exts []uint16
	for i, field := range parts[1:] {
		if field == "" {
			continue
		}
		for _, v := range strings.Split(field, "-") {
			n, err := strconv.ParseUint(v, 10, 16)
			if err != nil || (i == 3 && n > 255) {
				return nil, fmt.Errorf("ja3 field %d has invalid value %q", i+2, v)
			}
			if i == 1 {
				exts = append(exts, uint16(n))
			}
		}
	}
	return exts, nil
}

func h2Settings(in []H2Setting) (map[http2.SettingID]uint32, []http2.SettingID, error) {
	settings := make(map[http2.SettingID]uint32, len(in))
	order := make([]http2.SettingID, 0, len(in))
	for _, s := range in {
		id, ok := h2SettingIDs[s.Name]
		if !ok {
			n, err := strconv.ParseUint(s.Name, 10, 16)
			if err != nil || n == 0 {
				return nil, nil, fmt.Errorf("unknown h2 setting %q (use a known name or a decimal id)", s.Name)
			}
			id = http2.SettingID(n)
		}
		if _, dup := settings[id]; dup {
			return nil, nil, fmt.Errorf("h2 setting %q given twice", s.Name)
		}
		settings[id] = s.Value
		order = append(order, id)
	}
	return settings, order, nil
}

func pseudoHeaderOrder(in []string) ([]string, error) {
	if len(in) == 0 {
		return slices.Clone(defaultPseudoHdr), nil
	}
	if len(in) != len(knownPseudoHdrs) {
		return nil, fmt.Errorf("pseudo_header_order must list each of %s once", strings.Join(knownPseudoHdrs, ", "))
	}
	for _, p := range knownPseudoHdrs {
		if !slices.Contains(in, p) {
			return nil, fmt.Errorf("pseudo_header_order must list each of %s once", strings.Join(knownPseudoHdrs, ", "))
		}
	}
	return slices.Clone(in), nil
}

// wireWeight converts an Akamai-style weight (1..256) to the frame byte.
func wireWeight(w int) (uint8, error) {
	if w < 1 || w > 256 {
		return 0, fmt.Errorf("weight %d is outside 1..256", w)
	}
	return uint8(w - 1), nil
}
