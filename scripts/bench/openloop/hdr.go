package main

import (
	"math/bits"
	"time"
)

// histogram is an HDR histogram of latencies in microseconds with three
// significant digits: values below 2048 µs are counted exactly, larger ones
// in buckets 1/1024 of their power of two wide, so a percentile read from
// it is within 0.1% of the true one, whatever the range. It needs no
// allocation per value, so recording 10,000 results a second costs nothing.
type histogram struct {
	counts [2048 + 40*1024]int64
	n      int64
	max    int64
}

// index returns the bucket of v µs.
func index(v int64) int {
	if v < 2048 {
		return int(v)
	}
	e := bits.Len64(uint64(v)) - 11 // v >> e is in [1024, 2047]
	return 2048 + (e-1)*1024 + int(v>>e) - 1024
}

// highest returns the largest value bucket i counts.
func highest(i int) int64 {
	if i < 2048 {
		return int64(i)
	}
	e := (i-2048)/1024 + 1
	sub := int64((i-2048)%1024 + 1024)
	return (sub+1)<<e - 1
}

// record counts one latency.
func (h *histogram) record(d time.Duration) {
	v := max(d.Microseconds(), 0)
	i := min(index(v), len(h.counts)-1)
	h.counts[i]++
	h.n++
	h.max = max(h.max, v)
}

// quantile returns the latency at or below which a fraction q of the values
// fall (the highest value of the bucket holding that value).
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	want := int64(q*float64(h.n) + 0.5)
	want = min(max(want, 1), h.n)
	var seen int64
	for i, c := range h.counts {
		if seen += c; seen >= want {
			return time.Duration(min(highest(i), h.max)) * time.Microsecond
		}
	}
	return time.Duration(h.max) * time.Microsecond
}
