package main

import (
	"net"
	"strconv"
	"testing"
)

// This file runs the api + worker split (SHOPFN_ROLE) on Service Bus: two
// programs, one SQLite file in WAL mode shared by both for the relational
// store, the queues on the Service Bus peer, and the catalog and carts in
// the shared file or, with SHOPFN_TEST_DOCUMENTS=cosmos (scripts/test.sh's
// second pass), in one database on the Cosmos DB peer.

// startSplit starts an api and a worker on one data directory and the
// Service Bus peer, on one clock, and returns the api: the storefront talks
// to it, and the worker places the orders it publishes. change applies to
// both.
func startSplit(tb testing.TB, change func(*Main)) e2eShop {
	tb.Helper()
	dir := tb.TempDir()
	api := startServiceBus(tb, func(m *Main) {
		m.Config.Role, m.Config.DataDir = RoleAPI, dir
		if change != nil {
			change(m)
		}
	})
	startMoney(tb, func(m *Main) {
		m.Config.Role, m.Config.DataDir = RoleWorker, dir
		m.Config.Queue, m.Config.ServiceBusConnection = "servicebus", sbPeer.ConnectionString()
		m.Now = api.Clock.Now
		m.Config.Documents, m.Config.Cosmos = api.Config.Documents, api.Config.Cosmos // one catalog: SQLite, or the Cosmos DB peer in Cosmos mode
		if change != nil {
			change(m)
		}
	})
	return api
}

// TestE2ERolesFlashSale runs the flash sale through an api and a worker:
// the same results as one all-in-one process (TestE2EServiceBus/FlashSale).
func TestE2ERolesFlashSale(t *testing.T) {
	moneyFlashSale(t, startSplit)
}

// TestE2ERolesRedelivery delivers every message twice at once, in the
// worker, behind an api.
func TestE2ERolesRedelivery(t *testing.T) {
	moneyRedelivery(t, moneyTwice(), startSplit)
}

// TestE2EReadyServiceBusDown starts a worker whose Service Bus does not
// answer: it starts (the SDK connects lazily) and stays alive, but is not
// ready.
func TestE2EReadyServiceBusDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	s := startMoney(t, func(m *Main) {
		m.Config.Role, m.Config.Queue = RoleWorker, "servicebus"
		m.Config.ServiceBusConnection = "Endpoint=sb://127.0.0.1:" + strconv.Itoa(port) + ";SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;"
	})
	res, err := s.send("GET", "/healthz/ready", nil)
	if err != nil {
		t.Fatal(err)
	}
	e2eWantProblem(t, "ready with Service Bus down", res, 503, "unavailable")
	e2eWantStatus(t, "live with Service Bus down", s.do(t, "GET", "/healthz/live", nil), 200)
	e2eWantStatus(t, "startup with Service Bus down", s.do(t, "GET", "/healthz/startup", nil), 200)
}

func TestServiceBusAddr(t *testing.T) {
	for _, tt := range []struct{ ns, conn, want string }{
		{"shop.servicebus.windows.net", "", "shop.servicebus.windows.net:5671"},
		{"", "Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v", "shop.servicebus.windows.net:5671"},
		{"", "Endpoint=sb://localhost;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;", "localhost:5672"},
		{"", "Endpoint=sb://127.0.0.1:34567;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;", "127.0.0.1:34567"},
	} {
		if got := serviceBusAddr(tt.ns, tt.conn); got != tt.want {
			t.Errorf("serviceBusAddr(%q, %q) = %q, want %q", tt.ns, tt.conn, got, tt.want)
		}
	}
}
