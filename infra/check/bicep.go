package check

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// BicepParam is one `param` declaration of a Bicep file.
type BicepParam struct {
	Name       string
	HasDefault bool
}

var (
	paramDecl  = regexp.MustCompile(`(?m)^param\s+(\w+)\s+\w+(\s*=)?`)
	outputDecl = regexp.MustCompile(`(?m)^output\s+(\w+)\s`)
	moduleDecl = regexp.MustCompile(`(?m)^module\s+(\w+)\s+'([^']+)'\s*=\s*(?:if\s*\([^)]*\)\s*)?\{`)
	outputUse  = regexp.MustCompile(`\b(\w+)\.outputs\.(\w+)`)
	objectKey  = regexp.MustCompile(`^\s*'?([A-Za-z_][A-Za-z0-9_.]*)'?\s*:`)
)

// BicepParams returns the parameters a Bicep file declares.
func BicepParams(src string) map[string]BicepParam {
	params := map[string]BicepParam{}
	for _, m := range paramDecl.FindAllStringSubmatch(src, -1) {
		params[m[1]] = BicepParam{Name: m[1], HasDefault: m[2] != ""}
	}
	return params
}

// CheckBicepModules checks how the Bicep file at path uses its modules, as
// the compiler would: each module call passes every parameter the module
// requires and none it does not declare, and each `<module>.outputs.<name>`
// names an output the module declares. It returns every mismatch.
func CheckBicepModules(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	src := string(b)
	var problems []string
	modules := map[string]map[string]bool{} // symbol -> outputs
	for _, loc := range moduleDecl.FindAllStringSubmatchIndex(src, -1) {
		symbol, file := src[loc[2]:loc[3]], src[loc[4]:loc[5]]
		mb, err := os.ReadFile(filepath.Join(filepath.Dir(path), file))
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", symbol, err)
		}
		msrc := string(mb)
		outputs := map[string]bool{}
		for _, m := range outputDecl.FindAllStringSubmatch(msrc, -1) {
			outputs[m[1]] = true
		}
		modules[symbol] = outputs

		body := block(src[loc[1]-1:])
		i := strings.Index(body, "params: {")
		if i < 0 {
			problems = append(problems, fmt.Sprintf("module %s: no params", symbol))
			continue
		}
		passed := keys(block(body[i+len("params: "):]))
		declared := BicepParams(msrc)
		for _, p := range sortedKeys(passed) {
			if _, ok := declared[p]; !ok {
				problems = append(problems, fmt.Sprintf("module %s (%s): passes %s, which the module does not declare", symbol, file, p))
			}
		}
		for _, p := range declared {
			if !p.HasDefault && !passed[p.Name] {
				problems = append(problems, fmt.Sprintf("module %s (%s): does not pass the required parameter %s", symbol, file, p.Name))
			}
		}
	}
	for _, m := range outputUse.FindAllStringSubmatch(src, -1) {
		if outputs, ok := modules[m[1]]; ok && !outputs[m[2]] {
			problems = append(problems, fmt.Sprintf("%s.outputs.%s: module %s declares no output %s", m[1], m[2], m[1], m[2]))
		}
	}
	sort.Strings(problems)
	return problems, nil
}

// block returns the text of the brace block that src starts with,
// braces inside single-quoted strings aside.
func block(src string) string {
	depth, inString := 0, false
	for i, c := range src {
		switch {
		case c == '\'':
			inString = !inString
		case !inString && c == '{':
			depth++
		case !inString && c == '}':
			depth--
			if depth == 0 {
				return src[:i+1]
			}
		}
	}
	return src
}

// keys returns the property names at the top level of an object block.
func keys(obj string) map[string]bool {
	names := map[string]bool{}
	depth := 0
	for _, line := range strings.Split(obj, "\n") {
		if depth == 1 {
			if m := objectKey.FindStringSubmatch(line); m != nil {
				names[m[1]] = true
			}
		}
		for _, c := range stripStrings(line) {
			switch c {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
		}
	}
	return names
}

// stripStrings drops the single-quoted strings of a line.
func stripStrings(line string) string {
	var b strings.Builder
	in := false
	for _, c := range line {
		if c == '\'' {
			in = !in
			continue
		}
		if !in {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func sortedKeys(m map[string]bool) []string {
	s := make([]string, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}
