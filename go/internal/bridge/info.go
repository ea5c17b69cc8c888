package bridge

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"sort"
)

// ABIVersion is the C ABI version (TLSR_ABI_VERSION in tlsrequests.h).
const ABIVersion = 2

const (
	tlsClientModule = "github.com/bogdanfinn/tls-client"
	// tlsClientPinned is reported when build info is unavailable; keep it in
	// step with go.mod.
	tlsClientPinned = "v1.15.1"
)

func tlsClientVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == tlsClientModule {
				if dep.Replace != nil {
					return dep.Replace.Version
				}
				return dep.Version
			}
		}
	}
	return tlsClientPinned
}

// VersionJSON returns {"abi": 2, "tls_client": "v1.15.1", "go": "go1.x",
// "corrected_profiles": [...]}: the last lists, sorted, the built-in names
// whose tls-client profile is replaced by a corrected one
// (corrected_profiles.go).
func VersionJSON() []byte {
	corrected := make([]string, 0, len(corrections))
	for name := range corrections {
		corrected = append(corrected, name)
	}
	sort.Strings(corrected)
	return mustJSON(struct {
		ABI       int      `json:"abi"`
		TLSClient string   `json:"tls_client"`
		Go        string   `json:"go"`
		Corrected []string `json:"corrected_profiles"`
	}{ABIVersion, tlsClientVersion(), runtime.Version(), corrected})
}

// ErrorKindsJSON returns ErrorKinds as a JSON array.
func ErrorKindsJSON() []byte { return mustJSON(ErrorKinds) }

// ProfilesJSON returns the sorted built-in profile names as a JSON array.
func ProfilesJSON() []byte { return mustJSON(profileNames()) }

// StatsJSON returns the live-object counters. buffers is counted by the C
// shim, which owns the C allocations.
func StatsJSON(buffers int64) []byte {
	return mustJSON(struct {
		Sessions int64 `json:"sessions"`
		Requests int64 `json:"requests"`
		Buffers  int64 `json:"buffers"`
	}{sessions.count(), requests.count(), buffers})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only static, always-encodable values reach here
	}
	return b
}
