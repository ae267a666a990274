package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Sealer encrypts webhook secrets for storage with AES-256-GCM. A sealed
// secret is "s1." and the base64url form of a 12-byte nonce followed by the
// ciphertext and tag. The additional data is the subscription ID, so a
// sealed secret copied to another subscription's row does not open.
//
// The key comes from outside the database that holds the sealed secrets: on
// Azure, a Key Vault secret (32 random bytes, base64); locally, a file in
// the data directory made by LoadOrCreateKey. To rotate the key, put the
// new one first: Seal uses the first key, Open tries each, and stores seal
// again with the new key whenever they rewrite a secret.
type Sealer struct {
	aeads []cipher.AEAD
}

// KeyBytes is the length of a sealing key.
const KeyBytes = 32

const sealPrefix = "s1."

// ErrUnseal is returned by Open for a value that no key opens.
var ErrUnseal = errors.New("webhook secret: cannot unseal (wrong key, or tampered)")

// NewSealer returns a Sealer over keys, each KeyBytes long; the first seals.
func NewSealer(keys ...[]byte) (*Sealer, error) {
	if len(keys) == 0 {
		return nil, errors.New("webhook sealer: no key")
	}
	s := &Sealer{}
	for i, k := range keys {
		if len(k) != KeyBytes {
			return nil, fmt.Errorf("webhook sealer: key %d has %d bytes, want %d", i, len(k), KeyBytes)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("webhook sealer: key %d: %w", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("webhook sealer: key %d: %w", i, err)
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// Seal encrypts secret for the subscription id.
func (s *Sealer) Seal(id, secret string) string {
	a := s.aeads[0]
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce)
	return sealPrefix + base64.RawURLEncoding.EncodeToString(a.Seal(nonce, nonce, []byte(secret), []byte(id)))
}

// Open decrypts a value Seal returned for the subscription id.
func (s *Sealer) Open(id, sealed string) (string, error) {
	enc, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return "", ErrUnseal
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", ErrUnseal
	}
	for _, a := range s.aeads {
		if len(b) < a.NonceSize()+a.Overhead() {
			return "", ErrUnseal
		}
		if plain, err := a.Open(nil, b[:a.NonceSize()], b[a.NonceSize():], []byte(id)); err == nil {
			return string(plain), nil
		}
	}
	return "", ErrUnseal
}

// ParseKey decodes a sealing key given as standard base64 (how a Key Vault
// secret holds it).
func ParseKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(k) != KeyBytes {
		return nil, fmt.Errorf("webhook sealing key: want the base64 form of %d bytes", KeyBytes)
	}
	return k, nil
}

// LoadOrCreateKey returns the sealing key in the file at path, creating the
// file (mode 0600, base64 of KeyBytes random bytes) when it does not exist.
// Two processes starting at once end up with the same key: the file is
// created exclusively, and the loser reads the winner's.
func LoadOrCreateKey(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		return ParseKey(string(b))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("webhook sealing key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("webhook sealing key: %w", err)
	}
	k := make([]byte, KeyBytes)
	rand.Read(k)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".webhook-key-*")
	if err != nil {
		return nil, fmt.Errorf("webhook sealing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("webhook sealing key: %w", err)
	}
	// Link fails when path exists: then another process won, and its key
	// is the one every process uses.
	if err := os.Link(tmp.Name(), path); err != nil {
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("webhook sealing key: %w", err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("webhook sealing key: %w", err)
		}
		return ParseKey(string(b))
	}
	return k, nil
}
