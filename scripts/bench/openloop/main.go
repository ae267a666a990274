// Command openloop is scripts/bench.sh's open-loop load generator: it holds
// -conns keep-alive connections open to shopfn and sends requests at a
// constant arrival rate (vegeta's attacker and constant pacer), whatever the
// server's latency, so that a slow server cannot slow the load down
// (coordinated omission). The requests are a mix, one in three each:
// GET /api/products?limit=20, GET /api/products/{id} over -products, and
// POST /api/carts/{id}/items over -carts and -skus (as scripts/bench/cart.lua
// does). For each percentage in -pcts it runs -duration at that share of
// -max (the closed-loop maximum wrk measured) and prints one line:
//
//	openloop pct=50 rate=2500 sent=50000 ok=50000 non2xx=0 errors=0 p50_ms=1.21 p99_ms=9.80 p999_ms=31.00 max_ms=40.10 conns=10000 rss_kib=123456 fds=10012
//
// The percentiles come from an HDR histogram (hdr.go) of every request's
// latency; a -warmup run before the measured ones is not reported. rss_kib
// and fds are -pid's resident memory and open files at the end of the run,
// with the connections still open.
//
//	openloop -base http://127.0.0.1:PORT -max 9000 -pcts 50,80 -conns 10000 \
//	    -products FILE -carts FILE -skus FILE -pid PID
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench/openloop: ")
	base := flag.String("base", "", "shopfn's base URL, http://127.0.0.1:PORT")
	maxRate := flag.Float64("max", 0, "the closed-loop maximum, requests a second")
	pcts := flag.String("pcts", "50,80", "percentages of -max to run at, comma-separated")
	duration := flag.Duration("duration", 20*time.Second, "each run's length")
	warmup := flag.Duration("warmup", 5*time.Second, "a run at the first percentage before the measured ones, not reported")
	conns := flag.Int("conns", 10000, "keep-alive connections held open")
	products := flag.String("products", "", "file of product IDs, one a line")
	carts := flag.String("carts", "", "file of cart IDs, one a line")
	skus := flag.String("skus", "", "file of SKUs, one a line, each with 99 units available")
	pid := flag.Int("pid", 0, "shopfn's process ID, for its RSS and open files")
	flag.Parse()
	if *base == "" || *maxRate <= 0 {
		log.Fatal("-base and -max are required")
	}
	mix, err := newMix(*base, *products, *carts, *skus)
	if err != nil {
		log.Fatal(err)
	}
	pool := newPool(*conns)
	began := time.Now()
	if err := pool.open(*base + "/api/health"); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d connections open in %v", *conns, time.Since(began).Round(time.Millisecond))
	var list []int
	for _, p := range strings.Split(*pcts, ",") {
		pct, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || pct <= 0 {
			log.Fatalf("bad percentage %q", p)
		}
		list = append(list, pct)
	}
	if *warmup > 0 {
		// The first seconds over new connections pay for their buffers
		// and goroutines growing, on both sides.
		r := run(pool, mix, int(*maxRate*float64(list[0])/100), *warmup)
		log.Printf("warm-up: %d sent, p99 %.2f ms (not reported)", r.sent, ms(r.h.quantile(0.99)))
	}
	for _, pct := range list {
		rate := int(*maxRate * float64(pct) / 100)
		r := run(pool, mix, rate, *duration)
		rss, fds := procStats(*pid)
		fmt.Printf("openloop pct=%d rate=%d sent=%d ok=%d non2xx=%d errors=%d p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f conns=%d rss_kib=%d fds=%d\n",
			pct, rate, r.sent, r.ok, r.non2xx, r.errors, ms(r.h.quantile(0.5)), ms(r.h.quantile(0.99)), ms(r.h.quantile(0.999)),
			ms(time.Duration(r.h.max)*time.Microsecond), pool.opened.Load(), rss, fds)
		if r.firstErr != "" {
			log.Printf("pct=%d: first error: %s", pct, r.firstErr)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// result is one run's outcome.
type result struct {
	h                        histogram
	sent, ok, non2xx, errors int64
	firstErr                 string
}

// run sends rate requests a second for d over the pool and records them.
func run(pool *pool, mix *mix, rate int, d time.Duration) *result {
	atk := vegeta.NewAttacker(
		vegeta.Client(&http.Client{Transport: pool, Timeout: 30 * time.Second}),
		vegeta.Workers(uint64(min(max(rate/10, 64), 4096))),
		vegeta.MaxBody(0),
	)
	r := &result{}
	for res := range atk.Attack(mix.next, vegeta.ConstantPacer{Freq: rate, Per: time.Second}, d, "") {
		r.sent++
		switch {
		case res.Code >= 200 && res.Code < 300:
			r.ok++
		case res.Code != 0:
			r.non2xx++
		default:
			r.errors++
		}
		if res.Error != "" && r.firstErr == "" {
			r.firstErr = res.Error
		}
		r.h.record(res.Latency)
	}
	return r
}

// procStats returns pid's resident memory in KiB and its open files.
func procStats(pid int) (rssKiB int64, fds int) {
	if pid <= 0 {
		return 0, 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
				rssKiB, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			}
		}
	}
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return rssKiB, len(ents)
}

// counter hands out request numbers.
type counter struct{ n atomic.Uint64 }

func (c *counter) next() uint64 { return c.n.Add(1) - 1 }
