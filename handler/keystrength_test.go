package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestKeyBits(t *testing.T) {
	for _, tt := range []struct {
		key  string
		weak bool
	}{
		{"", true},
		{"dev-admin-key-0123456789", true}, // the README's example, once
		{"test-admin-key-0123456789", true},
		{"0123456789abcdef0123456789abcdef0123456789", true}, // a run, then the same again
		{strings.Repeat("a", 100), true},
		{strings.Repeat("k8#Qz!p2R", 6), true},                         // a chunk repeated
		{"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", true}, // runs
		{"correct horse battery staple", true},
		{testAdminKey, false},
		{testCursorKey, false},
		{"ybF7AukOMSHtBezfOAWWleDdC+D/mfO28ItkKeHtQzw=", false},                     // openssl rand -base64 32
		{"74a48500c59cb110872bdc26b85dbbd63e209165755f00ce9fa5b8a3237b2497", false}, // openssl rand -hex 32
	} {
		err := checkKey(tt.key)
		if (err != nil) != tt.weak {
			t.Errorf("checkKey(%q) = %v (%.0f bits), want weak %v", tt.key, err, keyBits(tt.key), tt.weak)
		}
		if err != nil && (tt.key != "" && strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), "openssl rand -base64 32")) {
			t.Errorf("checkKey(%q) = %q, want a message saying how to make a key, without the key", tt.key, err)
		}
	}
}

// TestKeyBitsRandom checks that keys made as the README says, and the
// admin key made for a run without one, always pass.
func TestKeyBitsRandom(t *testing.T) {
	random := func(n int) []byte {
		b := make([]byte, n)
		rand.Read(b)
		return b
	}
	for i := range 2000 {
		for _, key := range []string{
			newAdminKey(),
			base64.StdEncoding.EncodeToString(random(32)),
			hex.EncodeToString(random(32)),
		} {
			if err := checkKey(key); err != nil {
				t.Fatalf("round %d: random key %q: %v", i, key, err)
			}
		}
	}
}
