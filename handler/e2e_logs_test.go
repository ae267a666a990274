package main

import (
	"encoding/json"
	"strings"
	"testing"

	"shopfn/handler/telemetry"
)

// This file holds the E2E test of shopfn's log lines: every one, start-up
// and shutdown included, is a JSON line off a terminal; each business event
// has its line, with no ID and nothing of the buyer; durations name their
// unit.

// logLines decodes every line of out as a JSON object, failing the test on
// any line that is not one.
func logLines(tb testing.TB, out string) []map[string]any {
	tb.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			tb.Errorf("log line %q is not JSON: %v", l, err)
			continue
		}
		lines = append(lines, m)
	}
	return lines
}

// withMsg returns the lines whose msg is msg.
func withMsg(lines []map[string]any, msg string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

func TestE2ELogLines(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	var m *Main
	s := startMoney(t, func(mm *Main) {
		m = mm
		logger, err := telemetry.NewLogger(&logs, telemetry.LogConfig{JSON: true, Level: "info"})
		if err != nil {
			t.Fatal(err)
		}
		access, err := telemetry.NewAccessLog(&logs, telemetry.LogConfig{JSON: true, Level: "info"})
		if err != nil {
			t.Fatal(err)
		}
		mm.Logger, mm.AccessLog = logger, access
		mm.Config.AdminKey, mm.Config.AdminKeyGenerated = testAdminKey, true
	})

	s.mustStockedProduct(t, "log-lamp", "LOG-1", 1200, 10)
	paid := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"LOG-1", 1}), "pm_card_visa"), "log-key-1"))
	s.moneyWaitOrder(t, paid.OrderID, "placed")
	other := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"LOG-1", 2}), "pm_card_visa"), "log-key-2"))
	s.moneyWaitOrder(t, other.OrderID, "placed")
	e2eWantStatus(t, "fulfil", s.admin(t, "POST", "/api/admin/orders/"+paid.OrderID+"/fulfil", nil), 200)
	e2eWantStatus(t, "cancel", s.admin(t, "POST", "/api/admin/orders/"+other.OrderID+"/cancel", nil), 200)
	e2eWantProblem(t, "declined", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"LOG-1", 1}), "pm_card_chargeDeclined"), "log-key-3"), 402, "payment_declined")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	out := logs.String()
	lines := logLines(t, out)

	t.Run("StartUp", func(t *testing.T) {
		key := withMsg(lines, "SHOPFN_ADMIN_KEY is not set; admin key for this run")
		if len(key) != 1 || key[0]["admin_key"] != testAdminKey {
			t.Errorf("got admin key lines %v, want one with the generated key", key)
		}
		if strings.Count(out, testAdminKey) != 1 {
			t.Errorf("the admin key appears %d times in the logs, want once, in its own line", strings.Count(out, testAdminKey))
		}
		if l := withMsg(lines, "listening"); len(l) != 1 || l[0]["url"] != s.URL {
			t.Errorf("got listening lines %v, want one naming %s", l, s.URL)
		}
		if !strings.Contains(out, "TEST PAYMENTS") {
			t.Error("no TEST PAYMENTS line")
		}
	})

	t.Run("Events", func(t *testing.T) {
		for _, want := range []struct {
			msg    string
			amount float64
		}{{"order paid", 0}, {"order declined", 0}, {"order refunded", 0}, {"order cancelled", 0}, {"order fulfilled", 0}} {
			got := withMsg(lines, want.msg)
			if len(got) == 0 {
				t.Errorf("no %q line in\n%s", want.msg, out)
				continue
			}
			for _, l := range got {
				if a, _ := l["amount"].(float64); a <= 0 || l["currency"] != "USD" || l["event"] != strings.TrimPrefix(want.msg, "order ") {
					t.Errorf("%q line %v, want its event, amount and currency", want.msg, l)
				}
			}
		}
		if n := len(withMsg(lines, "order paid")); n != 2 {
			t.Errorf("got %d paid lines, want 2 (one per paid checkout)", n)
		}
		if n := len(withMsg(lines, "order cancelled")); n != 1 {
			t.Errorf("got %d cancelled lines, want 1", n)
		}
		for _, secret := range []string{paid.OrderID, paid.CheckoutID, paid.OrderToken, other.OrderID, other.OrderToken, "buyer@example.com", "Ada Buyer", "1 Main St"} {
			if strings.Contains(out, secret) {
				t.Errorf("logs hold %q", secret)
			}
		}
	})

	t.Run("AccessLineUnits", func(t *testing.T) {
		reqs := withMsg(lines, "request")
		if len(reqs) == 0 {
			t.Fatal("no access lines")
		}
		for _, l := range reqs {
			if _, ok := l["took"]; ok {
				t.Errorf("access line %v has took without a unit", l)
			}
			if ms, ok := l["took_ms"].(float64); !ok || ms < 0 || ms > 60_000 {
				t.Errorf("access line %v: want took_ms, milliseconds", l)
			}
		}
	})

	t.Run("Shutdown", func(t *testing.T) {
		if len(withMsg(lines, "shutting down: finishing the requests in flight")) != 1 {
			t.Errorf("no shutting-down line in\n%s", out)
		}
		st := withMsg(lines, "stopped")
		if len(st) != 1 || st[0]["clean"] != true {
			t.Errorf("got stopped lines %v, want one, clean", st)
		}
		if _, ok := st[0]["took_ms"].(float64); len(st) == 1 && !ok {
			t.Errorf("stopped line %v: want took_ms", st[0])
		}
	})
}
