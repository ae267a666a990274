package main

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	oaerrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"shopfn/handler/api"
	"shopfn/handler/web"
)

// The end-to-end tests check every response of the program under test
// against the OpenAPI document it serves (handler/api/openapi.json): a
// response with an undocumented status, a missing required header, or a
// body that does not match its schema fails the request with a
// *contractError, and is listed again when the package's tests end.
// Requests go through contractTransport, installed once in TestMain on
// http.DefaultClient (which Program.Do and e2eShop.send use) and on the
// clients of the crash and host tests. Only requests to a program under
// test (registered with watchContract) are checked, not those to fake
// Stripe servers.

// contract is the loaded document and what the tests saw of it.
type contract struct {
	validator validator.Validator
	mux       *http.ServeMux       // the documented operations, as ServeMux patterns
	problems  map[int]*base.Schema // the problem schemas of 404 and 405, for paths no operation has
	ops       []string             // every documented "METHOD /path"
	mu        sync.Mutex
	// problemMu serialises checkProblem: rendering a schema for validation
	// writes to it (libopenapi's DynamicValue), a data race when two
	// responses are checked against the same schema at once.
	problemMu sync.Mutex
	seen      map[string]bool // operations that answered at least once
	broken    []string        // every violation, for TestMain's summary
	hosts     map[string]int  // host:port of programs under test
}

// theContract loads the document once.
var theContract = sync.OnceValues(loadContract)

func loadContract() (*contract, error) {
	doc, err := libopenapi.NewDocument(api.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapi.json: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("openapi.json is not a valid OpenAPI 3.1 document: %s", describe(verrs))
	}
	c := &contract{validator: v, mux: http.NewServeMux(), problems: map[int]*base.Schema{},
		seen: map[string]bool{}, hosts: map[string]int{}}
	nothing := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			op := strings.ToUpper(method) + " " + path
			c.ops = append(c.ops, op)
			c.mux.Handle(op, nothing)
		}
		c.mux.Handle(path, nothing) // another method: 405
	}
	c.mux.Handle("/", nothing) // no documented path: 404
	for status, name := range map[int]string{404: "NotFound", 405: "MethodNotAllowed"} {
		r := model.Model.Components.Responses.GetOrZero(name)
		if r == nil || r.Content.GetOrZero("application/problem+json") == nil {
			return nil, fmt.Errorf("openapi.json: components.responses.%s has no application/problem+json", name)
		}
		c.problems[status] = r.Content.GetOrZero("application/problem+json").Schema.Schema()
	}
	slices.Sort(c.ops)
	return c, nil
}

