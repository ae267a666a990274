package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/api"
	"shopfn/handler/commerce"
	"shopfn/handler/telemetry"
)

// This file generates the README's reference sections from the code and
// fails when the README's copy differs: the contents, the settings table
// (settings.go), the error codes with their statuses (commerce/error.go,
// api.Status) and the metrics (telemetry). Regenerate after a change, or
// after merging branches that each added rows:
//
//	go test ./handler -run TestReadmeReference -update

var updateReadme = flag.Bool("update", false, "rewrite README.md's generated sections (TestReadmeReference)")

const regenerate = "go test ./handler -run TestReadmeReference -update"

func TestReadmeReference(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	blocks := []struct{ name, text string }{
		{"contents", readmeContents(readme)},
		{"settings", settingsTable()},
		{"errors", errorCodesTable(t)},
		{"metrics", metricsTable(t)},
	}
	got := readme
	for _, b := range blocks {
		start, end, ok := generatedSpan(got, b.name)
		if !ok {
			t.Errorf("README.md has no section between %q and %q", "<!-- generated: "+b.name+" -->", "<!-- end generated -->")
			continue
		}
		if have := got[start:end]; have != b.text {
			if b.name == "settings" {
				for _, row := range missingSettingRows(have, b.text) {
					t.Errorf("README.md's settings table has a row settings.go lacks (a merge?); add it to handler/settings.go:\n%s", row)
				}
			}
			if !*updateReadme {
				t.Errorf("README.md's %s differ from the code; regenerate with\n\t%s\n(-README +code):\n%s",
					b.name, regenerate, cmp.Diff(strings.Split(have, "\n"), strings.Split(b.text, "\n")))
			}
			got = got[:start] + b.text + got[end:]
		}
	}
	if *updateReadme && got != readme && !t.Failed() { // a row only the README has would be lost
		if err := os.WriteFile("../README.md", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("README.md: generated sections rewritten")
	}
}

// generatedSpan returns where the text of the generated section name
// starts and ends in readme: the lines between its markers.
func generatedSpan(readme, name string) (start, end int, ok bool) {
	open := "<!-- generated: " + name + " -->\n"
	i := strings.Index(readme, open)
	if i < 0 {
		return 0, 0, false
	}
	start = i + len(open)
	j := strings.Index(readme[start:], "<!-- end generated -->")
	if j < 0 {
		return 0, 0, false
	}
	return start, start + j, true
}

// readmeHeading matches a Markdown heading of level 2 or 3.
var readmeHeading = regexp.MustCompile(`^(##|###) (.+)$`)

// readmeContents returns the table of contents: every heading of level 2
// and 3 outside code blocks, linked as GitHub anchors them.
func readmeContents(readme string) string {
	var b strings.Builder
	seen := map[string]int{}
	fence := false
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
			continue
		}
		m := readmeHeading.FindStringSubmatch(line)
		if fence || m == nil || m[2] == "Contents" {
			continue
		}
		anchor := githubAnchor(m[2])
		if n := seen[anchor]; n > 0 {
			seen[anchor]++
			anchor += "-" + strconv.Itoa(n)
		} else {
			seen[anchor] = 1
		}
		indent := ""
		if m[1] == "###" {
			indent = "  "
		}
		fmt.Fprintf(&b, "%s- [%s](#%s)\n", indent, strings.ReplaceAll(m[2], "`", ""), anchor)
	}
	return b.String()
}

// githubAnchor returns the anchor GitHub gives a heading: lower case,
// spaces as hyphens, punctuation other than hyphens and underscores
// dropped.
func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// The ways the code makes an *commerce.Error, with the kind or the status
// each gives.
var (
	codeConst   = regexp.MustCompile(`(?m)^\s*(Code\w+)\s*=\s*"([a-z_]+)"`)
	byHelper    = regexp.MustCompile(`\b(Invalidf|Rulef)\((?:commerce\.)?(Code\w+)`)
	byErrorf    = regexp.MustCompile(`\bErrorf\((?:commerce\.)?(Kind\w+),\s*(?:commerce\.)?(Code\w+)`)
	byLiteral   = regexp.MustCompile(`Kind:\s*(?:commerce\.)?(Kind\w+),\s*Code:\s*(?:commerce\.)?(Code\w+)`)
	byStatus    = regexp.MustCompile(`(?:problemBody|writeProblem)\((?:w, )?http\.(Status\w+), &commerce\.Error\{Code: commerce\.(Code\w+)`)
	kindsByName = map[string]commerce.Kind{
		"KindInternal": commerce.KindInternal, "KindInvalid": commerce.KindInvalid, "KindUnauthorized": commerce.KindUnauthorized,
		"KindNotFound": commerce.KindNotFound, "KindConflict": commerce.KindConflict, "KindPrecondition": commerce.KindPrecondition,
		"KindRule": commerce.KindRule, "KindUnavailable": commerce.KindUnavailable, "KindRateLimited": commerce.KindRateLimited,
	}
)

