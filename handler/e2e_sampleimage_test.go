package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestE2ESampleImages checks that the sample catalog's image URLs resolve:
// every one points at this server and answers an SVG.
func TestE2ESampleImages(t *testing.T) {
	t.Parallel()
	s := e2eShop{MustRunMainWith(t, true, nil)}
	var page struct {
		Items []struct {
			Handle string   `json:"handle"`
			Images []string `json:"images"`
		} `json:"items"`
	}
	s.do(t, "GET", "/api/products?limit=5", nil).JSON(t, &page)
	if len(page.Items) == 0 {
		t.Fatal("the sample catalog lists no products")
	}
	for _, p := range page.Items {
		if len(p.Images) == 0 {
			t.Errorf("%s: no images", p.Handle)
		}
		for _, img := range p.Images {
			u, err := url.Parse(img)
			if err != nil || "http://"+u.Host != s.URL || !strings.HasPrefix(u.Path, "/static/sample/"+p.Handle+"/") {
				t.Errorf("%s: image %q, want a URL under %s/static/sample/%s/", p.Handle, img, s.URL, p.Handle)
				continue
			}
			res := s.do(t, "GET", u.Path, nil)
			e2eWantStatus(t, img, res, 200)
			if ct := res.Header.Get("Content-Type"); ct != "image/svg+xml" || !strings.HasPrefix(string(res.Body), "<svg ") {
				t.Errorf("%s: Content-Type %q body %.40q, want an SVG", img, ct, res.Body)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("%s: Content-Security-Policy %q, want default-src 'none'", img, csp)
			}
		}
	}
	for _, path := range []string{"/static/sample/NOPE/1.svg", "/static/sample/lamp/9.svg", "/static/sample/lamp/1.png"} {
		e2eWantProblem(t, path, s.do(t, "GET", path, nil), http.StatusNotFound, "not_found")
	}
}