// mustContract returns the loaded contract, failing the test when the
// document does not load.
func mustContract(tb testing.TB) *contract {
	tb.Helper()
	c, err := theContract()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// watchContract checks every response from base (a program under test,
// "http://127.0.0.1:port") until the test ends.
func watchContract(tb testing.TB, base string) {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	c := mustContract(tb)
	c.mu.Lock()
	c.hosts[u.Host]++
	c.mu.Unlock()
	tb.Cleanup(func() {
		c.mu.Lock()
		if c.hosts[u.Host]--; c.hosts[u.Host] <= 0 {
			delete(c.hosts, u.Host)
		}
		c.mu.Unlock()
	})
}

// contractError is a response that breaks the contract.
type contractError struct{ msg string }

func (e *contractError) Error() string { return "response breaks handler/api/openapi.json: " + e.msg }

// contractTransport checks responses of watched hosts against the contract.
type contractTransport struct{ next http.RoundTripper }

// RoundTrip sends the request, reads the whole response and checks it.
func (t contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	c, cerr := theContract()
	if cerr != nil {
		res.Body.Close()
		return nil, cerr
	}
	c.mu.Lock()
	watched := c.hosts[req.URL.Host] > 0
	c.mu.Unlock()
	if !watched {
		return res, nil
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	if msg := c.check(req, res, body); msg != "" {
		msg = fmt.Sprintf("%s %s: %d %s: %s", req.Method, req.URL.RequestURI(), res.StatusCode, truncate(body), msg)
		c.mu.Lock()
		c.broken = append(c.broken, msg)
		c.mu.Unlock()
		return nil, &contractError{msg}
	}
	return res, nil
}

// check returns what is wrong with a response, or "".
func (c *contract) check(req *http.Request, res *http.Response, body []byte) string {
	if req.URL.Path == "/" {
		return "" // the Functions host's readiness probe, not part of the API
	}
	if (req.Method == http.MethodGet || req.Method == http.MethodHead) && web.Serves(req.URL.Path) {
		return "" // the console and the storefront (handler/web), not part of the API
	}
	if req.Method == http.MethodOptions && res.StatusCode == http.StatusNoContent && res.Header.Get("Access-Control-Allow-Origin") != "" {
		return "" // a CORS preflight
	}
	_, pattern := c.mux.Handler(req)
	switch {
	case pattern == "/":
		return c.checkProblem(res, body, http.StatusNotFound)
	case !strings.Contains(pattern, " "):
		if res.Header.Get("Allow") == "" {
			return "405 without Allow"
		}
		return c.checkProblem(res, body, http.StatusMethodNotAllowed)
	}
	op := pattern
	if req.Method == http.MethodHead {
		op = "GET" + strings.TrimPrefix(pattern, "GET")
	}
	c.mu.Lock()
	c.seen[op] = true
	c.mu.Unlock()
	check := req
	if req.Method == http.MethodHead {
		// A HEAD answers as GET without a body: check the status and headers.
		check = req.Clone(req.Context())
		check.Method = http.MethodGet
		if res.StatusCode == http.StatusOK {
			return ""
		}
	}
	if ok, errs := c.validator.ValidateHttpResponse(check, res); !ok {
		return describe(errs)
	}
	return ""
}

// checkProblem checks a response of a path no operation answers: a problem
// with the given status.
func (c *contract) checkProblem(res *http.Response, body []byte, status int) string {
	if res.StatusCode != status {
		return fmt.Sprintf("status %d on an undocumented path or method, want %d", res.StatusCode, status)
	}
	if mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mt != "application/problem+json" {
		return fmt.Sprintf("Content-Type %q, want application/problem+json", res.Header.Get("Content-Type"))
	}
	c.problemMu.Lock()
	defer c.problemMu.Unlock()
	if ok, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(c.problems[status], body); !ok {
		return describe(errs)
	}
	return ""
}

// describe turns validation errors into lines, with the schema failures
// that explain them.
func describe(errs []*oaerrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		if len(e.SchemaValidationErrors) == 0 {
			b.WriteString("\n\t" + e.Error())
			continue
		}
		b.WriteString("\n\t" + e.Message)
		for _, f := range e.SchemaValidationErrors {
			b.WriteString("\n\t\t" + f.Error())
		}
	}
	return b.String()
}

// truncate shortens a body for a message.
func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// checkContractCoverage runs after the package's tests: it lists every
// violation seen, and, after a full run, every documented operation no test
// exercised. It returns false when the run must fail.
func checkContractCoverage(full bool) bool {
	c, err := theContract()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ok := true
	for _, msg := range c.broken {
		fmt.Fprintln(os.Stderr, "contract:", msg)
		ok = false
	}
	if !full {
		return ok
	}
	var missing []string
	for _, op := range c.ops {
		if !c.seen[op] {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "contract: %d documented operations were not exercised by any test:\n\t%s\n", len(missing), strings.Join(missing, "\n\t"))
		if os.Getenv("SHOPFN_REQUIRE_PEERS") == "1" {
			ok = false
		} else {
			fmt.Fprintln(os.Stderr, "contract: (not failing: SHOPFN_REQUIRE_PEERS is not 1, so tests needing peers may have skipped)")
		}
	}
	return ok
}
