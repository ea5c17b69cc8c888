// A small, fast HTTPS server for the benchmarks (Go standard library only).
//
// The Python test server (hypercorn) tops out near 130 MB/s over HTTP/1.1 and 65 MB/s over
// HTTP/2 on a 2-core machine, below what the clients can take, so a download benchmark
// against it measures the server. This one serves the same routes from memory:
//
//	/bytes/{n}    the first n bytes of the -body file (Content-Length, octet-stream)
//	/json         the -json file
//	/echo         reads the request body; replies {"body_len", "body_sha256", "method"}
//	/delay/{s}    reads the body, sleeps s seconds (<= 60), replies {"delay": s}
//
// Every response carries X-Proto (HTTP/1.1 or HTTP/2.0), so the harness can check which
// protocol a client really spoke.
//
// It listens on 127.0.0.1 only: TLS (h2 + http/1.1 by ALPN) on one port and a plain-HTTP
// control port whose /stats reports accepted TCP connections and /reset zeroes the count.
// It prints "READY <tls-port> <control-port>" once serving and exits when stdin closes.
package main

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

func main() {
	cert := flag.String("cert", "", "PEM file with the server key and certificate chain")
	bodyPath := flag.String("body", "", "file whose prefix /bytes/{n} serves")
	jsonPath := flag.String("json", "", "file /json serves")
	flag.Parse()

	body, err := os.ReadFile(*bodyPath)
	if err != nil {
		log.Fatal(err)
	}
	doc, err := os.ReadFile(*jsonPath)
	if err != nil {
		log.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(*cert, *cert)
	if err != nil {
		log.Fatal(err)
	}

	var connections atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/bytes/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 0 || n > len(body) {
			http.Error(w, "bad size", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(n))
		_, _ = w.Write(body[:n])
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		_, _ = w.Write(doc)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		digest := sha256.New()
		n, err := io.Copy(digest, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]any{
			"method":      r.Method,
			"body_len":    n,
			"body_sha256": hex.EncodeToString(digest.Sum(nil)),
		})
	})
	mux.HandleFunc("/delay/{s}", func(w http.ResponseWriter, r *http.Request) {
		seconds, err := strconv.ParseFloat(r.PathValue("s"), 64)
		if err != nil || seconds < 0 || seconds > 60 {
			http.Error(w, "bad delay", http.StatusBadRequest)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-time.After(time.Duration(seconds * float64(time.Second))):
		case <-r.Context().Done():
			return
		}
		writeJSON(w, map[string]any{"delay": seconds})
	})

	server := &http.Server{
		Handler:   withProto(mux),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}},
		HTTP2:     &http.HTTP2Config{MaxConcurrentStreams: 2048},
		ConnState: func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				connections.Add(1)
			}
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = server.ServeTLS(listener, "", "") }()

	control := http.NewServeMux()
	control.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"connections": connections.Load()})
	})
	control.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		connections.Store(0)
		writeJSON(w, map[string]any{"connections": 0})
	})
	controlListener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = http.Serve(controlListener, control) }()

	fmt.Printf("READY %d %d\n", port(listener), port(controlListener))
	_, _ = io.Copy(io.Discard, os.Stdin) // the harness closes stdin to stop us
}

func port(l net.Listener) int {
	return l.Addr().(*net.TCPAddr).Port
}

func writeJSON(w http.ResponseWriter, value any) {
	data, _ := json.Marshal(value)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

func withProto(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Proto", r.Proto)
		next.ServeHTTP(w, r)
	})
}
