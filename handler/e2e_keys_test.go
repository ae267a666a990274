package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testCursorKey is a SHOPFN_CURSOR_KEY LoadConfig accepts.
const testCursorKey = "39y40olLmnBdoASDjOYsO8UnOqgJnibAPaMOkhz8-N4"

// keysCursorMAC is the MAC a listing cursor carries (api/cursor.go) for the
// page after productID of an unfiltered listing of limit products, under key.
func keysCursorMAC(key, productID string, limit int) []byte {
	h := hmac.New(sha256.New, []byte(key))
	for _, s := range []string{"products", productID, "", "", strconv.Itoa(limit)} {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return h.Sum(nil)[:16]
}

// TestE2ECursorKeyOwnSecret checks over HTTP that listing cursors are not
// signed with the admin key (each public cursor would let anyone test
// guesses of the admin key offline), and that the key made in the data
// directory at the first start is kept, owner-only, and used again after a
// restart, so cursors given out before still page.
func TestE2ECursorKeyOwnSecret(t *testing.T) {
	dir := t.TempDir()
	run := func() *Program {
		return MustRunMainWith(t, true, func(m *Main) { m.Config.DataDir = dir })
	}
	first := run()
	var page struct {
		NextCursor string `json:"nextCursor"`
	}
	res := e2eShop{first}.do(t, "GET", "/api/products?limit=2", nil)
	e2eWantStatus(t, "first page", res, 200)
	res.JSON(t, &page)
	raw, err := base64.RawURLEncoding.DecodeString(page.NextCursor)
	if err != nil || len(raw) <= 16 {
		t.Fatalf("nextCursor %q is not an ID and a 16-byte MAC", page.NextCursor)
	}
	id, mac := string(raw[:len(raw)-16]), raw[len(raw)-16:]
	if hmac.Equal(mac, keysCursorMAC(testAdminKey, id, 2)) {
		t.Errorf("nextCursor %q is signed with the admin key", page.NextCursor)
	}
	info, err := os.Stat(filepath.Join(dir, "cursor.key"))
	if err != nil {
		t.Fatalf("no cursor key in the data directory: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("cursor.key has mode %o, want 600", perm)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	again := e2eShop{run()}
	res = again.do(t, "GET", "/api/products?limit=2&cursor="+page.NextCursor, nil)
	e2eWantStatus(t, "the next page, after a restart", res, 200)
}

// TestE2EWeakKeysRefused starts the built binary with guessable keys, as the
// README once showed, and wants it to refuse to start, saying how to make a
// good key. (TestREADMEExamples starts it with a good one.)
func TestE2EWeakKeysRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the binary start in -short mode")
	}
	bin := mustBuildBinary(t)
	start := func(env ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a process that starts is killed
		defer cancel()
		cmd := exec.CommandContext(ctx, bin)
		cmd.Dir = t.TempDir()
		cmd.Env = append(readmeEnv(), append([]string{"SHOPFN_ADDR=127.0.0.1:0", "SHOPFN_DATA_DIR=" + t.TempDir()}, env...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, tt := range []struct{ name, value string }{
		{"SHOPFN_ADMIN_KEY", "dev-admin-key-0123456789"},
		{"SHOPFN_ADMIN_KEY", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{"SHOPFN_CURSOR_KEY", "0123456789abcdef0123456789abcdef"},
	} {
		out, err := start(tt.name + "=" + tt.value)
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("%s=%s: got %v, want exit status 2\n%s", tt.name, tt.value, err, out)
			continue
		}
		if !strings.Contains(out, tt.name) || !strings.Contains(out, "openssl rand -base64 32") || strings.Contains(out, tt.value) {
			t.Errorf("%s=%s: got %q, want a message naming %s and how to make a key, without the key", tt.name, tt.value, out, tt.name)
		}
	}
}
