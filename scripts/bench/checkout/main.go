// Command checkout is scripts/bench.sh's helper for the checkout run. It
// does the two things that are too slow or too fiddly in shell:
//
//	checkout carts -base URL -skus FILE -n N [-c 32] -out FILE
//
// creates N carts, each holding one unit of a SKU from FILE (round robin),
// with c requests at a time, and writes their IDs to -out, one a line: a cart
// checks out once, so the checkout run needs one per request.
//
//	checkout placed -base URL -key ADMINKEY -sample FILE -want N [-timeout 2m]
//
// waits until every order ID in -sample (the last orders the run created) is
// placed, then until GET /api/admin/orders?status=placed counts at least N
// orders, and prints "placed COUNT at UNIX_MICROSECONDS": the moment the
// sample was placed, or, when the count fell short then, the moment a count
// was first seen complete.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench/checkout: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: checkout carts|placed [flags]")
	}
	var err error
	switch os.Args[1] {
	case "carts":
		err = carts(os.Args[2:])
	case "placed":
		err = placed(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q; want carts or placed", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

// call sends a request and returns the status and body.
func call(method, u string, body []byte, header ...string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return res.StatusCode, data, err
}

func readLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out, nil
}

// carts creates the carts.
func carts(args []string) error {
	fs := flag.NewFlagSet("carts", flag.ExitOnError)
	base := fs.String("base", "", "shopfn's base URL")
	skusFile := fs.String("skus", "", "file of SKUs, one a line")
	n := fs.Int("n", 0, "carts to create")
	c := fs.Int("c", 32, "requests at a time")
	out := fs.String("out", "", "file to write the cart IDs to")
	fs.Parse(args)
	skus, err := readLines(*skusFile)
	if err != nil {
		return err
	}
	if *base == "" || *out == "" || len(skus) == 0 || *n < 1 || *c < 1 {
		return errors.New("carts: -base, -skus (not empty), -n and -out are required")
	}
	bodies := make([][]byte, len(skus))
	for i, s := range skus {
		bodies[i], _ = json.Marshal(map[string]any{"items": []map[string]any{{"sku": s, "quantity": 1}}})
	}
	ids := make([]string, *n)
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	for range *c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for failed.Load() == nil {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				status, body, err := call("POST", *base+"/api/carts", bodies[i%len(bodies)])
				var cart struct{ ID string }
				if err == nil && (status != 201 || json.Unmarshal(body, &cart) != nil || cart.ID == "") {
					err = fmt.Errorf("POST /api/carts: %d %s", status, body)
				}
				if err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				ids[i] = cart.ID
			}
		}()
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		return *p
	}
	log.Printf("created %d carts in %v (%.0f/s)", *n, time.Since(start).Round(time.Millisecond), float64(*n)/time.Since(start).Seconds())
	return os.WriteFile(*out, []byte(strings.Join(ids, "\n")+"\n"), 0o644)
}

// placed waits for the orders to be placed.
func placed(args []string) error {
	fs := flag.NewFlagSet("placed", flag.ExitOnError)
	base := fs.String("base", "", "shopfn's base URL")
	key := fs.String("key", "", "admin key")
	sampleFile := fs.String("sample", "", "file of order IDs, one a line")
	want := fs.Int("want", 0, "placed orders to wait for")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long to wait")
	fs.Parse(args)
	sample, err := readLines(*sampleFile)
	if err != nil {
		return err
	}
	if *base == "" || *key == "" {
		return errors.New("placed: -base and -key are required")
	}
	deadline := time.Now().Add(*timeout)
	waiting := sample
	for len(waiting) > 0 {
		var still []string
		for _, id := range waiting {
			status, body, err := call("GET", *base+"/api/orders/"+id, nil)
			if err != nil {
				return err
			}
			var o struct{ Status string }
			if status != 200 || json.Unmarshal(body, &o) != nil {
				return fmt.Errorf("GET /api/orders/%s: %d %s", id, status, body)
			}
			if o.Status != "placed" {
				still = append(still, id)
			}
		}
		if waiting = still; len(waiting) > 0 {
			if time.Now().After(deadline) {
				return fmt.Errorf("%d of %d sampled orders not placed within %v", len(waiting), len(sample), *timeout)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// The sample is the newest orders: once they are placed, the rest
	// normally are too, and that moment is the answer. The count confirms
	// it; when it falls short, the answer is the end of the first count
	// that does not.
	at := time.Now()
	for {
		n, err := countPlaced(*base, *key)
		if err != nil {
			return err
		}
		if n >= *want {
			fmt.Printf("placed %d at %d\n", n, at.UnixMicro())
			return nil
		}
		at = time.Now()
		if time.Now().After(deadline) {
			return fmt.Errorf("%d orders placed, want %d, after %v", n, *want, *timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// countPlaced pages through GET /api/admin/orders?status=placed.
func countPlaced(base, key string) (int, error) {
	n, cursor := 0, ""
	for {
		u := base + "/api/admin/orders?status=placed&limit=100"
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		status, body, err := call("GET", u, nil, "x-functions-key", key)
		if err != nil {
			return 0, err
		}
		var page struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor *string           `json:"nextCursor"`
		}
		if status != 200 || json.Unmarshal(body, &page) != nil {
			return 0, fmt.Errorf("GET %s: %d %.200s", u, status, body)
		}
		n += len(page.Items)
		if page.NextCursor == nil {
			return n, nil
		}
		cursor = *page.NextCursor
	}
}
