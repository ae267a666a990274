package commerce_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// handlerFiles parses every non-test Go file of the handler tree (the
// parent of this package) and calls fn with each.
func handlerFiles(t *testing.T, fn func(fset *token.FileSet, path string, f *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		fn(fset, path, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// commerceName returns the name f imports shopfn/handler/commerce as, or "".
func commerceName(f *ast.File) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "shopfn/handler/commerce" {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return "commerce"
		}
	}
	return ""
}

// TestNoLiteralErrorCodes fails when code outside commerce writes an error
// code as a string literal: every code is a constant in error.go, so that
// the list clients depend on is in one place. It looks where a code is
// given (commerce.Errorf, Invalidf, Rulef, commerce.Error{Code: ...}, an
// assignment to .Code) and where one is compared (commerce.ErrorCode(err)
// or .Code against a literal, in == or a switch).
func TestNoLiteralErrorCodes(t *testing.T) {
	handlerFiles(t, func(fset *token.FileSet, path string, f *ast.File) {
		if filepath.Base(filepath.Dir(path)) == "commerce" {
			return
		}
		pkg := commerceName(f)
		if pkg == "" {
			return
		}
		report := func(e ast.Expr, where string) {
			if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				t.Errorf("%s: error code %s written as a literal in %s; add a constant to commerce/error.go", fset.Position(lit.Pos()), lit.Value, where)
			}
		}
		isPkgFunc := func(e ast.Expr, names ...string) bool {
			sel, ok := e.(*ast.SelectorExpr)
			if !ok {
				return false
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok || id.Name != pkg {
				return false
			}
			for _, n := range names {
				if sel.Sel.Name == n {
					return true
				}
			}
			return false
		}
		// isCode reports whether e yields an error code: commerce.ErrorCode(...)
		// or x.Code where x is not another package's error (stripe's own codes
		// are compared as stripe's constants).
		isCode := func(e ast.Expr) bool {
			if call, ok := e.(*ast.CallExpr); ok {
				return isPkgFunc(call.Fun, "ErrorCode")
			}
			sel, ok := e.(*ast.SelectorExpr)
			return ok && sel.Sel.Name == "Code"
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				switch {
				case isPkgFunc(n.Fun, "Errorf") && len(n.Args) > 1:
					report(n.Args[1], pkg+".Errorf")
				case isPkgFunc(n.Fun, "Invalidf", "Rulef") && len(n.Args) > 0:
					report(n.Args[0], "a "+pkg+" constructor")
				}
			case *ast.CompositeLit:
				if isPkgFunc(n.Type, "Error") {
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Code" {
								report(kv.Value, pkg+".Error{Code: ...}")
							}
						}
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Code" && i < len(n.Rhs) {
						report(n.Rhs[i], "an assignment to .Code")
					}
				}
			case *ast.BinaryExpr:
				if n.Op == token.EQL || n.Op == token.NEQ {
					if isCode(n.X) {
						report(n.Y, "a comparison")
					}
					if isCode(n.Y) {
						report(n.X, "a comparison")
					}
				}
			case *ast.SwitchStmt:
				if n.Tag != nil && isCode(n.Tag) {
					for _, s := range n.Body.List {
						for _, e := range s.(*ast.CaseClause).List {
							report(e, "a switch case")
						}
					}
				}
			}
			return true
		})
	})
}
