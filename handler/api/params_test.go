package api

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestQueryParamsDocumented checks that openapi.json lists, for every
// route, exactly the query parameters checkParams lets through (a prefix
// such as "attr." is documented as "attr.{name}"), and that the README's
// query parameter table names every one of them.
func TestQueryParamsDocumented(t *testing.T) {
	doc := readOpenAPI(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range Routes() {
		op, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]
		if !ok {
			continue // TestOpenAPIRoutes reports it
		}
		var got []string
		for _, p := range op.Parameters {
			name, in := p.Name, p.In
			if p.Ref != "" {
				c := doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
				name, in = c.Name, c.In
			}
			if in == "query" {
				got = append(got, strings.TrimSuffix(name, "{name}"))
			}
		}
		want := slices.Clone(queryParams[rt.Method+" "+rt.Pattern])
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s %s: openapi.json documents query parameters %q, the route takes %q", rt.Method, rt.Pattern, got, want)
		}
		for _, name := range want {
			if strings.HasSuffix(name, ".") {
				name += "<name>"
			}
			row := "| `" + rt.Method + " " + rt.Pattern + "` |"
			i := strings.Index(string(readme), row)
			if i < 0 {
				t.Errorf("README.md has no query parameter row %s", row)
				break
			}
			line := string(readme[i:])
			line = line[:strings.IndexByte(line, '\n')]
			if !strings.Contains(line, "`"+name+"`") {
				t.Errorf("README.md row %s does not name `%s`", row, name)
			}
		}
	}
}

func TestCheckParams(t *testing.T) {
	products := Route{"GET", "/api/products", false}
	orders := Route{"GET", "/api/admin/orders", true}
	health := Route{"GET", "/api/health", false}
	for _, tt := range []struct {
		rt      Route
		query   string
		unknown string // "" means accepted
	}{
		{products, "category=books&limit=5&cursor=x&q=a", ""},
		{products, "categry=books", "categry"},
		{products, "attr=x", "attr"},
		{products, "code=k", "code"},
		{orders, "status=placed&code=k", ""},
		{orders, "email=a@example.com", "email"},
		{health, "", ""},
		{health, "x=1", "x"},
		{Route{"*", "/api/health", false}, "x=1", ""},
		// Names as url.ParseQuery reads them: unescaped, '+' a space,
		// empty pairs skipped.
		{products, "%63ategory=books&option%2Ecolor=black", ""},
		{products, "&&limit=5&", ""},
		{products, "cate+gory=books", "cate gory"},
		{products, "%71x=1", "qx"},
		{products, "limit=5&zz=1&aa=2&aa=3", "aa"},
	} {
		err := checkParams(tt.rt, tt.query)
		switch {
		case tt.unknown == "" && err != nil:
			t.Errorf("%s %s?%s: got %v, want accepted", tt.rt.Method, tt.rt.Pattern, tt.query, err)
		case tt.unknown != "" && (err == nil || !strings.Contains(err.Error(), `"`+tt.unknown+`"`)):
			t.Errorf("%s %s?%s: got %v, want an error naming %q", tt.rt.Method, tt.rt.Pattern, tt.query, err, tt.unknown)
		}
	}
}
