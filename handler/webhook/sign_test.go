package webhook

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The test vector of the Standard Webhooks reference implementations.
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTime   = 1614265330
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignVector(t *testing.T) {
	got, err := Sign(vectorID, time.Unix(vectorTime, 0), []byte(vectorBody), vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got != vectorSig {
		t.Errorf("Sign: got %q, want %q", got, vectorSig)
	}
	// The independent verifier accepts the published vector too, so that a
	// bug shared by both cannot hide.
	h := http.Header{}
	h.Set("webhook-id", vectorID)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", vectorSig)
	if err := verify(vectorSecret, h, []byte(vectorBody), time.Unix(vectorTime, 0), 5*time.Minute); err != nil {
		t.Errorf("verify(vector): %v", err)
	}
}

func TestSignVerifies(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	oldSecret, newSecret, other := GenerateSecret(), GenerateSecret(), GenerateSecret()
	body := []byte(`{"specversion":"1.0","id":"evt_1"}`)
	sig, err := Sign("evt_1", now, body, newSecret, oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(sig)); n != 2 {
		t.Fatalf("Sign with two secrets: got %d signatures in %q, want 2", n, sig)
	}
	h := http.Header{}
	SetHeaders(h, "evt_1", now, sig)
	if got := h.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type: got %q", got)
	}
	tests := []struct {
		name   string
		secret string
		edit   func(h http.Header, body []byte) []byte
		at     time.Time
		ok     bool
	}{
		{"new secret", newSecret, nil, now, true},
		{"old secret during the overlap", oldSecret, nil, now, true},
		{"another secret", other, nil, now, false},
		{"body changed", newSecret, func(_ http.Header, b []byte) []byte { return append([]byte{' '}, b...) }, now, false},
		{"id changed", newSecret, func(h http.Header, b []byte) []byte { h.Set("webhook-id", "evt_2"); return b }, now, false},
		{"timestamp changed", newSecret, func(h http.Header, b []byte) []byte { h.Set("webhook-timestamp", "1700000001"); return b }, now, false},
		{"too old", newSecret, nil, now.Add(6 * time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.Clone()
			b := append([]byte(nil), body...)
			if tt.edit != nil {
				b = tt.edit(h, b)
			}
			err := verify(tt.secret, h, b, tt.at, 5*time.Minute)
			if tt.ok && err != nil {
				t.Errorf("verify: %v", err)
			}
			if !tt.ok && err == nil {
				t.Errorf("verify: got nil, want an error")
			}
		})
	}
}

func TestSignRefuses(t *testing.T) {
	good := GenerateSecret()
	tests := []struct {
		name    string
		id      string
		secrets []string
	}{
		{"no secret", "evt_1", nil},
		{"no prefix", "evt_1", []string{strings.TrimPrefix(good, "whsec_")}},
		{"one bad among good", "evt_1", []string{good, "whsec_!!"}},
		{"empty id", "", []string{good}},
		{"id with a dot", "evt.1", []string{good}},
		{"id with a line break", "evt_1\r\nX: y", []string{good}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if sig, err := Sign(tt.id, time.Now(), nil, tt.secrets...); err == nil {
				t.Errorf("Sign: got %q, want an error", sig)
			}
		})
	}
}

func TestGenerateSecret(t *testing.T) {
	a, b := GenerateSecret(), GenerateSecret()
	if a == b {
		t.Fatalf("two secrets are equal: %q", a)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	if !strings.HasPrefix(a, "whsec_") || err != nil || len(key) != 32 {
		t.Errorf("GenerateSecret: got %q (%d bytes, %v), want whsec_ and base64 of 32 bytes", a, len(key), err)
	}
}

func TestParseSecret(t *testing.T) {
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	tests := []struct {
		secret string
		n      int // key length; 0 when invalid
	}{
		{vectorSecret, 24},
		{"whsec_" + b64(32), 32},
		{"whsec_" + b64(64), 64},
		{"whsec_" + b64(23), 0},
		{"whsec_" + b64(65), 0},
		{b64(32), 0},
		{"whsec_" + strings.TrimRight(b64(32), "="), 0},
		{"whsec_ " + b64(32), 0},
		{"", 0},
	}
	for _, tt := range tests {
		key, err := ParseSecret(tt.secret)
		if tt.n == 0 {
			if !errors.Is(err, ErrInvalidSecret) {
				t.Errorf("ParseSecret(%q): got %v, want ErrInvalidSecret", tt.secret, err)
			}
			if err != nil && len(tt.secret) > 8 && strings.Contains(err.Error(), tt.secret[6:]) {
				t.Errorf("ParseSecret(%q): the error %q shows the secret", tt.secret, err)
			}
			continue
		}
		if err != nil || len(key) != tt.n {
			t.Errorf("ParseSecret(%q): got %d bytes, %v; want %d", tt.secret, len(key), err, tt.n)
		}
	}
}
