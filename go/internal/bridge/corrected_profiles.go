package bridge

import (
	"slices"
	"sync"

	"github.com/bogdanfinn/fhttp/http2"
	"github.com/bogdanfinn/tls-client/profiles"
	tls "github.com/bogdanfinn/utls"
)

// Corrected profiles: built-in tls-client profiles whose ClientHello or
// HTTP/2 frames differ from the real browser they are named after. Each one
// keeps its public name, so a user asking for "firefox_148" gets what Firefox
// 148 sends; the fix is applied on top of tls-client's own spec, so
// everything not named here stays exactly as upstream defines it.
// docs/profiles.md lists every difference with its source, and
// tests/fingerprint_profiles proves the result against the published
// real-browser JA4/JA3N/Akamai values.

const extTrustAnchors = 0xca34 // TLS Trust Anchor IDs (draft-ietf-tls-trust-anchor-ids)

// firefoxHeaderPriority is the priority Firefox puts on its HEADERS frames
// (exclusive 0, depends on 0, weight 42), as tls-client's firefox_147/148 do.
var firefoxHeaderPriority = http2.PriorityParam{StreamDep: 0, Exclusive: false, Weight: 41}

// firefoxFirstStream: Firefox opens its first request on stream 3
// (Http2Session's mNextStreamID starts at 3).
const firefoxFirstStream = 3

// correction is what changes in one upstream profile.
type correction struct {
	base profiles.ClientProfile
	spec func(*tls.ClientHelloSpec) // edits a fresh spec, built for every connection

	headerPriority *http2.PriorityParam // nil: upstream's
	streamID       uint32               // 0: upstream's
}

var corrections = map[string]correction{
	// ALPN and ALPS offer h3 first; over TCP Chrome offers h2, http/1.1
	// (JA4 "h3" instead of "h2" whenever HTTP/3 racing is on).
	"chrome_133":     {base: profiles.Chrome_133, spec: tcpALPN},
	"chrome_133_PSK": {base: profiles.Chrome_133_PSK, spec: tcpALPN},
	// trust_anchors (0xca34) ships from Chrome 152 on; Chrome 135-149 send 16
	// extensions.
	"chrome_146":     {base: profiles.Chrome_146, spec: withoutTrustAnchors},
	"chrome_146_PSK": {base: profiles.Chrome_146_PSK, spec: withoutTrustAnchors},
	// session_ticket (35) and psk_key_exchange_modes (45) are missing.
	"firefox_133": {base: profiles.Firefox_133, spec: firefoxTicketAndPSKModes,
		headerPriority: &firefoxHeaderPriority, streamID: firefoxFirstStream},
	"firefox_135": {base: profiles.Firefox_135, spec: firefoxTicketAndPSKModes,
		headerPriority: &firefoxHeaderPriority, streamID: firefoxFirstStream},
	// ecdsa_sha1 (0x0203) is missing from signature_algorithms and
	// delegated_credentials.
	"firefox_147": {base: profiles.Firefox_147, spec: firefoxECDSASHA1,
		streamID: firefoxFirstStream},
	// Two DHE cipher suites (0x0033, 0x0039) Firefox does not offer.
	"firefox_148": {base: profiles.Firefox_148, spec: withoutDHECiphers,
		streamID: firefoxFirstStream},
}

var correctedProfiles = sync.OnceValue(func() map[string]profiles.ClientProfile {
	out := make(map[string]profiles.ClientProfile, len(corrections))
	for name, c := range corrections {
		out[name] = c.apply()
	}
	return out
})

// profileByName returns the profile a built-in name stands for: the
// corrected one where there is one, else tls-client's.
func profileByName(name string) (profiles.ClientProfile, bool) {
	if p, ok := correctedProfiles()[name]; ok {
		return p, true
	}
	p, ok := profiles.MappedTLSClients[name]
	return p, ok
}

