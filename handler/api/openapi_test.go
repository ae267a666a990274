package api

import (
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// openAPIOperation is what the tests read of one operation of openapi.json.
type openAPIOperation struct {
	Security   []map[string][]string `json:"security"`
	Parameters []struct {
		Ref  string `json:"$ref"`
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	Responses map[string]json.RawMessage `json:"responses"`
}

// openAPIDocument is what the tests read of openapi.json.
type openAPIDocument struct {
	OpenAPI    string                                 `json:"openapi"`
	Paths      map[string]map[string]openAPIOperation `json:"paths"`
	Components struct {
		Parameters map[string]struct {
			Name string `json:"name"`
			In   string `json:"in"`
		} `json:"parameters"`
	} `json:"components"`
}

func readOpenAPI(t *testing.T) openAPIDocument {
	t.Helper()
	var doc openAPIDocument
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Fatalf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	return doc
}

// TestOpenAPIRoutes checks that openapi.json describes exactly the routes
// the handler serves, each with its path parameters, and the admin key on
// exactly the admin routes.
func TestOpenAPIRoutes(t *testing.T) {
	doc := readOpenAPI(t)
	documented := map[string]openAPIOperation{}
	for path, item := range doc.Paths {
		for method, op := range item {
			documented[strings.ToUpper(method)+" "+path] = op
		}
	}
	served := map[string]bool{}
	for _, r := range Routes() {
		name := r.Method + " " + r.Pattern
		served[name] = true
		op, ok := documented[name]
		if !ok {
			t.Errorf("route %s is served but not in openapi.json", name)
			continue
		}
		adminKey := slices.ContainsFunc(op.Security, func(req map[string][]string) bool { _, ok := req["functionKey"]; return ok })
		if adminKey != r.Admin {
			t.Errorf("%s: documented with the admin key = %v, want %v (Admin)", name, adminKey, r.Admin)
		}
		if r.Admin && op.Responses["401"] == nil {
			t.Errorf("%s: admin route without a documented 401", name)
		}
		var params []string
		for _, p := range op.Parameters {
			if p.Ref != "" {
				c := doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
				p.Name, p.In = c.Name, c.In
			}
			if p.In == "path" {
				params = append(params, p.Name)
			}
		}
		want := pathParams(r.Pattern)
		slices.Sort(params)
		slices.Sort(want)
		if !slices.Equal(params, want) {
			t.Errorf("%s: documented path parameters %v, want %v", name, params, want)
		}
	}
	for name := range documented {
		if !served[name] {
			t.Errorf("openapi.json documents %s, which no route serves", name)
		}
	}
}

// pathParams returns the wildcard names of a ServeMux pattern.
func pathParams(pattern string) []string {
	var names []string
	for _, m := range regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`).FindAllStringSubmatch(pattern, -1) {
		names = append(names, m[1])
	}
	return names
}

// problemCode finds the problem codes shopfn's code can answer: the Code
// constants and the codes written as literals (which STYLE.md wants moved
// into constants).
var problemCode = regexp.MustCompile(`(?:\bCode\w*\s*=\s*|(?:Rulef|Invalidf)\(|Errorf\(commerce\.Kind\w+,\s*|Code:\s*)"([a-z_]+)"`)

// TestOpenAPICodes checks that every problem code in the handler's source
// is listed in openapi.json, so that clients can switch on all of them.
func TestOpenAPICodes(t *testing.T) {
	doc := string(OpenAPI())
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range problemCode.FindAllStringSubmatch(string(src), -1) {
			if !strings.Contains(doc, `"`+m[1]+`"`) {
				t.Errorf("%s: problem code %q is not in openapi.json", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOpenAPIServed checks that the document and the reference page are
// served from the binary, with ETags that answer 304.
func TestOpenAPIServed(t *testing.T) {
	srv := httptest.NewServer(NewServer(Deps{}, Config{AdminKey: "K7Skbqyg6MCVEamaUnz5fldiXe4nTZ7q_zrDF5e0HTI"}, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	defer srv.Close()
	tests := []struct {
		path, contentType string
		want              []byte
	}{
		{"/api/openapi.json", "application/json", OpenAPI()},
		{"/api/docs", "text/html; charset=utf-8", docsPage},
	}
	for _, tt := range tests {
		res, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != tt.contentType || string(body) != string(tt.want) {
			t.Errorf("GET %s: got %d %q (%d bytes), want 200 %q with the embedded file", tt.path, res.StatusCode, res.Header.Get("Content-Type"), len(body), tt.contentType)
		}
		etag := res.Header.Get("ETag")
		req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
		req.Header.Set("If-None-Match", etag)
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if etag == "" || res.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %q: got %d, want 304", tt.path, etag, res.StatusCode)
		}
	}
}
