package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// proseRules are rules that both openapi.json (in an operation's
// description) and the README state in words: each must appear, word for
// word once whitespace is folded, in both, so that neither can drift to a
// rule the code does not follow.
var proseRules = []struct {
	operation string // METHOD path in openapi.json
	rule      string
}{
	{"POST /api/checkout", "Without `Idempotency-Key` the key is the cart as it stands (its ID and ETag) and the body: the same request again replays, a changed cart or body (another card after a decline) is a new attempt, and the cart still checks out once."},
}

// fold joins a text's lines and collapses its whitespace, so that a rule
// wrapped in the README matches the same rule on one line.
func fold(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestOpenAPIProseAgrees(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Description string `json:"description"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	text := fold(string(readme))
	for _, r := range proseRules {
		method, path, _ := strings.Cut(r.operation, " ")
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s: not in openapi.json", r.operation)
			continue
		}
		if !strings.Contains(fold(op.Description), fold(r.rule)) {
			t.Errorf("%s: openapi.json's description does not state the rule %q; it says %q", r.operation, r.rule, op.Description)
		}
		if !strings.Contains(text, fold(r.rule)) {
			t.Errorf("%s: the README does not state the rule %q", r.operation, r.rule)
		}
	}
}
