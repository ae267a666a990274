package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"math"
	"regexp"
	"sync"
	"testing"
)

// This file holds the E2E tests of cart IDs (format, unguessability).

// e2eIDBits estimates the random bits in ids: the positions that vary
// among them times log2 of the number of distinct characters seen there.
func e2eIDBits(ids []string) float64 {
	n := len(ids[0])
	chars := make(map[rune]bool)
	varying := 0
	for i := 0; i < n; i++ {
		seen := make(map[byte]bool)
		for _, id := range ids {
			seen[id[i]] = true
		}
		if len(seen) > 1 {
			varying++
			for c := range seen {
				chars[rune(c)] = true
			}
		}
	}
	return float64(varying) * math.Log2(float64(len(chars)))
}

func TestE2ECartIDs(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	const n = 100
	ids := make([]string, n)
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Go(func() {
			for i := w; i < n; i += 10 {
				res, err := s.send("POST", "/api/carts", nil)
				if err != nil {
					t.Error(err)
					return
				}
				e2eCheckResponse(t, "POST", "/api/carts", res)
				if res.Status != 201 {
					t.Errorf("POST /api/carts: got %d %s, want 201", res.Status, res.Body)
					return
				}
				var c e2eCart
				if err := json.Unmarshal(res.Body, &c); err != nil {
					t.Error(err)
					return
				}
				ids[i] = c.ID
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	seen := make(map[string]bool)
	for _, id := range ids {
		if seen[id] {
			t.Errorf("cart id %s was issued twice", id)
		}
		seen[id] = true
		if !urlSafe.MatchString(id) || len(id) != len(ids[0]) {
			t.Errorf("cart id %q: want URL-safe characters and the same length as %q", id, ids[0])
		}
	}
	if bits := e2eIDBits(ids); bits < 128 {
		t.Errorf("cart ids such as %q carry about %.0f random bits, want at least 128", ids[0], bits)
	}
	// Every issued ID works.
	for _, id := range ids[:5] {
		s.mustGetCart(t, id)
	}
}

func TestE2ECartIDBitsEstimate(t *testing.T) {
	// The estimate must refuse random UUIDs (122 bits) and accept 128 bits
	// of base32.
	t.Parallel()
	var uuids, base32s []string
	for range 100 {
		var b [16]byte
		rand.Read(b[:])
		b[6] = b[6]&0x0f | 0x40 // version 4
		b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
		u := hex.EncodeToString(b[:])
		uuids = append(uuids, u[:8]+"-"+u[8:12]+"-"+u[12:16]+"-"+u[16:20]+"-"+u[20:])
		base32s = append(base32s, "c"+rand.Text())
	}
	if bits := e2eIDBits(uuids); bits >= 128 {
		t.Errorf("e2eIDBits(UUIDv4s) = %.0f, want < 128", bits)
	}
	if bits := e2eIDBits(base32s); bits < 128 {
		t.Errorf("e2eIDBits(26 base32 characters) = %.0f, want >= 128", bits)
	}
}