func (c correction) apply() profiles.ClientProfile {
	b := c.base
	id := b.GetClientHelloId()
	upstream := id.SpecFactory
	if upstream == nil {
		upstreamID := id
		upstream = func() (tls.ClientHelloSpec, error) { return tls.UTLSIdToSpec(upstreamID) }
	}
	fix := c.spec
	id.SpecFactory = func() (tls.ClientHelloSpec, error) {
		spec, err := upstream()
		if err != nil {
			return spec, err
		}
		fix(&spec)
		return spec, nil
	}
	headerPriority := b.GetHeaderPriority()
	if c.headerPriority != nil {
		p := *c.headerPriority
		headerPriority = &p
	}
	streamID := b.GetStreamID()
	if c.streamID != 0 {
		streamID = c.streamID
	}
	return profiles.NewClientProfile(id, b.GetSettings(), b.GetSettingsOrder(), b.GetPseudoHeaderOrder(),
		b.GetConnectionFlow(), b.GetPriorities(), headerPriority, streamID, b.GetAllowHTTP(),
		b.GetHttp3Settings(), b.GetHttp3SettingsOrder(), b.GetHttp3PriorityParam(),
		b.GetHttp3PseudoHeaderOrder(), b.GetHttp3SendGreaseFrames())
}

func tcpALPN(spec *tls.ClientHelloSpec) {
	for _, ext := range spec.Extensions {
		switch e := ext.(type) {
		case *tls.ALPNExtension:
			e.AlpnProtocols = []string{"h2", "http/1.1"}
		case *tls.ApplicationSettingsExtension:
			e.SupportedProtocols = []string{"h2"}
		case *tls.ApplicationSettingsExtensionNew:
			e.SupportedProtocols = []string{"h2"}
		}
	}
}

func withoutTrustAnchors(spec *tls.ClientHelloSpec) {
	spec.Extensions = slices.DeleteFunc(spec.Extensions, func(ext tls.TLSExtension) bool {
		g, ok := ext.(*tls.GenericExtension)
		return ok && g.Id == extTrustAnchors
	})
}

// firefoxTicketAndPSKModes inserts the two extensions where Firefox sends
// them: 0-23-65281-10-11-35-16-5-34-(18)-51-43-13-45-28-27-65037.
func firefoxTicketAndPSKModes(spec *tls.ClientHelloSpec) {
	var out []tls.TLSExtension
	for _, ext := range spec.Extensions {
		out = append(out, ext)
		switch ext.(type) {
		case *tls.SupportedPointsExtension:
			out = append(out, &tls.SessionTicketExtension{})
		case *tls.SignatureAlgorithmsExtension:
			out = append(out, &tls.PSKKeyExchangeModesExtension{Modes: []uint8{tls.PskModeDHE}})
		}
	}
	spec.Extensions = out
}

// firefoxECDSASHA1 makes both lists end ..., ecdsa_sha1[, rsa_pkcs1_sha1] as
// NSS sends them.
func firefoxECDSASHA1(spec *tls.ClientHelloSpec) {
	for _, ext := range spec.Extensions {
		switch e := ext.(type) {
		case *tls.SignatureAlgorithmsExtension:
			if !slices.Contains(e.SupportedSignatureAlgorithms, tls.ECDSAWithSHA1) {
				i := slices.Index(e.SupportedSignatureAlgorithms, tls.PKCS1WithSHA1)
				if i < 0 {
					i = len(e.SupportedSignatureAlgorithms)
				}
				e.SupportedSignatureAlgorithms = slices.Insert(e.SupportedSignatureAlgorithms, i, tls.ECDSAWithSHA1)
			}
		case *tls.DelegatedCredentialsExtension:
			if !slices.Contains(e.SupportedSignatureAlgorithms, tls.ECDSAWithSHA1) {
				e.SupportedSignatureAlgorithms = append(e.SupportedSignatureAlgorithms, tls.ECDSAWithSHA1)
			}
		}
	}
}

func withoutDHECiphers(spec *tls.ClientHelloSpec) {
	spec.CipherSuites = slices.DeleteFunc(spec.CipherSuites, func(c uint16) bool {
		return c == 0x0033 || c == 0x0039 // TLS_DHE_RSA_WITH_AES_{128,256}_CBC_SHA
	})
}
