package bridge

import (
	"sort"
	"strings"
	"sync"

	"github.com/bogdanfinn/tls-client/profiles"
)

var profileNames = sync.OnceValue(func() []string {
	names := make([]string, 0, len(profiles.MappedTLSClients))
	for name := range profiles.MappedTLSClients {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
})

// builtinProfile looks a profile up by name (corrected_profiles.go first).
// Unknown names are an error, never a silent fallback to the default profile.
func builtinProfile(name string) (profiles.ClientProfile, error) {
	if name == "" {
		return profiles.ClientProfile{}, newError(KindInvalidProfile, "client_identifier is empty and no custom_profile was given")
	}
	p, ok := profileByName(name)
	if !ok {
		msg := "unknown client_identifier " + quote(name)
		if near := closeProfileNames(name, 5); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, ", ") + "?"
		}
		return profiles.ClientProfile{}, &Error{Kind: KindInvalidProfile, Message: msg}
	}
	return p, nil
}

// closeProfileNames returns up to max known names near name: same browser
// family first (the part before the first "_"), then by edit distance.
func closeProfileNames(name string, max int) []string {
	type scored struct {
		name  string
		score int
	}
	lower := strings.ToLower(name)
	family, _, _ := strings.Cut(lower, "_")
	var cands []scored
	for _, n := range profileNames() {
		d := editDistance(lower, n)
		if f, _, _ := strings.Cut(n, "_"); f == family {
			d -= 100
		}
		if d <= len(n)/2 {
			cands = append(cands, scored{n, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score < cands[j].score })
	out := make([]string, 0, max)
	for i := 0; i < len(cands) && i < max; i++ {
		out = append(out, cands[i].name)
	}
	return out
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func quote(s string) string { return `"` + s + `"` }
