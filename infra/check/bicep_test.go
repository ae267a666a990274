package check

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var bicepDir = filepath.Join("..", "bicep")

// bicepFiles returns every .bicep file under dir.
func bicepFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".bicep") {
			files = append(files, p)
		}
		return err
	})
	if len(files) < 2 {
		t.Fatalf("got Bicep files %v, want main.bicep and its modules", files)
	}
	return files
}

// parseBicep runs bicep/parse.js (tree-sitter-bicep) on files.
func parseBicep(t *testing.T, files []string) (string, error) {
	t.Helper()
	needTool(t, filepath.Join("bicep", "node_modules", "tree-sitter-bicep", "package.json"), "npm ci --prefix infra/check/bicep")
	node := needTool(t, "node", "install Node.js 20 or later")
	out, err := exec.Command(node, append([]string{filepath.Join("bicep", "parse.js")}, files...)...).CombinedOutput()
	return string(out), err
}

// TestBicepSyntax parses every Bicep file with the tree-sitter grammar.
func TestBicepSyntax(t *testing.T) {
	if out, err := parseBicep(t, bicepFiles(t, bicepDir)); err != nil {
		t.Errorf("Bicep syntax: %v\n%s", err, out)
	}
}

// TestBicepSyntaxBroken leaves a string of a copy of main.bicep unclosed.
func TestBicepSyntaxBroken(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, bicepDir, dir)
	main := filepath.Join(dir, "main.bicep")
	b, _ := os.ReadFile(main)
	broken := strings.Replace(string(b), "targetScope = 'resourceGroup'", "targetScope = 'resourceGroup", 1)
	if broken == string(b) {
		t.Fatal("main.bicep no longer has the text this test breaks: update the test")
	}
	os.WriteFile(main, []byte(broken), 0o644)
	out, err := parseBicep(t, []string{main})
	if err == nil || !strings.Contains(out, "main.bicep:") {
		t.Errorf("parse of a broken main.bicep: got %v\n%s\nwant a syntax error naming the file", err, out)
	}
}

// TestBicepModules checks the parameters and outputs main.bicep uses
// against the modules' declarations.
func TestBicepModules(t *testing.T) {
	problems, err := CheckBicepModules(filepath.Join(bicepDir, "main.bicep"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestBicepModulesBroken renames a module parameter and an output in a copy.
func TestBicepModulesBroken(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, bicepDir, dir)
	path := filepath.Join(dir, "modules", "functionapp.bicep")
	b, _ := os.ReadFile(path)
	s := strings.Replace(string(b), "param keyVaultUrl string", "param keyVaultUri string", 1)
	s = strings.Replace(s, "output hostName string", "output host string", 1)
	os.WriteFile(path, []byte(s), 0o644)
	problems, err := CheckBicepModules(filepath.Join(dir, "main.bicep"))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems, "\n")
	for _, want := range []string{
		"passes keyVaultUrl, which the module does not declare",
		"does not pass the required parameter keyVaultUri",
		"functionapp.outputs.hostName: module functionapp declares no output hostName",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("got %q, want it to contain %q", got, want)
		}
	}
}

// parameterProblems compares a deployment parameters file with the
// parameters main.bicep declares.
func parameterProblems(t *testing.T, mainPath, paramsPath string) []string {
	t.Helper()
	src, err := os.ReadFile(mainPath)
	if err != nil {
		t.Fatal(err)
	}
	declared := BicepParams(string(src))
	b, err := os.ReadFile(paramsPath)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Parameters map[string]struct {
			Value json.RawMessage `json:"value"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		return []string{paramsPath + ": " + err.Error()}
	}
	var problems []string
	for name := range file.Parameters {
		if _, ok := declared[name]; !ok {
			problems = append(problems, paramsPath+": main.bicep declares no parameter "+name)
		}
	}
	for _, p := range declared {
		if _, ok := file.Parameters[p.Name]; !ok && !p.HasDefault {
			problems = append(problems, paramsPath+": lacks the required parameter "+p.Name)
		}
	}
	return problems
}

// TestBicepParameterFiles checks dev and prod parameters against main.bicep.
func TestBicepParameterFiles(t *testing.T) {
	for _, env := range []string{"dev", "prod"} {
		for _, p := range parameterProblems(t, filepath.Join(bicepDir, "main.bicep"), filepath.Join(bicepDir, env+".parameters.json")) {
			t.Error(p)
		}
	}
}

// TestBicepParameterFilesBroken misspells a parameter in a copy.
func TestBicepParameterFilesBroken(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(bicepDir, "dev.parameters.json"))
	path := filepath.Join(dir, "dev.parameters.json")
	os.WriteFile(path, []byte(strings.Replace(string(b), `"sqlAdminName"`, `"sqlAdminNam"`, 1)), 0o644)
	got := strings.Join(parameterProblems(t, filepath.Join(bicepDir, "main.bicep"), path), "\n")
	for _, want := range []string{"declares no parameter sqlAdminNam", "lacks the required parameter sqlAdminName"} {
		if !strings.Contains(got, want) {
			t.Errorf("got %q, want it to contain %q", got, want)
		}
	}
}
