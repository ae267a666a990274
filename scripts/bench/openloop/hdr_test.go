package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramIndex(t *testing.T) {
	for _, v := range []int64{0, 1, 2047, 2048, 2049, 4095, 4096, 1e6, 60e6} {
		i := index(v)
		if h := highest(i); h < v {
			t.Errorf("highest(index(%d)) = %d, want >= %d", v, h, v)
		}
		if i > 0 && highest(i-1) >= v {
			t.Errorf("highest(index(%d)-1) = %d, want < %d", v, highest(i-1), v)
		}
	}
}

func TestHistogramQuantile(t *testing.T) {
	var h histogram
	var all []int64
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		v := int64(r.ExpFloat64() * 5000) // µs, a long tail
		all = append(all, v)
		h.record(time.Duration(v) * time.Microsecond)
	}
	slices.Sort(all)
	for _, q := range []float64{0.5, 0.99, 0.999} {
		want := all[int(q*float64(len(all)))-1]
		got := h.quantile(q).Microseconds()
		if d := got - want; d < 0 || float64(d) > 0.002*float64(want)+1 {
			t.Errorf("quantile(%v) = %d µs, want %d µs within 0.2%%", q, got, want)
		}
	}
}
