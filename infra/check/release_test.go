package check

import (
	"archive/zip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var repo = filepath.Join("..", "..")

// TestReleaseZip builds the Flex Consumption package and checks what the
// Functions host needs is in it, executable, and local settings are not.
func TestReleaseZip(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the handler")
	}
	out := filepath.Join(t.TempDir(), "functionapp.zip")
	cmd := exec.Command(filepath.Join(repo, "scripts", "release.sh"), "zip", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh zip: %v\n%s", err, b)
	}
	z, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	got := map[string]os.FileMode{}
	for _, f := range z.File {
		got[f.Name] = f.Mode()
	}
	want := []string{"host.json", "handler"}
	funcs, _ := filepath.Glob(filepath.Join(repo, "functions", "*", "function.json"))
	for _, f := range funcs {
		rel, _ := filepath.Rel(filepath.Join(repo, "functions"), f)
		want = append(want, filepath.ToSlash(rel))
	}
	for _, name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("package lacks %s (has %v)", name, keysOf(got))
		}
	}
	if got["handler"]&0o111 == 0 {
		t.Errorf("handler mode %v, want executable", got["handler"])
	}
	if _, ok := got["local.settings.json"]; ok {
		t.Error("package contains local.settings.json")
	}
}

// dockerfileProblems checks a Dockerfile as far as text allows (no Docker
// engine here): the build's Go matches go.mod, the binary is static, the
// final image is distroless nonroot and runs as a numeric non-root user, and
// what it copies from the context exists and is not excluded by the
// dockerignore.
func dockerfileProblems(df, ignore, gomod string) []string {
	var problems []string
	if v := goToolchain(gomod); v == "" || !strings.Contains(df, "FROM golang:"+v+"-") {
		problems = append(problems, fmt.Sprintf("build stage is not FROM golang:<go.mod's toolchain %q>-...", v))
	}
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 || !regexp.MustCompile(`^gcr\.io/distroless/static[-\w]*:nonroot$`).MatchString(froms[len(froms)-1][1]) {
		problems = append(problems, fmt.Sprintf("final stage %v, want gcr.io/distroless/static...:nonroot", froms))
	}
	if !strings.Contains(df, "CGO_ENABLED=0") {
		problems = append(problems, "the build does not set CGO_ENABLED=0 (a static binary for distroless/static)")
	}
	if user := regexp.MustCompile(`(?m)^USER (\d+)`).FindStringSubmatch(df); user == nil || user[1] == "0" {
		problems = append(problems, fmt.Sprintf("USER %v, want a numeric non-root user (runAsNonRoot needs a number)", user))
	}
	for _, m := range regexp.MustCompile(`(?m)^COPY ([^-\n][^\n]*?) \S+$`).FindAllStringSubmatch(df, -1) {
		for _, src := range strings.Fields(m[1]) {
			if _, err := os.Stat(filepath.Join(repo, src)); err != nil {
				problems = append(problems, fmt.Sprintf("COPY %s: %v", src, err))
			}
			if !strings.Contains(ignore, "!"+src) {
				problems = append(problems, fmt.Sprintf("COPY %s: the dockerignore does not re-include it (!%s)", src, src))
			}
		}
	}
	return problems
}

func readDockerfiles(t *testing.T) (df, ignore, gomod string) {
	t.Helper()
	var out [3]string
	for i, p := range []string{filepath.Join("..", "Dockerfile"), filepath.Join("..", "Dockerfile.dockerignore"), filepath.Join(repo, "go.mod")} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out[0], out[1], out[2]
}

// TestDockerfile checks infra/Dockerfile.
func TestDockerfile(t *testing.T) {
	for _, p := range dockerfileProblems(readDockerfiles(t)) {
		t.Error(p)
	}
}

// TestDockerfileBroken breaks copies of the Dockerfile one way at a time.
func TestDockerfileBroken(t *testing.T) {
	df, ignore, gomod := readDockerfiles(t)
	tests := []struct{ old, new, want string }{
		{"static-debian12:nonroot", "static-debian12:latest", "want gcr.io/distroless/static...:nonroot"},
		{"USER 65532:65532", "USER 0", "want a numeric non-root user"},
		{"CGO_ENABLED=0 ", "", "CGO_ENABLED=0"},
		{"COPY handler/ handler/", "COPY cmd/ cmd/", "COPY cmd/"},
	}
	for _, tt := range tests {
		broken := strings.Replace(df, tt.old, tt.new, 1)
		if broken == df {
			t.Fatalf("the Dockerfile no longer contains %q: update the test", tt.old)
		}
		if got := strings.Join(dockerfileProblems(broken, ignore, gomod), "\n"); !strings.Contains(got, tt.want) {
			t.Errorf("with %q: got %q, want it to contain %q", tt.new, got, tt.want)
		}
	}
	if got := dockerfileProblems(df, ignore, strings.Replace(gomod, "\ntoolchain go", "\ntoolchain go9", 1)); len(got) == 0 {
		t.Error("a go.mod version the Dockerfile does not build with: got no problem")
	}
}

// goToolchain returns the Go release go.mod builds with: its toolchain
// line's, else its go line's.
func goToolchain(gomod string) string {
	if m := regexp.MustCompile(`(?m)^toolchain go(\S+)`).FindStringSubmatch(gomod); m != nil {
		return m[1]
	}
	if m := regexp.MustCompile(`(?m)^go (\S+)`).FindStringSubmatch(gomod); m != nil {
		return m[1]
	}
	return ""
}

// TestGoVersions checks that the workflows set up the Go release go.mod
// builds with, and that both modules name the same one.
func TestGoVersions(t *testing.T) {
	_, _, gomod := readDockerfiles(t)
	want := goToolchain(gomod)
	if want == "" {
		t.Fatal("go.mod names no Go release")
	}
	if got := goToolchain(readFile(t, "go.mod")); got != want {
		t.Errorf("infra/check/go.mod builds with Go %s, go.mod with %s", got, want)
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", ".github", "workflows", "*.yml"))
	for _, f := range files {
		for _, m := range regexp.MustCompile(`go-version(-file)?:\s*'?([^'\s]+)`).FindAllStringSubmatch(readFile(t, f), -1) {
			if m[1] != "" || m[2] != want {
				t.Errorf("%s: %s, want go-version: '%s' (go.mod's toolchain)", filepath.Base(f), m[0], want)
			}
		}
	}
}

func keysOf(m map[string]os.FileMode) []string {
	s := make([]string, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}
