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

// TestExportedNamesDocumented fails when an exported name of the handler
// tree (outside tests) has no doc comment: a function or method, a type, or
// a constant or variable, documented on its own or by the comment of its
// group, and each method of an exported interface. Methods of unexported
// types are not exported API and are skipped; so are struct fields, which
// the standard library documents only where their name does not say enough.
func TestExportedNamesDocumented(t *testing.T) {
	handlerFiles(t, func(fset *token.FileSet, path string, f *ast.File) {
		missing := func(pos token.Pos, name string) {
			t.Errorf("%s: exported %s has no doc comment", fset.Position(pos), name)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || d.Doc != nil {
					continue
				}
				if d.Recv != nil {
					if recv := receiverName(d.Recv.List[0].Type); !ast.IsExported(recv) {
						continue
					}
					missing(d.Pos(), "method "+receiverName(d.Recv.List[0].Type)+"."+d.Name.Name)
					continue
				}
				missing(d.Pos(), "func "+d.Name.Name)
			case *ast.GenDecl:
				if d.Tok == token.IMPORT || d.Doc != nil && !d.Lparen.IsValid() {
					continue
				}
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						if s.Doc == nil && d.Doc == nil {
							missing(s.Pos(), "type "+s.Name.Name)
						}
						// An interface's methods are its contract: each says
						// what it does (and which codes it returns).
						if it, ok := s.Type.(*ast.InterfaceType); ok {
							for _, m := range it.Methods.List {
								if len(m.Names) == 1 && m.Names[0].IsExported() && m.Doc == nil && m.Comment == nil {
									missing(m.Pos(), "method "+s.Name.Name+"."+m.Names[0].Name)
								}
							}
						}
					case *ast.ValueSpec:
						// A grouped constant or variable is documented by its
						// own comment, its line comment, or its group's.
						if s.Doc != nil || s.Comment != nil || d.Doc != nil {
							continue
						}
						for _, n := range s.Names {
							if n.IsExported() {
								missing(n.Pos(), d.Tok.String()+" "+n.Name)
							}
						}
					}
				}
			}
		}
	})
}

// receiverName returns the type name of a method's receiver.
func receiverName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return receiverName(e.X)
	case *ast.IndexExpr:
		return receiverName(e.X)
	case *ast.IndexListExpr:
		return receiverName(e.X)
	case *ast.Ident:
		return e.Name
	}
	return ""
}
