package stripe_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shopfn/handler/commerce"
	shopstripe "shopfn/handler/stripe"
)

// MustStartStripeMock starts stripe-mock on free loopback ports, stops it at
// the end of the test, and returns its HTTP URL. It skips the test when the
// binary is not installed.
func MustStartStripeMock(tb testing.TB) string {
	tb.Helper()
	bin := os.Getenv("STRIPE_MOCK_BIN")
	if bin == "" {
		gopath, err := exec.Command("go", "env", "GOPATH").Output()
		if err != nil {
			tb.Skipf("stripe-mock: STRIPE_MOCK_BIN is unset and go env GOPATH failed (%v); scripts/test.sh installs it with go install github.com/stripe/stripe-mock@v0.203.0", err)
		}
		bin = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "stripe-mock")
	}
	if _, err := os.Stat(bin); err != nil {
		tb.Skipf("stripe-mock not found at %s (set STRIPE_MOCK_BIN); scripts/test.sh installs it with go install github.com/stripe/stripe-mock@v0.203.0", bin)
	}

	// A port found free may be taken before stripe-mock binds it: try again.
	for attempt := 0; ; attempt++ {
		httpPort, httpsPort := freePort(tb), freePort(tb)
		logPath := filepath.Join(tb.TempDir(), "stripe-mock.log")
		logFile, err := os.Create(logPath)
		if err != nil {
			tb.Fatal(err)
		}
		cmd := exec.Command(bin, "-http-addr", "127.0.0.1:"+httpPort, "-https-addr", "127.0.0.1:"+httpsPort)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			logFile.Close()
			tb.Fatalf("start %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); logFile.Close(); close(exited) }()
		tb.Cleanup(func() { cmd.Process.Kill(); <-exited })

		url := "http://127.0.0.1:" + httpPort
		if waitAnswers(url, exited, 20*time.Second) {
			return url
		}
		cmd.Process.Kill()
		<-exited
		log, _ := os.ReadFile(logPath)
		if attempt == 2 {
			tb.Fatalf("stripe-mock did not answer on %s; its log:\n%s", url, log)
		}
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// waitAnswers reports whether url answers HTTP before timeout, giving up
// early when the server process exits.
func waitAnswers(url string, exited <-chan struct{}, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		res, err := http.Get(url + "/v1/payment_intents/pi_ping")
		if err == nil {
			res.Body.Close()
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
	return false
}

// request returns a payment request for checkout "ck_1" with payment method pm.
func request(pm string) commerce.PaymentRequest {
	return commerce.PaymentRequest{
		CheckoutID:    "ck_1",
		OrderID:       "ord_1",
		Amount:        commerce.Money{Amount: 1999, Currency: "USD"},
		PaymentMethod: pm,
		Email:         "buyer@example.com",
	}
}

// TestStripeMock sends each request to stripe-mock, which refuses any
// parameter Stripe's API does not accept. stripe-mock answers with canned,
// stateless objects (its PaymentIntents always need a payment method), so
// only the request shapes and the mapping of fields it echoes are checked.
func TestStripeMock(t *testing.T) {
	base := MustStartStripeMock(t)
	p := shopstripe.New(shopstripe.Config{SecretKey: "sk_test_123", APIBase: base})
	ctx := context.Background()

	t.Run("Charge", func(t *testing.T) {
		req := request("pm_card_visa")
		pay, err := p.Charge(ctx, req)
		if err != nil {
			t.Fatalf("Charge: %v", err)
		}
		if !strings.HasPrefix(pay.ID, "pi_") || pay.Amount != req.Amount {
			t.Errorf("got ID %q amount %v, want pi_... and %v", pay.ID, pay.Amount, req.Amount)
		}
		if pay.Status == "" {
			t.Errorf("got no status, want one")
		}
	})

	t.Run("ChargeWithReturnURL", func(t *testing.T) {
		// stripe-mock refuses parameters Stripe does not take together.
		rp := shopstripe.New(shopstripe.Config{SecretKey: "sk_test_123", APIBase: base, ReturnURL: "https://shop.example/checkout/return"})
		if _, err := rp.Charge(ctx, request("pm_card_visa")); err != nil {
			t.Fatalf("Charge: %v", err)
		}
	})

	t.Run("Payment", func(t *testing.T) {
		pay, err := p.Payment(ctx, "pi_123")
		if err != nil {
			t.Fatalf("Payment: %v", err)
		}
		if pay.ID != "pi_123" || pay.Amount.Currency == "" || pay.Status == "" {
			t.Errorf("got %+v, want ID pi_123 with an amount and a status", pay)
		}
	})

	t.Run("Refund", func(t *testing.T) {
		if err := p.Refund(ctx, "pi_123", "order-ord_1"); err != nil {
			t.Fatalf("Refund: %v", err)
		}
	})

	t.Run("RefundAmount", func(t *testing.T) {
		if err := p.RefundAmount(ctx, "pi_123", "r1", commerce.Money{Amount: 100, Currency: "USD"}); err != nil {
			t.Fatalf("RefundAmount: %v", err)
		}
	})

	t.Run("CancelPayment", func(t *testing.T) {
		if err := p.CancelPayment(ctx, "pi_123"); err != nil {
			t.Fatalf("CancelPayment: %v", err)
		}
	})
}
