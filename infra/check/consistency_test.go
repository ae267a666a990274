package check

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// consistencyProblems checks that values written in two places agree: the
// delivery count after which Service Bus dead-letters (the queues) and the
// one shopfn counts dead letters by (SHOPFN_MAX_DELIVERY_COUNT on Flex and
// AKS), and the cart lifetime of the carts container's TTL (cartTtlHours)
// and of the AKS pods (CART_TTL_HOURS).
func consistencyProblems(t *testing.T, bicep, k8s string) []string {
	t.Helper()
	find := func(file, pattern string) string {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(pattern).FindSubmatch(b)
		if m == nil {
			t.Fatalf("%s: no match for %s", file, pattern)
		}
		return string(m[1])
	}
	var problems []string
	agree := func(what string, values map[string]string) {
		var first string
		for where, v := range values {
			if first == "" {
				first = v
			}
			if v != first {
				problems = append(problems, what+" disagrees: "+fmtValues(values)+" ("+where+")")
				return
			}
		}
	}
	agree("max delivery count", map[string]string{
		"servicebus.bicep maxDeliveryCount":           find(filepath.Join(bicep, "modules", "servicebus.bicep"), `maxDeliveryCount: (\d+)`),
		"functionapp.bicep SHOPFN_MAX_DELIVERY_COUNT": find(filepath.Join(bicep, "modules", "functionapp.bicep"), `SHOPFN_MAX_DELIVERY_COUNT: '(\d+)'`),
		"shopfn.env SHOPFN_MAX_DELIVERY_COUNT":        find(filepath.Join(k8s, "base", "shopfn.env"), `(?m)^SHOPFN_MAX_DELIVERY_COUNT=(\d+)$`),
	})
	agree("cart lifetime in hours", map[string]string{
		"main.bicep cartTtlHours":   find(filepath.Join(bicep, "main.bicep"), `param cartTtlHours int = (\d+)`),
		"shopfn.env CART_TTL_HOURS": find(filepath.Join(k8s, "base", "shopfn.env"), `(?m)^CART_TTL_HOURS=(\d+)$`),
	})
	return problems
}

func fmtValues(m map[string]string) string {
	s := ""
	for _, k := range sortedKeys(toSet(m)) {
		if s != "" {
			s += ", "
		}
		s += k + " = " + m[k]
	}
	return s
}

func toSet(m map[string]string) map[string]bool {
	s := map[string]bool{}
	for k := range m {
		s[k] = true
	}
	return s
}

// TestConsistency checks the values that must agree across the assets.
func TestConsistency(t *testing.T) {
	for _, p := range consistencyProblems(t, bicepDir, filepath.Join("..", "k8s")) {
		t.Error(p)
	}
}

// TestConsistencyBroken changes the queues' max delivery count in a copy.
func TestConsistencyBroken(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, bicepDir, dir)
	path := filepath.Join(dir, "modules", "servicebus.bicep")
	b, _ := os.ReadFile(path)
	broken := regexp.MustCompile(`maxDeliveryCount: \d+`).ReplaceAll(b, []byte("maxDeliveryCount: 5"))
	os.WriteFile(path, broken, 0o644)
	problems := consistencyProblems(t, dir, filepath.Join("..", "k8s"))
	if len(problems) != 1 || !regexp.MustCompile(`max delivery count disagrees: .*servicebus.bicep maxDeliveryCount = 5`).MatchString(problems[0]) {
		t.Errorf("got %q, want one max delivery count disagreement naming the queues' 5", problems)
	}
}
