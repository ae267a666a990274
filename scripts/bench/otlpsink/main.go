// Command otlpsink is the OTLP/HTTP receiver scripts/bench.sh exports
// shopfn's traces and metrics to when it measures telemetry's cost: it
// accepts every POST (/v1/traces, /v1/metrics) with an empty protobuf
// answer, which means "all accepted", and discards the body. GET /stats
// answers how many exports and bytes of each kind it took, so that the
// bench can show the telemetry was really exported.
//
// It prints "listening on ADDR" once it listens, so that with port 0 (the
// default) whoever started it learns the port the kernel chose.
//
//	go run ./scripts/bench/otlpsink -addr 127.0.0.1:0
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	var mu sync.Mutex
	exports := map[string]int{}
	bytes := map[string]int64{}
	http.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		mu.Lock()
		exports[r.URL.Path]++
		bytes[r.URL.Path] += n
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	})
	http.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		for _, path := range []string{"/v1/traces", "/v1/metrics"} {
			fmt.Fprintf(w, "%s exports=%d bytes=%d\n", path, exports[path], bytes[path])
		}
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, nil))
}
