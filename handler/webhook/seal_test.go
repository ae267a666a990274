package webhook

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func newKey() []byte {
	k := make([]byte, KeyBytes)
	rand.Read(k)
	return k
}

func TestSealer(t *testing.T) {
	k1, k2 := newKey(), newKey()
	s1, err := NewSealer(k1)
	if err != nil {
		t.Fatal(err)
	}
	secret := GenerateSecret()
	sealed := s1.Seal("sub_1", secret)
	if strings.Contains(sealed, strings.TrimPrefix(secret, "whsec_")) || !strings.HasPrefix(sealed, "s1.") {
		t.Fatalf("Seal: got %q, want s1. and ciphertext", sealed)
	}
	if again := s1.Seal("sub_1", secret); again == sealed {
		t.Errorf("two seals of one secret are equal: the nonce is not random")
	}
	if got, err := s1.Open("sub_1", sealed); err != nil || got != secret {
		t.Errorf("Open: got %q, %v; want the secret", got, err)
	}
	rotated, _ := NewSealer(k2, k1)
	if got, err := rotated.Open("sub_1", sealed); err != nil || got != secret {
		t.Errorf("Open after a key rotation: got %q, %v; want the secret", got, err)
	}
	if got, err := rotated.Open("sub_1", rotated.Seal("sub_1", secret)); err != nil || got != secret {
		t.Errorf("Open of a value sealed with the new key: got %q, %v", got, err)
	}
	s2, _ := NewSealer(k2)
	flipped := []byte(sealed)
	flipped[len(flipped)-3] ^= 1
	for name, open := range map[string]func() (string, error){
		"another subscription": func() (string, error) { return s1.Open("sub_2", sealed) },
		"another key":          func() (string, error) { return s2.Open("sub_1", sealed) },
		"tampered":             func() (string, error) { return s1.Open("sub_1", string(flipped)) },
		"truncated":            func() (string, error) { return s1.Open("sub_1", sealed[:10]) },
		"no prefix":            func() (string, error) { return s1.Open("sub_1", sealed[3:]) },
		"plain secret":         func() (string, error) { return s1.Open("sub_1", secret) },
	} {
		if got, err := open(); !errors.Is(err, ErrUnseal) {
			t.Errorf("%s: got %q, %v; want ErrUnseal", name, got, err)
		}
	}
	if _, err := NewSealer(make([]byte, 16)); err == nil {
		t.Errorf("NewSealer with a 16-byte key: got no error")
	}
	if _, err := NewSealer(); err == nil {
		t.Errorf("NewSealer with no key: got no error")
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "webhook.key")
	var wg sync.WaitGroup
	keys := make([][]byte, 8)
	errs := make([]error, 8)
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = LoadOrCreateKey(path) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil || len(keys[i]) != KeyBytes || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("call %d: got %x, %v; want the same %d-byte key as call 0 (%x)", i, keys[i], errs[i], KeyBytes, keys[0])
		}
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: got %v, %v; want mode 0600", fi.Mode(), err)
	}
	again, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Errorf("LoadOrCreateKey again: got %x, %v; want %x", again, err, keys[0])
	}
	os.WriteFile(path, []byte("short"), 0o600)
	if _, err := LoadOrCreateKey(path); err == nil {
		t.Errorf("LoadOrCreateKey of a bad file: got no error")
	}
}
