// Command bare is the baseline for scripts/bench.sh: a bare net/http server
// that answers every request, whatever its method or path, with the bytes of
// one file as application/json. Benchmarking it with the same wrk settings
// and the same body as shopfn's product listing gives the most a Go HTTP
// server can do on this machine, and shopfn's throughput is reported as a
// ratio to it.
//
// It prints "listening on ADDR" once it listens, so that with port 0 (the
// default) whoever started it learns the port the kernel chose.
//
//	go run ./scripts/bench/bare -addr 127.0.0.1:0 -file products.json
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	file := flag.String("file", "", "file whose bytes every response carries")
	flag.Parse()
	if *file == "" {
		log.Fatal("bare: -file is required")
	}
	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal("bare: ", err)
	}
	size := strconv.Itoa(len(body))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal("bare: ", err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", size)
		w.Write(body)
	})))
}
