package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The console and storefront browser test drives Debian's chromium (which
// scripts/test.sh installs) with chromedp, and checks every page it visits
// with axe-core (npm, scripts/browser/node_modules), injected into the page.

// browserPath returns the chromium to drive: $CHROMIUM_BIN, /usr/bin/chromium
// or chromium on the PATH; "" when there is none.
func browserPath() string {
	for _, p := range []string{os.Getenv("CHROMIUM_BIN"), "/usr/bin/chromium"} {
		if p != "" && fileExists(p) {
			return p
		}
	}
	p, _ := exec.LookPath("chromium")
	return p
}

// browser is one chromium with the tabs of a test, and what it checks on
// every page: no script error, no CSP violation, axe clean.
type browser struct {
	t      *testing.T
	axe    string // axe.min.js
	shots  string // the directory screenshots go to
	mu     sync.Mutex
	errors []string // script errors and CSP violations, from every tab
	steps  int      // steps run, numbering their screenshots
}

// newBrowser starts chromium for the test and returns it with its first tab.
func newBrowser(t *testing.T, path string) (*browser, context.Context) {
	axe, err := os.ReadFile(filepath.Join("..", "scripts", "browser", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		skipWithoutPeer(t, "axe-core is missing (npm ci in scripts/browser)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1100, 800), chromedp.Flag("disable-quic", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	b := &browser{t: t, axe: string(axe), shots: t.ArtifactDir()}
	return b, b.tab(alloc)
}

// tab opens a tab (the first one starts the browser) whose console errors,
// uncaught exceptions and CSP violations are recorded.
func (b *browser) tab(parent context.Context) context.Context {
	ctx, cancel := chromedp.NewContext(parent)
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("starting chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// An API's error status is logged as a network error; the
			// pages show it, and the test checks what they show.
			if m.IsException() || m.Type == chromedp.ConsoleType("error") && m.Source != "network" {
				b.mu.Lock()
				b.errors = append(b.errors, fmt.Sprintf("%s %s (%s)", m.Source, m.Text, m.URL))
				b.mu.Unlock()
			}
		}
	}()
	return ctx
}

// run runs a step's actions and saves a screenshot of where they left the
// tab (NN-step.png), failing the test with one on error.
func (b *browser) run(ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		b.shot(ctx, "failed-"+fileName(step))
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		b.mu.Lock()
		logged := strings.Join(b.errors, "\n")
		b.mu.Unlock()
		b.t.Fatalf("%s: %v\npage text: %.1500s\nbrowser errors:\n%s", step, err, body, logged)
	}
	b.steps++
	b.shot(ctx, fmt.Sprintf("%02d-%s", b.steps, fileName(step)))
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](b *browser, ctx context.Context, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		b.t.Fatalf("evaluating %.80s: %v", expr, err)
	}
	return v
}

// fileName turns a step's name into a file name: "console page #/orders"
// is "console-page-orders".
func fileName(step string) string {
	return strings.Trim(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(step, "-"), "-")
}

// shot saves a screenshot of the tab as name.png.
func (b *browser) shot(ctx context.Context, name string) {
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
	}
}

// axeViolation is what axe reports of one rule a page breaks.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkA11y injects axe-core into the tab's page and fails the test on any
// serious or critical violation.
func (b *browser) checkA11y(ctx context.Context, page string) {
	b.t.Helper()
	for _, v := range b.axeRun(ctx, page) {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...))
		}
		b.t.Errorf("axe on %s: %s %s (%s) at %s", page, v.Impact, v.ID, v.Help, strings.Join(where, ", "))
	}
}

// axeRun runs axe-core on the tab's page and returns its serious and
// critical violations.
func (b *browser) axeRun(ctx context.Context, page string) []axeViolation {
	b.t.Helper()
	if !eval[bool](b, ctx, `typeof axe === "object"`) {
		eval[chromedp.Void](b, ctx, b.axe+"\n;void 0") // DevTools evaluates it, past the page's CSP
	}
	got := eval[struct {
		Violations []axeViolation `json:"violations"`
		Passes     int            `json:"passes"`
	}](b, ctx, `axe.run(document, {resultTypes: ["violations"]}).then(r => ({violations: r.violations, passes: r.passes.length}))`, chromedp.EvalAwaitPromise)
	if got.Passes == 0 {
		b.t.Errorf("axe on %s checked no rule", page)
	}
	var bad []axeViolation
	for _, v := range got.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, v)
		}
	}
	return bad
}

// checkA11yCanary shows that the check can fail: an input without a label,
// added to the page, must be reported.
func (b *browser) checkA11yCanary(ctx context.Context) {
	b.t.Helper()
	eval[chromedp.Void](b, ctx, `document.body.append(Object.assign(document.createElement("input"), {id: "axe-canary"}))`)
	found := false
	for _, v := range b.axeRun(ctx, "canary") {
		found = found || v.ID == "label"
	}
	eval[chromedp.Void](b, ctx, `document.getElementById("axe-canary").remove()`)
	if !found {
		b.t.Errorf("axe did not report an input without a label: the accessibility check cannot fail")
	}
}

func visible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

// waitText waits until the element sel contains text.
func waitText(sel, text string) chromedp.Action[chromedp.Void] {
	q, _ := json.Marshal(sel)
	s, _ := json.Marshal(text)
	return chromedp.Poll[chromedp.Void](fmt.Sprintf(`(document.querySelector(%s)?.textContent || "").includes(%s)`, q, s),
		chromedp.WithPollingTimeout(15*time.Second))
}

// fill sets an input's value, as typing it would.
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.CSS(sel), value)
}

func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
