package servicebus_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"shopfn/handler/servicebus/sbpeertest"
)

// The settings of the Service Bus peer TestMain starts; the harness uses
// the same.
const (
	peerLock        = 30 * time.Second
	peerMaxDelivery = 4
)

// peer is the running Service Bus peer, or nil with peerMissing saying why.
var (
	peer        *sbpeertest.Peer
	peerMissing string
)

func TestMain(m *testing.M) {
	p, err := sbpeertest.Start(peerLock, peerMaxDelivery)
	if err != nil {
		if os.Getenv("SHOPFN_REQUIRE_PEERS") == "1" {
			fmt.Fprintf(os.Stderr, "servicebus: the Service Bus peer is required (SHOPFN_REQUIRE_PEERS=1): %v\n", err)
			os.Exit(1)
		}
		peerMissing = fmt.Sprintf("the Service Bus peer did not start (%v); scripts/test.sh installs it", err)
	}
	peer = p
	code := m.Run()
	if p != nil {
		p.Stop()
	}
	os.Exit(code)
}

// check fails the test on err.
func check(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
