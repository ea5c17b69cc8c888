package bridge

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	http "github.com/bogdanfinn/fhttp"
)

// responseMeta describes a response head. bodyless is true when the response
// cannot have a body (HEAD, 1xx, 204, 304): reads then end at once and
// content_length is 0.
func responseMeta(resp *http.Response, req *http.Request) (ResponseMeta, bool) {
	m := ResponseMeta{
		StatusCode:    resp.StatusCode,
		ReasonPhrase:  reasonPhrase(resp),
		HTTPVersion:   httpVersion(resp),
		URL:           req.URL.String(),
		Headers:       responseHeaders(resp.Header),
		ContentLength: resp.ContentLength,
	}
	if resp.Request != nil && resp.Request.URL != nil {
		m.URL = resp.Request.URL.String()
	}
	bodyless := bodylessResponse(req, resp)
	if bodyless {
		m.ContentLength = 0
	}
	return m, bodyless
}

func httpVersion(resp *http.Response) string {
	switch resp.ProtoMajor {
	case 3:
		return "HTTP/3"
	case 2:
		return "HTTP/2"
	default:
		return fmt.Sprintf("HTTP/%d.%d", resp.ProtoMajor, resp.ProtoMinor)
	}
}

// reasonPhrase is resp.Status without the code ("404 Not Found" -> "Not
// Found"); HTTP/2 and 3 carry no phrase, so the standard text stands in.
func reasonPhrase(resp *http.Response) string {
	phrase := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
	if phrase == "" {
		phrase = http.StatusText(resp.StatusCode)
	}
	return phrase
}

// responseHeaders flattens the header map to [name, value] pairs with
// lowercase names. Go's map has already lost the wire order between
// different names, so names are emitted sorted (deterministic); the values
// of one name keep their received order.
func responseHeaders(h http.Header) []Header {
	merged := make(map[string][]string, len(h))
	for k, vs := range h {
		if k == http.HeaderOrderKey || k == http.PHeaderOrderKey {
			continue
		}
		lk := strings.ToLower(k)
		merged[lk] = append(merged[lk], vs...)
	}
	names := make([]string, 0, len(merged))
	for k := range merged {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]Header, 0, len(h))
	for _, k := range names {
		for _, v := range merged[k] {
			out = append(out, Header{Name: k, Value: v})
		}
	}
	return out
}

// bodylessResponse is true when a response cannot have a body: the answer to
// HEAD, 1xx, 204 and 304.
func bodylessResponse(req *http.Request, resp *http.Response) bool {
	code := resp.StatusCode
	return req.Method == http.MethodHead || (code >= 100 && code < 200) || code == 204 || code == 304
}
