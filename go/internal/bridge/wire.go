package bridge

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The JSON metadata crossing the C boundary. Keys are snake_case and defined
// only here (Go) and in tls_requests/_wire.py (Python); docs/internals/ffi.md
// describes every field. Decoding is strict: unknown keys are an
// "invalid_config" error, so a typo on either side fails loudly.

// SessionConfig is the input of tlsr_session_new.
type SessionConfig struct {
	ClientIdentifier        string         `json:"client_identifier"`
	CustomProfile           *CustomProfile `json:"custom_profile"`
	RandomTLSExtensionOrder bool           `json:"random_tls_extension_order"`
	ForceHTTP1              bool           `json:"force_http1"`
	HTTP3                   bool           `json:"http3"`
	InsecureSkipVerify      bool           `json:"insecure_skip_verify"`
	RootCAPEM               string         `json:"root_ca_pem"`
	ClientCertPEM           string         `json:"client_cert_pem"`
	ClientKeyPEM            string         `json:"client_key_pem"`
	ServerName              string         `json:"server_name"`
	// MaxIdleConnsPerHost is how many idle HTTP/1.1 connections per host are kept for reuse;
	// 0 means Go's default of 2, which makes concurrent HTTP/1.1 clients re-dial constantly.
	MaxIdleConnsPerHost int `json:"max_idle_conns_per_host"`
}

// CustomProfile is a fingerprint built from a JA3 string and HTTP/2 settings.
type CustomProfile struct {
	JA3                  string          `json:"ja3"`
	H2Settings           []H2Setting     `json:"h2_settings"`
	ConnectionFlow       uint32          `json:"connection_flow"`
	PriorityFrames       []PriorityFrame `json:"priority_frames"`
	HeaderPriority       *Priority       `json:"header_priority"`
	PseudoHeaderOrder    []string        `json:"pseudo_header_order"`
	SignatureAlgorithms  []string        `json:"signature_algorithms"`
	SupportedVersions    []string        `json:"supported_versions"`
	KeyShareCurves       []string        `json:"key_share_curves"`
	CertCompressionAlgos []string        `json:"cert_compression_algos"`
	ALPNProtocols        []string        `json:"alpn_protocols"`
	ALPSProtocols        []string        `json:"alps_protocols"`
}

// H2Setting is one SETTINGS entry, encoded as the pair [name, value].
type H2Setting struct {
	Name  string
	Value uint32
}

// UnmarshalJSON decodes ["NAME", value].
func (s *H2Setting) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("h2 setting must be [name, value], got %s", b)
	}
	if err := json.Unmarshal(pair[0], &s.Name); err != nil {
		return fmt.Errorf("h2 setting name must be a string, got %s", pair[0])
	}
	if err := json.Unmarshal(pair[1], &s.Value); err != nil {
		return fmt.Errorf("h2 setting %q value must be a uint32, got %s", s.Name, pair[1])
	}
	return nil
}

// MarshalJSON encodes ["NAME", value].
func (s H2Setting) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{s.Name, s.Value})
}

// Priority is HTTP/2 priority information; Weight is 1..256 as in the Akamai
// fingerprint string (the wire byte plus one).
type Priority struct {
	Exclusive bool   `json:"exclusive"`
	DependsOn uint32 `json:"depends_on"`
	Weight    int    `json:"weight"`
}

// PriorityFrame is one PRIORITY frame sent after the connection preface.
type PriorityFrame struct {
	StreamID  uint32 `json:"stream_id"`
	Exclusive bool   `json:"exclusive"`
	DependsOn uint32 `json:"depends_on"`
	Weight    int    `json:"weight"`
}

// RequestMeta is the input of tlsr_request_start.
type RequestMeta struct {
	Method           string    `json:"method"`
	URL              string    `json:"url"`
	Headers          []Header  `json:"headers"`
	Proxy            string    `json:"proxy"`
	ClientIdentifier string    `json:"client_identifier"`
	Timeout          *Timeouts `json:"timeout"`
	StreamBody       bool      `json:"stream_body"`
	ContentLength    *int64    `json:"content_length"`
}

// Timeouts are in seconds; nil means no limit. Pool is accepted and ignored.
type Timeouts struct {
	Connect *float64 `json:"connect"`
	Read    *float64 `json:"read"`
	Write   *float64 `json:"write"`
	Pool    *float64 `json:"pool"`
}

// Header is one header line, encoded as the pair [name, value].
type Header struct {
	Name  string
	Value string
}

// UnmarshalJSON decodes ["name", "value"].
func (h *Header) UnmarshalJSON(b []byte) error {
	var pair []string
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("header must be [name, value] strings, got %s", b)
	}
	h.Name, h.Value = pair[0], pair[1]
	return nil
}

// MarshalJSON encodes ["name", "value"].
func (h Header) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{h.Name, h.Value})
}

// ResponseMeta is the output of tlsr_request_wait.
type ResponseMeta struct {
	StatusCode    int      `json:"status_code"`
	ReasonPhrase  string   `json:"reason_phrase"`
	HTTPVersion   string   `json:"http_version"`
	URL           string   `json:"url"`
	Headers       []Header `json:"headers"`
	ContentLength int64    `json:"content_length"`
}

// decodeRequestMeta decodes a RequestMeta with decodeStrict. Its headers are
// decoded as plain string lists in the same pass: Header's UnmarshalJSON
// would parse every pair a second time, which made up a third of the time of
// tlsr_request_start with a browser's dozen headers.
func decodeRequestMeta(b []byte) (RequestMeta, error) {
	var wire struct {
		RequestMeta
		Headers [][]string `json:"headers"` // shadows RequestMeta.Headers
	}
	if err := decodeStrict("RequestMeta", b, &wire); err != nil {
		return RequestMeta{}, err
	}
	meta := wire.RequestMeta
	meta.Headers = make([]Header, len(wire.Headers))
	for i, pair := range wire.Headers {
		if len(pair) != 2 {
			return RequestMeta{}, newError(KindInvalidConfig, "malformed RequestMeta: header must be [name, value] strings, got %q", pair)
		}
		meta.Headers[i] = Header{Name: pair[0], Value: pair[1]}
	}
	return meta, nil
}

// decodeStrict decodes one JSON object into v, refusing unknown keys and
// trailing data. Any failure is an "invalid_config" error.
func decodeStrict(what string, b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return newError(KindInvalidConfig, "malformed %s: %v", what, err)
	}
	if dec.More() {
		return newError(KindInvalidConfig, "malformed %s: trailing data", what)
	}
	return nil
}
