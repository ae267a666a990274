package main

import (
	"fmt"
	"math"
)

// minKeyBits is the least estimated entropy, in bits, shopfn accepts in an
// admin key or a cursor key: past it, guessing the key offline (from a
// listing cursor, which is an HMAC under the cursor key) or online is out of
// reach.
const minKeyBits = 128

// makeKeyHint says how to make a key that passes.
const makeKeyHint = "make one with: openssl rand -base64 32"

// keyBits estimates the entropy of a key, in bits, from the key alone. It
// is deliberately simple and errs low for keys a person made up:
//
//   - each character is worth the Shannon entropy of the key's own character
//     frequencies (-Σ p·log2 p): a key drawing on few distinct characters, or
//     repeating some, is worth little per character;
//   - a character that a pattern predicts is worth nothing: one that goes
//     on a run with a constant step (aaaa, abcd, 9876, 2468), or that ends a
//     three-character sequence already seen earlier in the key (a repeated
//     word or chunk).
//
// The estimate is that worth times the characters not predicted. It cannot
// see dictionary words spread over a long key, so it measures random keys
// honestly and made-up ones generously: make keys with a generator. 44
// characters of openssl rand -base64 32 estimate at about 210 bits; 64 of
// openssl rand -hex 32 at about 240; "dev-admin-key-0123456789" at about 70.
func keyBits(key string) float64 {
	r := []rune(key)
	if len(r) == 0 {
		return 0
	}
	counts := map[rune]int{}
	for _, c := range r {
		counts[c]++
	}
	var perChar float64
	for _, k := range counts {
		p := float64(k) / float64(len(r))
		perChar -= p * math.Log2(p)
	}
	seen := map[string]bool{}
	fresh := 0
	for i := range r {
		predicted := false
		if i >= 2 {
			predicted = r[i]-r[i-1] == r[i-1]-r[i-2]
			tri := string(r[i-2 : i+1])
			predicted = predicted || seen[tri]
			seen[tri] = true
		}
		if !predicted {
			fresh++
		}
	}
	return perChar * float64(fresh)
}

// checkKey returns an error saying how to make a better key when key's
// estimated entropy (keyBits) is under minKeyBits. The error never holds
// the key.
func checkKey(key string) error {
	if bits := keyBits(key); bits < minKeyBits {
		return fmt.Errorf("is too easy to guess: about %.0f bits of estimated entropy, want at least %d (random characters, not words or patterns); %s", bits, minKeyBits, makeKeyHint)
	}
	return nil
}