// errorCodesTable returns the table of every code in commerce/error.go
// with the statuses the code answers it with: each place that makes an
// error of the code, through api.Status. A code no place answers with a
// status is one that never reaches a client.
func errorCodesTable(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("commerce/error.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := codeConst.FindAllStringSubmatch(string(src), -1)
	if len(consts) < 10 {
		t.Fatalf("found %d codes in commerce/error.go, want them all", len(consts))
	}
	values := map[string]string{}
	for _, c := range consts {
		values[c[1]] = c[2]
	}
	statuses := map[string]map[int]bool{}
	add := func(constName string, status int) {
		code, ok := values[constName]
		if !ok || status == 0 {
			t.Fatalf("error made with %s, status %d: not a code of commerce/error.go", constName, status)
		}
		if statuses[code] == nil {
			statuses[code] = map[int]bool{}
		}
		statuses[code][status] = true
	}
	kind := func(name string) commerce.Kind {
		k, ok := kindsByName[name]
		if !ok {
			t.Fatalf("unknown error kind %s: add it to kindsByName", name)
		}
		return k
	}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s := string(data)
		for _, m := range byHelper.FindAllStringSubmatch(s, -1) {
			k := commerce.KindInvalid
			if m[1] == "Rulef" {
				k = commerce.KindRule
			}
			add(m[2], api.Status(k, values[m[2]]))
		}
		for _, re := range []*regexp.Regexp{byErrorf, byLiteral} {
			for _, m := range re.FindAllStringSubmatch(s, -1) {
				add(m[2], api.Status(kind(m[1]), values[m[2]]))
			}
		}
		for _, m := range byStatus.FindAllStringSubmatch(s, -1) {
			add(m[2], httpStatus(t, m[1]))
		}
		if strings.Contains(s, "NotFoundf(") {
			add("CodeNotFound", api.Status(commerce.KindNotFound, commerce.CodeNotFound))
		}
		if strings.Contains(s, "Rejectedf(") {
			add("CodeMessageRejected", api.Status(commerce.KindInvalid, commerce.CodeMessageRejected))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("| code | status |\n|---|---|\n")
	codes := make([]string, 0, len(values))
	for _, c := range consts {
		codes = append(codes, c[2])
	}
	slices.Sort(codes)
	for _, code := range slices.Compact(codes) {
		var list []string
		for _, st := range slices.Sorted(mapKeys(statuses[code])) {
			list = append(list, strconv.Itoa(st))
		}
		answer := strings.Join(list, ", ")
		if answer == "" {
			answer = "never answered"
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", code, answer)
	}
	return b.String()
}

// mapKeys returns m's keys.
func mapKeys(m map[int]bool) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// httpStatus returns the value of the net/http constant name.
func httpStatus(t *testing.T, name string) int {
	t.Helper()
	for status := 100; status < 600; status++ {
		text := http.StatusText(status)
		if text != "" && "Status"+strings.NewReplacer(" ", "", "-", "", "'", "").Replace(text) == name {
			return status
		}
	}
	switch name { // the constants whose name is not their text
	case "StatusRequestEntityTooLarge":
		return http.StatusRequestEntityTooLarge
	case "StatusRequestURITooLong":
		return http.StatusRequestURITooLong
	}
	t.Fatalf("unknown net/http status %s", name)
	return 0
}

// metricsTable returns the table of the Prometheus metrics shopfn
// exports, with their type and help text, from a scrape after every
// instrument recorded once.
func metricsTable(t *testing.T) string {
	t.Helper()
	tel, err := telemetry.New(context.Background(), telemetry.Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := tel.Metrics()
	m.Route("/api/products", "GET").Served(200, time.Millisecond)
	m.Checkout(telemetry.OutcomePaid)
	m.Reservation("made", 1)
	m.OrderPlaced()
	m.Message("orders", "OrderPlaced", telemetry.ResultHandled)
	m.CacheLookups("responses", 1, 1)
	m.StoreCall("sqlstore.mark paid", time.Millisecond, errors.New("x"))
	m.RequestCharge("cosmos.read carts", 1.5)
	if err := m.ObserveOutbox(func(context.Context) (telemetry.OutboxState, error) {
		return telemetry.OutboxState{Waiting: 2, Oldest: time.Unix(100, 0), Parked: 1}, nil
	},
		func() time.Time { return time.Unix(130, 0) }); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	tel.Scrape().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	typ := map[string]string{}
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, kind, _ := strings.Cut(rest, " ")
			if strings.HasPrefix(name, "shopfn_") {
				typ[name] = kind
			}
		}
	}
	if len(typ) < 5 {
		t.Fatalf("the scrape has %d shopfn metrics, want them all:\n%s", len(typ), rec.Body.String())
	}
	var b strings.Builder
	b.WriteString("| Prometheus name | type | labels | what |\n|---|---|---|---|\n")
	documented := map[string]bool{}
	for _, d := range telemetry.MetricDocs {
		documented[d.Name] = true
		kind, ok := typ[d.Name]
		if !ok {
			t.Errorf("telemetry.MetricDocs documents %s, which shopfn does not export (or metricsTable does not record)", d.Name)
		}
		labels := " " + d.Labels + " "
		if d.Labels == "" {
			labels = " "
		}
		fmt.Fprintf(&b, "| `%s` | %s |%s| %s |\n", d.Name, kind, labels, d.What)
	}
	for name := range typ {
		if !documented[name] {
			t.Errorf("shopfn exports %s, which telemetry.MetricDocs (handler/telemetry/docs.go) does not document; add it, then run %s", name, regenerate)
		}
	}
	return b.String()
}

// hostSettings are variables the platform sets, which LoadConfig reads
// to learn where it runs; the README explains them where they matter.
var hostSettings = []string{"FUNCTIONS_CUSTOMHANDLER_PORT", "WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME"}

// TestSettingsTable holds the settings table to the parser: LoadConfig
// reads no variable the table lacks, the table lists none LoadConfig never
// reads, and every default LoadConfig gives standalone is the table's.
func TestSettingsTable(t *testing.T) {
	documented := map[string]*setting{}
	for i := range settings {
		for _, name := range settings[i].Names {
			if documented[name] != nil {
				t.Errorf("%s is in the settings table twice", name)
			}
			documented[name] = &settings[i]
		}
	}
	read := map[string]bool{}
	for _, env := range []map[string]string{
		{}, // standalone, on a laptop: the defaults
		{"FUNCTIONS_CUSTOMHANDLER_PORT": "7071"},
		{"WEBSITE_INSTANCE_ID": "i", "SHOPFN_PAYMENTS": "stripe", "SHOPFN_DOCUMENTS": "cosmos",
			"COSMOS_ENDPOINT": "https://a.documents.azure.com:443/", "SHOPFN_SQL": "sqlserver",
			"SQLSERVER_DSN": "sqlserver://h?database=shopfn", "SHOPFN_QUEUE": "servicebus",
			"ServiceBusConnection__fullyQualifiedNamespace": "a.servicebus.windows.net",
			"SHOPFN_SMTP_URL": "smtp://h:587", "SHOPFN_EMAIL_FROM": "a@b.example", "SHOPFN_EVENTS_TOPIC": "events",
			"SHOPFN_OIDC_ISSUER": "https://issuer.example", "SHOPFN_KEYVAULT_URL": "https://v.vault.azure.net/"},
	} {
		standalone := len(env) == 0
		loadConfig(func(name string) string { return env[name] }, func(name, def string) {
			read[name] = true
			s := documented[name]
			if s == nil || !standalone || def == "" {
				return
			}
			if !strings.Contains(s.Default, "`"+def+"`") {
				t.Errorf("%s: LoadConfig's default is %q; the settings table (settings.go) says %q", name, def, s.Default)
			}
		})
	}
	for name := range read {
		if documented[name] == nil && !slices.Contains(hostSettings, name) {
			t.Errorf("LoadConfig reads %s, which the settings table lacks: add it to settings in handler/settings.go, then run %s", name, regenerate)
		}
	}
	for name := range documented {
		if !read[name] {
			t.Errorf("the settings table documents %s, which LoadConfig never reads", name)
		}
	}
}

// issueRef matches a reference to a tracker issue ("issue 19", "#19 lands").
var issueRef = regexp.MustCompile(`(?i)\bissues? #?[0-9]+\b`)

// TestDocsNameNoIssues fails when a document speaks of the tracker's
// issues instead of the product: the README, infra's documents and
// assets, the console and storefront, and the API description.
func TestDocsNameNoIssues(t *testing.T) {
	files := []string{"../README.md", "api/openapi.json"}
	for _, root := range []string{"../infra", "web"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			files = append(files, path)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if m := issueRef.FindString(line); m != "" {
				t.Errorf("%s:%d speaks of %q: describe the product, not the tracker", f, i+1, m)
			}
		}
	}
}

// missingSettingRows returns, as Go literals for settings.go, the rows of
// the README's settings table (have) that the generated one (want) lacks
// by name: rows another branch added to the README.
func missingSettingRows(have, want string) []string {
	known := map[string]bool{}
	for _, line := range strings.Split(want, "\n") {
		if name, _, ok := strings.Cut(strings.TrimPrefix(line, "| "), " |"); ok {
			known[name] = true
		}
	}
	var out []string
	for _, line := range strings.Split(have, "\n")[2:] {
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(line, "| "), " |"), " | ")
		if len(cells) != 3 || known[cells[0]] {
			continue
		}
		var names []string
		for _, n := range strings.Split(cells[0], ", ") {
			names = append(names, strconv.Quote(strings.Trim(n, "`")))
		}
		out = append(out, fmt.Sprintf("\t{Names: []string{%s}, Default: %q,\n\t\tDoc: %q},", strings.Join(names, ", "), strings.TrimSpace(cells[1]), cells[2]))
	}
	return out
}
