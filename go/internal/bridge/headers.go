package bridge

import (
	"net/url"
	"strings"

	http "github.com/bogdanfinn/fhttp"
	"golang.org/x/net/http/httpguts"
)

// outgoingHeaders is a fresh header map for one request (tls-client writes
// into it, so it is never shared) plus what the transport needs separately.
type outgoingHeaders struct {
	header http.Header
	host   string // from a Host header; "" = the URL's host
	hasUA  bool
}

// buildHeaders turns the ordered [name, value] list into an fhttp header map.
//
//   - Order: http.HeaderOrderKey lists the lowercase names in first-seen
//     order; fhttp sorts both HTTP/1.1 and HTTP/2 headers by it. Repeated
//     names are all sent, grouped at the first occurrence's position.
//   - Names keep the caller's case (HTTP/1.1 sends them as given; HTTP/2
//     lowercases), except User-Agent, which fhttp looks up by exact key and is
//     therefore stored as "User-Agent" unless given so or all lowercase.
//   - Host sets the request's authority: HTTP/2 :authority, and the HTTP/1.1
//     "Host" line that fhttp writes at the position the caller gave.
//   - Content-Length and Transfer-Encoding are framing: the transport writes
//     its own from the body, at the position the caller gave them.
//   - With no User-Agent, none is sent (see noUserAgent).
func buildHeaders(in []Header) (outgoingHeaders, error) {
	out := outgoingHeaders{header: make(http.Header, len(in)+2)}
	order := make([]string, 0, len(in)+1)
	seen := make(map[string]bool, len(in))
	for _, h := range in {
		if !httpguts.ValidHeaderFieldName(h.Name) {
			return out, newError(KindInvalidConfig, "invalid header name %q", h.Name)
		}
		if !httpguts.ValidHeaderFieldValue(h.Value) {
			return out, newError(KindInvalidConfig, "invalid value for header %q (control characters such as CR, LF or NUL are not allowed)", h.Name)
		}
		lower := strings.ToLower(h.Name)
		if !seen[lower] {
			seen[lower] = true
			order = append(order, lower)
		}
		switch lower {
		case "host":
			if out.host != "" {
				return out, newError(KindInvalidConfig, "more than one Host header")
			}
			out.host = h.Value
			continue // fhttp writes Host itself (from req.Host) at this position
		case "content-length", "transfer-encoding":
			continue
		case "user-agent":
			out.hasUA = true
		}
		key := h.Name
		if lower == "user-agent" && h.Name != "User-Agent" && h.Name != lower {
			key = http.CanonicalHeaderKey(h.Name)
		}
		out.header[key] = append(out.header[key], h.Value)
	}
	if !seen["host"] {
		// Browsers send Host first in HTTP/1.1; unordered names would go last.
		order = append([]string{"host"}, order...)
	}
	out.header[http.HeaderOrderKey] = order
	if !out.hasUA {
		noUserAgent(out.header, false)
	}
	return out, nil
}

// noUserAgent stops fhttp from adding its default "Go-http-client" agent.
// The two transports need different markers: HTTP/1.1 sends no User-Agent
// line for a present-but-empty value list, while HTTP/2 skips empty lists
// (and then adds its default) but omits a single empty value. The request
// switches to the HTTP/2 form in its GotConn hook, once the protocol is known.
func noUserAgent(h http.Header, h2 bool) {
	if h2 {
		h["User-Agent"] = []string{""}
	} else {
		h["User-Agent"] = []string{}
	}
}

// parseURL validates RequestMeta.url.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, newError(KindInvalidURL, "%v", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	case "":
		return nil, newError(KindUnsupportedProtocol, "URL %q has no scheme; use http:// or https://", raw)
	default:
		return nil, newError(KindUnsupportedProtocol, "unsupported URL scheme %q; use http:// or https://", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, newError(KindInvalidURL, "URL %q has no host", raw)
	}
	if u.Opaque != "" {
		return nil, newError(KindInvalidURL, "URL %q is not hierarchical", raw)
	}
	// Python owns auth: userinfo would make Go add an Authorization header.
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}
