package check

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// overlaySQL is the Azure SQL tier each overlay's environment runs on.
var overlaySQL = map[string]string{"dev": "dev", "prod": "prod", "canary": "prod"}

// TestSQLPool checks that no deployment opens more Azure SQL connections
// than its tier serves workers: Flex Consumption's maximumInstanceCount, or
// the AKS autoscalers' most pods, times SQLSERVER_MAX_CONNS.
func TestSQLPool(t *testing.T) {
	skus, err := SQLSKUs(bicepDir)
	if err != nil {
		t.Fatal(err)
	}
	for env, sku := range skus {
		if _, ok := SQLWorkers[sku]; !ok {
			t.Errorf("%s selects Azure SQL %s, which SQLWorkers has no limit for", env, sku)
		}
	}
	for _, env := range []string{"dev", "prod"} {
		problems, err := FlexSQLPool(bicepDir, filepath.Join(bicepDir, env+".parameters.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Error(p)
		}
	}
	for _, name := range overlays {
		objs, err := RenderAndDecode(filepath.Join("..", "k8s", "overlays", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range K8sSQLPool(name, skus[overlaySQL[name]], objs) {
			t.Error(p)
		}
	}
}

// TestSQLPoolBroken raises instance counts and connections in copies and
// expects the check to refuse them.
func TestSQLPoolBroken(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, bicepDir, dir)
	path := filepath.Join(dir, "prod.parameters.json")
	b, _ := os.ReadFile(path)
	os.WriteFile(path, regexp.MustCompile(`"maximumInstanceCount": \{ "value": \d+ \}`).ReplaceAll(b, []byte(`"maximumInstanceCount": { "value": 1000 }`)), 0o644)
	problems, err := FlexSQLPool(dir, path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(problems, "\n"); !strings.Contains(got, "1000 instances × SQLSERVER_MAX_CONNS 1 = 1000 connections, past the 200 workers Azure SQL GP_Gen5_2 serves") {
		t.Errorf("prod at 1000 instances: got %q, want it past GP_Gen5_2's 200 workers", got)
	}

	path = filepath.Join(dir, "dev.parameters.json")
	b, _ = os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(b), `"sqlMaxConnections": { "value": 1 },`, ``, 1)), 0o644)
	main := filepath.Join(dir, "main.bicep")
	b, _ = os.ReadFile(main)
	os.WriteFile(main, []byte(strings.Replace(string(b), "param sqlMaxConnections int = 1", "param sqlMaxConnections int = 10", 1)), 0o644)
	problems, err = FlexSQLPool(dir, path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(problems, "\n"); !strings.Contains(got, "40 instances × SQLSERVER_MAX_CONNS 10 = 400 connections, past the 75 workers") {
		t.Errorf("dev with main.bicep's default of 10 connections: got %q, want it past GP_S_Gen5_1's 75 workers", got)
	}

	k8s := t.TempDir()
	copyDir(t, filepath.Join("..", "k8s"), k8s)
	env := filepath.Join(k8s, "base", "shopfn.env")
	b, _ = os.ReadFile(env)
	os.WriteFile(env, regexp.MustCompile(`(?m)^SQLSERVER_MAX_CONNS=\d+$`).ReplaceAll(b, []byte("SQLSERVER_MAX_CONNS=10")), 0o644)
	objs, err := RenderAndDecode(filepath.Join(k8s, "overlays", "prod"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(K8sSQLPool("prod", "GP_Gen5_2", objs), "\n"); !strings.Contains(got, "80 instances × SQLSERVER_MAX_CONNS 10 = 800 connections, past the 200 workers") {
		t.Errorf("prod pods at 10 connections: got %q, want 30 api + 50 worker pods past 200 workers", got)
	}

	if p := SQLPoolProblem("x", "GP_Gen5_80", 1, 1); !strings.Contains(p, "no worker limit") {
		t.Errorf("an unknown tier: got %q, want no worker limit", p)
	}
}
