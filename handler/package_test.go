package main

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPackage runs scripts/package.sh and checks the folder it builds is what
// the Functions host expects: a static Linux binary named as host.json says,
// host.json itself, and every function folder.
func TestPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping packaging (builds the handler) in -short mode")
	}
	out := t.TempDir()
	runPackage(t, out)

	t.Run("Handler", func(t *testing.T) {
		path := filepath.Join(out, "handler")
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&0o111 == 0 {
			t.Errorf("handler mode = %v, want executable", fi.Mode())
		}
		f, err := elf.Open(path)
		if err != nil {
			t.Fatalf("handler is not an ELF file: %v", err)
		}
		defer f.Close()
		if f.Machine != elf.EM_X86_64 {
			t.Errorf("handler machine = %v, want %v", f.Machine, elf.EM_X86_64)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("handler has a PT_INTERP program header; want a static binary")
			}
		}
		libs, err := f.ImportedLibraries()
		if err != nil {
			t.Fatal(err)
		}
		if len(libs) > 0 {
			t.Errorf("handler needs shared libraries %v; want none", libs)
		}
	})

	t.Run("HostJSON", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(out, "host.json"))
		if err != nil {
			t.Fatal(err)
		}
		var host struct {
			Version       string `json:"version"`
			CustomHandler struct {
				Description struct {
					DefaultExecutablePath string `json:"defaultExecutablePath"`
				} `json:"description"`
				EnableForwardingHTTPRequest bool `json:"enableForwardingHttpRequest"`
			} `json:"customHandler"`
		}
		if err := json.Unmarshal(data, &host); err != nil {
			t.Fatalf("host.json: %v", err)
		}
		if got, want := host.Version, "2.0"; got != want {
			t.Errorf("version = %q, want %q", got, want)
		}
		if got, want := host.CustomHandler.Description.DefaultExecutablePath, "handler"; got != want {
			t.Errorf("customHandler.description.defaultExecutablePath = %q, want %q", got, want)
		}
		if !host.CustomHandler.EnableForwardingHTTPRequest {
			t.Error("customHandler.enableForwardingHttpRequest = false, want true")
		}
	})

	t.Run("Functions", func(t *testing.T) {
		srcs, err := filepath.Glob(filepath.Join("..", "functions", "*", "function.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(srcs) == 0 {
			t.Fatal("no functions/*/function.json in the repository")
		}
		for _, src := range srcs {
			name := filepath.Base(filepath.Dir(src))
			want, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(out, name, "function.json"))
			if err != nil {
				t.Errorf("function %s: %v", name, err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/function.json differs from functions/%s/function.json", name, name)
			}
		}
	})

	t.Run("LocalSettings", func(t *testing.T) {
		path := filepath.Join(out, "local.settings.json")
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "local.settings.json.example"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Error("local.settings.json differs from local.settings.json.example")
		}

		// As it is, the example is the set-up with no Azure: every
		// non-HTTP function (Service Bus and timer triggers, which need
		// Service Bus and storage) disabled, and settings shopfn accepts
		// under the host.
		var example struct{ Values map[string]string }
		if err := json.Unmarshal(want, &example); err != nil {
			t.Fatalf("local.settings.json.example: %v", err)
		}
		fns, err := filepath.Glob(filepath.Join("..", "functions", "*", "function.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, fn := range fns {
			data, err := os.ReadFile(fn)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte(`"httpTrigger"`)) {
				continue
			}
			name := "AzureWebJobs." + filepath.Base(filepath.Dir(fn)) + ".Disabled"
			if example.Values[name] != "true" {
				t.Errorf("local.settings.json.example: %s = %q, want \"true\" (func start with no Azure)", name, example.Values[name])
			}
		}
		env := func(name string) string {
			if name == "FUNCTIONS_CUSTOMHANDLER_PORT" {
				return "34567"
			}
			return example.Values[name]
		}
		if _, err := LoadConfig(env); err != nil {
			t.Errorf("local.settings.json.example under the host: %v", err)
		}

		// A second run keeps the developer's own settings.
		mine := []byte(`{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "custom"}}`)
		if err := os.WriteFile(path, mine, 0o644); err != nil {
			t.Fatal(err)
		}
		runPackage(t, out)
		got, err = os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, mine) {
			t.Errorf("second run replaced local.settings.json: got %s, want %s", got, mine)
		}
	})
}

// runPackage runs scripts/package.sh with out as OUTDIR.
func runPackage(t *testing.T, out string) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join("..", "scripts", "package.sh"), out)
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/package.sh %s: %v\n%s", out, err, output)
	}
	if !bytes.Contains(output, []byte("func start")) {
		t.Errorf("scripts/package.sh output does not say how to start:\n%s", output)
	}
}
