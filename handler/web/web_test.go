package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// api stands for the API behind the apps: it answers every request it gets
// with 418, so that a test sees which requests reached it.
var api = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusTeapot)
})

func get(t *testing.T, h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerRoutes(t *testing.T) {
	asset := "/assets/" + Version() + "/admin/app.js"
	tests := []struct {
		name       string
		storefront bool
		method     string
		target     string
		want       int
		ctype      string
	}{
		{"Console", false, "GET", "/admin/", 200, "text/html; charset=utf-8"},
		{"ConsoleHead", false, "HEAD", "/admin/", 200, "text/html; charset=utf-8"},
		{"ConsoleWithoutSlash", false, "GET", "/admin", 301, ""},
		{"Storefront", true, "GET", "/", 200, "text/html; charset=utf-8"},
		{"StorefrontOff", false, "GET", "/", 418, ""},
		{"Asset", false, "GET", asset, 200, "text/javascript; charset=utf-8"},
		{"Stylesheet", false, "GET", "/assets/" + Version() + "/lib/base.css", 200, "text/css; charset=utf-8"},
		{"UnknownAsset", false, "GET", "/assets/" + Version() + "/admin/nope.js", 418, ""},
		{"PageAsAsset", false, "GET", "/assets/" + Version() + "/admin/index.html", 418, ""},
		{"DotDot", false, "GET", "/assets/" + Version() + "/../web.go", 418, ""},
		{"PostToConsole", false, "POST", "/admin/", 418, ""},
		{"API", true, "GET", "/api/health", 418, ""},
		{"AdminAPI", true, "GET", "/api/admin/orders", 418, ""},
		{"Docs", true, "GET", "/api/docs", 418, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Handler(Config{Storefront: tt.storefront, Next: api})
			w := get(t, h, tt.method, tt.target)
			if w.Code != tt.want {
				t.Fatalf("%s %s: got %d, want %d", tt.method, tt.target, w.Code, tt.want)
			}
			if tt.ctype != "" && w.Header().Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type: got %q, want %q", w.Header().Get("Content-Type"), tt.ctype)
			}
			if w.Code != 418 {
				for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
					if got := w.Header().Get(k); got != v {
						t.Errorf("%s: got %q, want %q", k, got, v)
					}
				}
				if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
					t.Errorf("Content-Security-Policy %q lacks frame-ancestors 'none'", csp)
				}
			}
			if served := w.Code != 418; tt.method != "POST" && tt.target != "/" && Serves(httptest.NewRequest("GET", tt.target, nil).URL.Path) != served {
				t.Errorf("Serves(%s) = %v, but the handler served it: %v", tt.target, !served, served)
			}
			if tt.method == "HEAD" && w.Body.Len() != 0 {
				t.Errorf("HEAD answered %d bytes of body", w.Body.Len())
			}
		})
	}
}

// TestCaching checks that assets are cached for good under the current
// version only, and that the pages are revalidated with their ETag.
func TestCaching(t *testing.T) {
	h := Handler(Config{Storefront: true, Next: api})
	tests := []struct {
		target, want string
	}{
		{"/assets/" + Version() + "/shop/app.js", "public, max-age=31536000, immutable"},
		{"/assets/0123456789ab/shop/app.js", "no-store"}, // a page from before a deploy
		{"/", "no-cache"},
		{"/admin/", "no-cache"},
	}
	for _, tt := range tests {
		w := get(t, h, "GET", tt.target)
		if got := w.Header().Get("Cache-Control"); w.Code != 200 || got != tt.want {
			t.Errorf("GET %s: got %d Cache-Control %q, want 200 %q", tt.target, w.Code, got, tt.want)
		}
	}
	for _, page := range []string{"/", "/admin/"} {
		etag := get(t, h, "GET", page).Header().Get("ETag")
		if w := get(t, h, "GET", page, "If-None-Match", etag); etag == "" || w.Code != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %q: got %d, want 304", page, etag, w.Code)
		}
	}
}

// TestPagesNameTheirAssets checks that each page loads its scripts and
// styles from the current version, and that every file it names exists.
func TestPagesNameTheirAssets(t *testing.T) {
	h := Handler(Config{Storefront: true, Next: api})
	ref := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`)
	for _, page := range []string{"/", "/admin/"} {
		body := get(t, h, "GET", page).Body.String()
		refs := ref.FindAllStringSubmatch(body, -1)
		if len(refs) < 2 || strings.Contains(body, "{{assets}}") {
			t.Fatalf("GET %s names %d assets (placeholders left: %v): %s", page, len(refs), strings.Contains(body, "{{assets}}"), body)
		}
		for _, m := range refs {
			if !strings.HasPrefix(m[1], "/assets/"+Version()+"/") {
				t.Errorf("%s names %s, not under the current version %s", page, m[1], Version())
			}
			if w := get(t, h, "GET", m[1]); w.Code != 200 {
				t.Errorf("%s names %s, which answers %d", page, m[1], w.Code)
			}
		}
	}
}

// TestNoInlineCode checks what the Content-Security-Policy relies on: no
// inline script, inline style, style attribute or event-handler attribute in
// the pages, and no eval or HTML string injection in the scripts.
func TestNoInlineCode(t *testing.T) {
	inline := regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]|<style|\sstyle=|\son[a-z]+=`)
	unsafe := regexp.MustCompile(`\beval\(|new Function\(|\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write`)
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".html"):
			if m := inline.Find(b); m != nil {
				t.Errorf("%s has inline code %q, which the CSP blocks", p, m)
			}
		case strings.HasSuffix(p, ".js"):
			if m := unsafe.Find(b); m != nil {
				t.Errorf("%s uses %q", p, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAdminKeyNotPersisted checks that the console keeps the admin key in
// sessionStorage only: never localStorage, never a cookie.
func TestAdminKeyNotPersisted(t *testing.T) {
	entries, err := fs.ReadDir(static, "static/admin")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := static.ReadFile("static/admin/" + e.Name())
		if m := regexp.MustCompile(`localStorage|document\.cookie`).Find(b); m != nil {
			t.Errorf("admin/%s uses %s", e.Name(), m)
		}
	}
}
