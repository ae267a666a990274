// Command otlpsink is the OTLP/HTTP receiver scripts/bench.sh exports
// shopfn's traces and metrics to when it measures telemetry's cost: it
// accepts every POST (/v1/traces, /v1/metrics) with an empty protobuf
// answer, which means "all accepted", and discards the body. GET /stats
// answers how many exports and bytes of each kind it took, so that the
// bench can show the telemetry was really exported.
//
//	go run ./scripts/bench/otlpsink -addr 127.0.0.1:4318
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4318", "listen address")
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
	log.Fatal(http.ListenAndServe(*addr, nil))
}
