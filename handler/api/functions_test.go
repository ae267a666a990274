package api

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The Functions host serves HTTP functions under this route prefix
// (host.json extensions.http.routePrefix).
const routePrefix = "/api/"

// function is what the tests need to know about one functions/<name>/function.json.
type function struct {
	Name     string
	Bindings []binding
	Trigger  *binding // the httpTrigger binding, nil for non-HTTP functions
	Template *routeTemplate
}

// binding is one entry of a function.json "bindings" array.
type binding struct {
	Type      string   `json:"type"`
	Direction string   `json:"direction"`
	Name      string   `json:"name"`
	AuthLevel string   `json:"authLevel"`
	Methods   []string `json:"methods"`
	Route     string   `json:"route"`
	QueueName string   `json:"queueName"`
	Connect   string   `json:"connection"`
	Schedule  string   `json:"schedule"`
}

// readFunctions reads every ../../functions/*/function.json.
func readFunctions(t *testing.T) []*function {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "functions", "*", "function.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no functions/*/function.json found")
	}
	var fns []*function
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Bindings []binding `json:"bindings"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		fn := &function{Name: filepath.Base(filepath.Dir(path)), Bindings: doc.Bindings}
		for i, b := range doc.Bindings {
			if b.Type == "httpTrigger" {
				fn.Trigger = &doc.Bindings[i]
			}
		}
		if fn.Trigger != nil {
			route := fn.Trigger.Route
			if route == "" {
				route = fn.Name // the host's default route is the function name
			}
			fn.Template, err = parseRouteTemplate(route)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		fns = append(fns, fn)
	}
	return fns
}

// TestFunctionBindings checks that every HTTP function has exactly the two
// bindings that make the host forward requests: one httpTrigger in named
// "req" and one http out named "res".
func TestFunctionBindings(t *testing.T) {
	for _, fn := range readFunctions(t) {
		if fn.Trigger == nil {
			continue
		}
		t.Run(fn.Name, func(t *testing.T) {
			if len(fn.Bindings) != 2 {
				t.Fatalf("got %d bindings, want 2 (httpTrigger in, http out)", len(fn.Bindings))
			}
			in, out := fn.Bindings[0], fn.Bindings[1]
			if in.Type != "httpTrigger" || in.Direction != "in" || in.Name != "req" {
				t.Errorf("bindings[0] = %s/%s/%s, want httpTrigger/in/req", in.Type, in.Direction, in.Name)
			}
			if out.Type != "http" || out.Direction != "out" || out.Name != "res" {
				t.Errorf("bindings[1] = %s/%s/%s, want http/out/res", out.Type, out.Direction, out.Name)
			}
			if len(in.Methods) == 0 {
				t.Error("methods is empty; the host would accept every method")
			}
			for _, m := range in.Methods {
				if m != strings.ToLower(m) {
					t.Errorf("method %q is not lower-case", m)
				}
			}
			if in.AuthLevel != "anonymous" && in.AuthLevel != "function" {
				t.Errorf("authLevel = %q, want anonymous or function", in.AuthLevel)
			}
		})
	}
}

// TestFunctionRoutes checks that functions/*/function.json and Routes agree:
// the host forwards every route the handler serves to exactly one function,
// with the right method and auth level, and every method a function
// declares reaches a route.
func TestFunctionRoutes(t *testing.T) {
	fns := readFunctions(t)
	routes := Routes()
	if len(routes) == 0 {
		t.Fatal("Routes() is empty")
	}

	// used[fn][method] counts the Go routes each function's method reaches.
	used := make(map[string]map[string]int)
	for _, r := range routes {
		pattern := routePath(r.Pattern)
		if !strings.HasPrefix(pattern, routePrefix) {
			continue // not forwarded HTTP: readiness probe, invocation endpoints
		}
		sample := strings.TrimPrefix(samplePath(pattern), routePrefix)
		name := r.Method + " " + r.Pattern
		var matches []*function
		for _, fn := range fns {
			if fn.Trigger != nil && fn.Template.match(sample) {
				matches = append(matches, fn)
			}
		}
		if len(matches) != 1 {
			t.Errorf("%s (sample %q): matched by %d functions %v, want exactly 1", name, sample, len(matches), functionNames(matches))
			continue
		}
		fn := matches[0]
		method := strings.ToLower(r.Method)
		if !slices.Contains(fn.Trigger.Methods, method) {
			t.Errorf("%s: function %s has methods %v, want them to include %q", name, fn.Name, fn.Trigger.Methods, method)
		}
		wantAuth := "anonymous"
		if r.Admin {
			wantAuth = "function"
		}
		if fn.Trigger.AuthLevel != wantAuth {
			t.Errorf("%s (Admin %v): function %s has authLevel %q, want %q", name, r.Admin, fn.Name, fn.Trigger.AuthLevel, wantAuth)
		}
		if used[fn.Name] == nil {
			used[fn.Name] = make(map[string]int)
		}
		used[fn.Name][method]++
	}

	for _, fn := range fns {
		if fn.Trigger == nil {
			// The host invokes a non-HTTP function at POST /<name>.
			if !slices.ContainsFunc(routes, func(r Route) bool {
				return r.Method == "POST" && routePath(r.Pattern) == "/"+fn.Name
			}) {
				t.Errorf("function %s is not HTTP-triggered, but Routes has no POST /%s", fn.Name, fn.Name)
			}
			continue
		}
		for _, m := range fn.Trigger.Methods {
			if used[fn.Name][m] == 0 {
				t.Errorf("function %s declares method %q, but no %s route of Routes matches route %q", fn.Name, m, strings.ToUpper(m), fn.Trigger.Route)
			}
		}
	}
}

// TestNonHTTPFunctions checks the functions the host invokes at POST
// /<name>: each has one trigger, a Service Bus queue of its own name on the
// ServiceBusConnection setting or a timer on a six-field NCRONTAB schedule,
// and every such route of Routes has its function.
func TestNonHTTPFunctions(t *testing.T) {
	fns := readFunctions(t)
	names := map[string]bool{}
	for _, fn := range fns {
		if fn.Trigger != nil {
			continue
		}
		names[fn.Name] = true
		t.Run(fn.Name, func(t *testing.T) {
			if len(fn.Bindings) != 1 || fn.Bindings[0].Direction != "in" {
				t.Fatalf("got bindings %+v, want one trigger binding in", fn.Bindings)
			}
			b := fn.Bindings[0]
			switch b.Type {
			case "serviceBusTrigger":
				if b.QueueName != fn.Name || b.Connect != "ServiceBusConnection" {
					t.Errorf("queueName %q, connection %q; want %q, ServiceBusConnection", b.QueueName, b.Connect, fn.Name)
				}
			case "timerTrigger":
				if f := strings.Fields(b.Schedule); len(f) != 6 {
					t.Errorf("schedule %q has %d fields, want 6 (NCRONTAB with seconds)", b.Schedule, len(f))
				}
			default:
				t.Errorf("trigger type %q, want serviceBusTrigger or timerTrigger", b.Type)
			}
		})
	}
	for _, r := range Routes() {
		p := routePath(r.Pattern)
		if r.Method != "POST" || strings.HasPrefix(p, routePrefix) {
			continue
		}
		if !names[strings.TrimPrefix(p, "/")] {
			t.Errorf("route POST %s has no functions%s/function.json with a non-HTTP trigger", p, p)
		}
		if !r.Admin {
			t.Errorf("route POST %s: Admin false, want true (standalone, only the admin key may invoke a function)", p)
		}
	}
	if b := relayBinding(fns); b == nil || b.Schedule != "*/30 * * * * *" {
		t.Errorf("function relay: got %+v, want a timerTrigger every 30 seconds", b)
	}
}

func relayBinding(fns []*function) *binding {
	for _, fn := range fns {
		if fn.Name == "relay" && len(fn.Bindings) == 1 && fn.Bindings[0].Type == "timerTrigger" {
			return &fn.Bindings[0]
		}
	}
	return nil
}

func functionNames(fns []*function) []string {
	var names []string
	for _, fn := range fns {
		names = append(names, fn.Name)
	}
	return names
}

// routePath returns the path part of a ServeMux pattern, which may start
// with a method ("GET /api/health").
func routePath(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = strings.TrimSpace(pattern[i+1:])
	}
	return pattern
}

// samplePath turns a ServeMux path pattern into a path it matches:
// "/api/carts/{id}/lines" becomes "/api/carts/sample-id/lines".
func samplePath(pattern string) string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if s == "{$}" {
			segs[i] = ""
			continue
		}
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = "sample-" + strings.TrimSuffix(s[1:len(s)-1], "...")
		}
	}
	p := strings.Join(segs, "/")
	if strings.HasSuffix(pattern, "/") && pattern != "/" {
		p += "sample" // a subtree pattern such as "/api/x/"
	}
	return p
}

// routeTemplate is a parsed Azure Functions (ASP.NET Core) route template.
// It supports what shopfn's function.json files use: literal segments,
// "{p}", "{p?}", "{*p}" and an inline "{p:regex(...)}" constraint.
type routeTemplate struct {
	segs []templateSeg
}

type templateSeg struct {
	literal  string         // set for a literal segment
	param    string         // parameter name, for a parameter segment
	optional bool           // {p?}
	catchAll bool           // {*p}: zero or more segments
	re       *regexp.Regexp // from :regex(...), matched case-insensitively
}

// parseRouteTemplate parses an Azure route template such as
// "admin/{resource:regex(^(products|inventory)$)}/{*rest}".
func parseRouteTemplate(tmpl string) (*routeTemplate, error) {
	if strings.HasPrefix(tmpl, "/") || strings.HasPrefix(tmpl, "~") {
		return nil, fmt.Errorf("route %q: must be relative to the route prefix", tmpl)
	}
	var t routeTemplate
	parts := splitTemplate(tmpl)
	for i, s := range parts {
		if !strings.HasPrefix(s, "{") {
			if strings.ContainsAny(s, "{}") || s == "" {
				return nil, fmt.Errorf("route %q: unsupported segment %q", tmpl, s)
			}
			t.segs = append(t.segs, templateSeg{literal: s})
			continue
		}
		if !strings.HasSuffix(s, "}") {
			return nil, fmt.Errorf("route %q: unsupported segment %q", tmpl, s)
		}
		body := s[1 : len(s)-1]
		var seg templateSeg
		if strings.HasSuffix(body, "?") {
			seg.optional = true
			body = strings.TrimSuffix(body, "?")
		}
		if strings.HasPrefix(body, "*") {
			seg.catchAll = true
			body = strings.TrimPrefix(strings.TrimPrefix(body, "*"), "*")
		}
		name, constraint, hasConstraint := strings.Cut(body, ":")
		if hasConstraint {
			expr, ok := strings.CutPrefix(constraint, "regex(")
			if !ok || !strings.HasSuffix(expr, ")") {
				return nil, fmt.Errorf("route %q: unsupported constraint %q", tmpl, constraint)
			}
			re, err := regexp.Compile("(?i)" + strings.TrimSuffix(expr, ")"))
			if err != nil {
				return nil, fmt.Errorf("route %q: %v", tmpl, err)
			}
			seg.re = re
		}
		if name == "" || strings.ContainsAny(name, "{}*?/") {
			return nil, fmt.Errorf("route %q: bad parameter %q", tmpl, s)
		}
		if seg.catchAll && i != len(parts)-1 {
			return nil, fmt.Errorf("route %q: catch-all %q must be the last segment", tmpl, s)
		}
		seg.param = name
		t.segs = append(t.segs, seg)
	}
	return &t, nil
}

// splitTemplate splits a template at the slashes outside braces, so that a
// regex constraint may contain "/".
func splitTemplate(tmpl string) []string {
	var segs []string
	depth, start := 0, 0
	for i := 0; i < len(tmpl); i++ {
		switch tmpl[i] {
		case '{':
			depth++
		case '}':
			depth--
		case '/':
			if depth == 0 {
				segs = append(segs, tmpl[start:i])
				start = i + 1
			}
		}
	}
	return append(segs, tmpl[start:])
}

// match reports whether path (without the route prefix and leading slash,
// such as "products/abc") matches t. Literals compare ignoring case, as
// ASP.NET Core routing does.
func (t *routeTemplate) match(path string) bool {
	path = strings.TrimSuffix(path, "/")
	var parts []string
	if path != "" {
		parts = strings.Split(path, "/")
	}
	for i, seg := range t.segs {
		switch {
		case seg.catchAll:
			value := strings.Join(parts[min(i, len(parts)):], "/")
			return seg.re == nil || seg.re.MatchString(value)
		case i >= len(parts):
			if !seg.optional {
				return false
			}
			continue
		case seg.literal != "":
			if !strings.EqualFold(parts[i], seg.literal) {
				return false
			}
		default:
			if parts[i] == "" || seg.re != nil && !seg.re.MatchString(parts[i]) {
				return false
			}
		}
	}
	return len(parts) <= len(t.segs)
}

func TestRouteTemplateMatch(t *testing.T) {
	const (
		catalog = "{resource:regex(^(products|categories|inventory)$)}/{*rest}"
		admin   = "admin/{resource:regex(^(products|inventory)$)}/{*rest}"
		cart    = "carts/{*rest}"
	)
	tests := []struct {
		tmpl, path string
		want       bool
	}{
		{"health", "health", true},
		{"health", "Health", true},
		{"health", "healthz", false},
		{"health", "health/x", false},
		{"health", "", false},
		{"products/{id}", "products/abc", true},
		{"products/{id}", "products", false},
		{"products/{id}", "products/abc/def", false},
		{"products/{id?}", "products", true},
		{"products/{id?}", "products/abc", true},
		{"products/{id?}", "products/abc/def", false},
		{"products/{id:regex(^p-)?}", "products", true},
		{"products/{id:regex(^p-)?}", "products/p-1", true},
		{"products/{id:regex(^p-)?}", "products/q-1", false},
		{"files/{*rest}", "files", true},
		{"files/{*rest}", "files/a/b/c", true},
		{"files/{*rest}", "other/a", false},
		{"{n:regex(^[0-9]+$)}", "42", true},
		{"{n:regex(^[0-9]+$)}", "4x2", false},
		{"{n:regex([0-9])}", "a1b", true}, // not anchored unless written so
		{catalog, "products", true},
		{catalog, "PRODUCTS", true},
		{catalog, "products/abc", true},
		{catalog, "categories", true},
		{catalog, "inventory/SKU-1", true},
		{catalog, "carts/x", false},
		{catalog, "admin/products", false},
		{catalog, "productsx", false},
		{catalog, "health", false},
		{admin, "admin/products", true},
		{admin, "admin/products/abc", true},
		{admin, "admin/inventory/SKU-1", true},
		{admin, "admin/categories", false},
		{admin, "products", false},
		{cart, "carts", true},
		{cart, "carts/abc/lines/def", true},
		{cart, "admin/products", false},
		{cart, "products/abc", false},
	}
	for _, tt := range tests {
		tmpl, err := parseRouteTemplate(tt.tmpl)
		if err != nil {
			t.Errorf("parseRouteTemplate(%q): %v", tt.tmpl, err)
			continue
		}
		if got := tmpl.match(tt.path); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.tmpl, tt.path, got, tt.want)
		}
	}
}

func TestParseRouteTemplateErrors(t *testing.T) {
	for _, tmpl := range []string{
		"/api/health",
		"files/{*rest}/more",
		"a/{id:int}",
		"a/{}",
		"a/{n:regex([)}",
		"a//b",
	} {
		if _, err := parseRouteTemplate(tmpl); err == nil {
			t.Errorf("parseRouteTemplate(%q) = nil error, want an error", tmpl)
		}
	}
}

func TestSamplePath(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"/api/health", "/api/health"},
		{"/api/products/{idOrHandle}", "/api/products/sample-idOrHandle"},
		{"/api/carts/{id}/lines/{sku}", "/api/carts/sample-id/lines/sample-sku"},
		{"/api/files/{path...}", "/api/files/sample-path"},
		{"/api/products/{$}", "/api/products/"},
		{"/api/static/", "/api/static/sample"},
	}
	for _, tt := range tests {
		if got := samplePath(tt.pattern); got != tt.want {
			t.Errorf("samplePath(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}
