package check

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// actionlint runs actionlint (shellcheck off, so that the result does not
// depend on which shellcheck a machine has) on the workflows in dir.
func actionlint(t *testing.T, dir string) (string, error) {
	t.Helper()
	bin := needTool(t, filepath.Join(gobin(t), "actionlint"), "go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12")
	files, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
	if len(files) == 0 {
		t.Fatalf("no workflows in %s", dir)
	}
	cmd := exec.Command(bin, append([]string{"-shellcheck=", "-pyflakes=", "-no-color"}, files...)...)
	cmd.Dir = filepath.Join(dir, "..", "..")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestWorkflows runs actionlint on .github/workflows.
func TestWorkflows(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", ".github", "workflows"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := actionlint(t, dir); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

// TestWorkflowsBroken breaks a copy of the deploy workflow and expects
// actionlint to say so.
func TestWorkflowsBroken(t *testing.T) {
	src := filepath.Join("..", "..", ".github", "workflows")
	root := t.TempDir()
	dir := filepath.Join(root, ".github", "workflows")
	copyDir(t, src, dir)
	path := filepath.Join(dir, "deploy-env.yml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(b), "${{ inputs.environment }}.parameters.json", "${{ inputs.enviroment }}.parameters.json", 1)
	if broken == string(b) {
		t.Fatal("deploy-env.yml no longer has the line this test breaks: update the test")
	}
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := actionlint(t, dir)
	if err == nil || !strings.Contains(out, "enviroment") {
		t.Errorf("actionlint on a misspelled input: got %v\n%s\nwant a failure naming it", err, out)
	}
}
