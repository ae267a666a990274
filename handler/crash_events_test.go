package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"shopfn/handler/events"
)

// TestCrashWebhooks kills the binary with SIGKILL right after it committed
// changes whose events it had not delivered yet (the receiver is slow, so
// a backlog is always waiting), restarts it on the same data directory,
// and checks that the receiver gets every event of the feed, each signed:
// none is lost between commit and delivery.
func TestCrashWebhooks(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the crash test (builds the binary and kills it repeatedly) in -short mode")
	}
	var mu sync.Mutex
	var secret string
	got := map[string]int{}
	var bad []string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		id := r.Header.Get("webhook-id")
		if !e2eVerify(secret, id, r.Header.Get("webhook-timestamp"), body, r.Header.Get("webhook-signature")) {
			bad = append(bad, id)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got[id]++
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()

	rig := crashNewRig(t, "SHOPFN_WEBHOOKS_ALLOW_PRIVATE=true")
	rig.start()
	var sub struct {
		Secret string `json:"secret"`
	}
	body := rig.must("POST", "/api/admin/subscriptions", []byte(`{"url":"`+recv.URL+`","events":["inventory.level_changed","product.created"]}`), 201)
	if err := json.Unmarshal(body, &sub); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = sub.Secret
	mu.Unlock()
	rig.must("POST", "/api/admin/products", productJSON("crash-hooks", "CRASH-HOOK"), 201)
	n, behind := 0, 0
	for round := range 4 {
		for range 25 {
			n++
			rig.must("PUT", "/api/admin/inventory/CRASH-HOOK", []byte(`{"onHand":`+strconv.Itoa(n)+`}`), 200)
		}
		if round < 3 {
			rig.kill()
			mu.Lock()
			if len(got) < n+1 { // the product and n levels were committed
				behind++
			}
			mu.Unlock()
			rig.start()
		}
	}

	if behind == 0 {
		t.Fatal("every kill came after the receiver had every event: the test killed no delivery in flight")
	}
	var feed []events.Event
	after := "0"
	for {
		var page struct {
			Items []events.Event `json:"items"`
			Next  string         `json:"next"`
		}
		if err := json.Unmarshal(rig.must("GET", "/api/admin/events?limit=1000&after="+after, nil, 200), &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Items) == 0 {
			break
		}
		feed, after = append(feed, page.Items...), page.Next
	}
	if len(feed) != 101 {
		t.Fatalf("feed: got %d events, want 101 (a product and 100 stock levels)", len(feed))
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		missing := 0
		for _, e := range feed {
			if got[e.ID] == 0 {
				missing++
			}
		}
		b := append([]string(nil), bad...)
		mu.Unlock()
		if len(b) > 0 {
			t.Fatalf("receiver refused signatures of %v", b)
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d committed events never reached the receiver", missing, len(feed))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
