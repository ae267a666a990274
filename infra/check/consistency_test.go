package check

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
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
	// The Cosmos DB account's regions: the Bicep hands them to Flex as
	// COSMOS_PREFERRED_REGIONS, and k8s-env.sh writes them into each
	// overlay; the checked-in overlays must look like what it writes: dev's
	// account is serverless, one region; prod's ends in the parameters'
	// secondaryLocation.
	regions := regexp.MustCompile(`^[a-z0-9]+(,[a-z0-9]+)*$`)
	for _, env := range []string{"dev", "prod"} {
		v := find(filepath.Join(k8s, "overlays", env, "azure.env"), `(?m)^COSMOS_PREFERRED_REGIONS=(.*)$`)
		list := strings.Split(v, ",")
		second := ""
		if m := regexp.MustCompile(`"secondaryLocation": \{ "value": "(\w*)" \}`).FindStringSubmatch(readFile(t, filepath.Join(bicep, env+".parameters.json"))); m != nil {
			second = m[1]
		}
		switch {
		case !regions.MatchString(v):
			problems = append(problems, fmt.Sprintf("%s azure.env COSMOS_PREFERRED_REGIONS=%q is not a comma-separated list of Azure locations (westeurope,northeurope)", env, v))
		case len(list) != len(slices.Compact(slices.Sorted(slices.Values(list)))):
			problems = append(problems, fmt.Sprintf("%s azure.env COSMOS_PREFERRED_REGIONS=%q names a region twice", env, v))
		case env == "dev" && len(list) != 1:
			problems = append(problems, fmt.Sprintf("dev azure.env COSMOS_PREFERRED_REGIONS=%q: dev's serverless account has one region", v))
		case env == "prod" && second != "" && (len(list) != 2 || list[1] != second):
			problems = append(problems, fmt.Sprintf("prod azure.env COSMOS_PREFERRED_REGIONS=%q disagrees with prod.parameters.json secondaryLocation %q: want the app's region, then %s", v, second, second))
		}
	}
	for file, pattern := range map[string]string{
		filepath.Join(bicep, "modules", "functionapp.bicep"): `COSMOS_PREFERRED_REGIONS: cosmosPreferredRegions`,
		filepath.Join(bicep, "main.bicep"):                   `cosmosPreferredRegions: cosmos.outputs.preferredRegions`,
		filepath.Join(bicep, "modules", "cosmos.bicep"):      `output preferredRegions string = multiRegion \? '\$\{location\},\$\{secondaryLocation\}' : location`,
		filepath.Join("..", "..", "scripts", "k8s-env.sh"):   `COSMOS_PREFERRED_REGIONS=\$\(out cosmosPreferredRegions\)`,
	} {
		if !regexp.MustCompile(pattern).MatchString(readFile(t, file)) {
			problems = append(problems, fmt.Sprintf("%s does not pass the Cosmos DB account's regions on as COSMOS_PREFERRED_REGIONS (want %s)", filepath.Base(file), pattern))
		}
	}
	// Customer sign-in: the checked-in overlays carry SHOPFN_OIDC_*, so
	// k8s-env.sh, which rewrites azure.env, must write them too, from the
	// Bicep outputs of the parameters.
	for file, pattern := range map[string]string{
		filepath.Join(bicep, "main.bicep"):                               `(?m)^output oidcIssuer string = oidcIssuer$`,
		filepath.Join(bicep, "main.bicep") + " audience":                 `(?m)^output oidcAudience string = oidcAudience$`,
		filepath.Join("..", "..", "scripts", "k8s-env.sh"):               `SHOPFN_OIDC_ISSUER=\$\(out oidcIssuer\)`,
		filepath.Join("..", "..", "scripts", "k8s-env.sh") + " audience": `SHOPFN_OIDC_AUDIENCE=\$\(out oidcAudience\)`,
	} {
		if !regexp.MustCompile(pattern).MatchString(readFile(t, strings.TrimSuffix(file, " audience"))) {
			problems = append(problems, fmt.Sprintf("%s does not pass customer sign-in's settings on (want %s)", filepath.Base(file), pattern))
		}
	}
	return problems
}

// readFile returns a file's text, failing the test when it cannot be read.
func readFile(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
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

// TestConsistencyBrokenRegions gives prod's overlay preferred regions that
// miss the Bicep's secondary region, in a copy.
func TestConsistencyBrokenRegions(t *testing.T) {
	k8s := t.TempDir()
	copyDir(t, filepath.Join("..", "k8s"), k8s)
	path := filepath.Join(k8s, "overlays", "prod", "azure.env")
	b, _ := os.ReadFile(path)
	os.WriteFile(path, regexp.MustCompile(`(?m)^COSMOS_PREFERRED_REGIONS=.*$`).ReplaceAll(b, []byte("COSMOS_PREFERRED_REGIONS=eastus2,northeurope")), 0o644)
	problems := consistencyProblems(t, bicepDir, k8s)
	if len(problems) != 1 || !strings.Contains(problems[0], `disagrees with prod.parameters.json secondaryLocation "westus3"`) {
		t.Errorf("got %q, want one disagreement naming westus3", problems)
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
