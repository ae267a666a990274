package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shopfn/handler/events"
)

// TestCrashDocumentEvents kills the binary between a product's change on
// Cosmos DB and the append of its event to the relational log (the log's
// SQLite file is held locked by the test, so the append waits), restarts
// it, and checks that the feed gets the event once, in sequence: a
// committed document change is never without its event.
func TestCrashDocumentEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the crash test (builds the binary and kills it) in -short mode")
	}
	if testCosmos == "" {
		t.Skip("on SQLite documents a product and its event commit in one transaction; SHOPFN_TEST_DOCUMENTS=cosmos runs this test")
	}
	rig := crashNewRig(t)
	rig.start()
	var p struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(rig.must("POST", "/api/admin/products", productJSON("doc-events", "DOC-EV-1"), 201), &p); err != nil {
		t.Fatal(err)
	}

	// Hold the relational file's write lock: the next event append waits.
	lock, err := sql.Open("sqlite", "file:"+filepath.Join(rig.dataDir, "shopfn.db")+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	ctx := context.Background()
	tx, err := lock.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE event_head SET position = position WHERE id = 0`); err != nil {
		t.Fatal(err)
	}

	renamed := bytes.Replace(productJSON("doc-events", "DOC-EV-1"), []byte(`"title":"Host test"`), []byte(`"title":"Renamed"`), 1)
	go rig.do("PUT", "/api/admin/products/"+p.ID, renamed, "x-functions-key", crashAdminKey)
	deadline := time.Now().Add(20 * time.Second)
	for {
		res := rig.do("GET", "/api/admin/products/"+p.ID, nil, "x-functions-key", crashAdminKey)
		if res.status == 200 && strings.Contains(string(res.body), `"title":"Renamed"`) {
			break // the document change is made; its event append is waiting
		}
		if time.Now().After(deadline) {
			t.Fatalf("the product was never renamed: last %d %s %v", res.status, res.body, res.err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	rig.kill()
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	rig.start()

	deadline = time.Now().Add(20 * time.Second)
	for {
		var page struct {
			Items []events.Event `json:"items"`
		}
		if err := json.Unmarshal(rig.must("GET", "/api/admin/events?type=product.created,product.updated", nil, 200), &page); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range page.Items {
			got = append(got, string(e.Type)+" "+e.Subject+" "+e.Sequence.String()[16:])
		}
		want := []string{"product.created products/" + p.ID + " 001", "product.updated products/" + p.ID + " 002"}
		if strings.Join(got, "\n") == strings.Join(want, "\n") {
			var d events.ProductData
			if err := page.Items[1].Decode(&d); err != nil || d.Title != "Renamed" {
				t.Errorf("product.updated data: got %+v, %v, want the title Renamed", d, err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("feed: got %q, want %q: the committed change's event was lost", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
