package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

// BenchmarkCheckoutPromotionsHTTP is POST /api/checkout from benchClients
// concurrent clients over loopback HTTP, as scripts/bench.sh's checkout
// and pricing parts drive it (test payments, one pre-created one-unit cart
// a request): plain, with the three price lists of the pricing part, and
// with those and its two automatic promotions, so that the cost of each
// can be read apart (-cpuprofile, SHOPFN_TEST_WRITER_HOLD=1):
//
//	go test ./handler -run '^$' -bench CheckoutPromotionsHTTP -benchtime 3000x
//
// The carts are made outside the timer.
func BenchmarkCheckoutPromotionsHTTP(b *testing.B) {
	for _, mode := range []string{"plain", "lists", "promotions"} {
		b.Run(mode, func(b *testing.B) {
			p := benchWritesMain(b)
			h := p.server.Handler
			skus := benchSKUs(b, h, 20, 1)
			for _, sku := range skus {
				benchAdmin(b, h, "PUT", "/api/admin/inventory/"+sku, `{"onHand":1000000}`, http.StatusOK)
			}
			if mode != "plain" {
				benchPriceLists(b, h, skus)
			}
			if mode == "promotions" {
				for _, body := range []string{
					`{"automatic":true,"rules":{},"action":{"type":"percent","value":1000,"target":"order"},"stacking":"stack","priority":1,"status":"active"}`,
					`{"automatic":true,"rules":{},"action":{"type":"free_shipping","value":0,"target":"order"},"stacking":"stack","priority":2,"status":"active"}`,
				} {
					benchAdmin(b, h, "POST", "/api/admin/promotions", body, http.StatusCreated)
				}
			}
			bodies := make([]string, b.N)
			for i := range bodies {
				var c struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal(benchCall(b, h, "POST", "/api/carts", "", http.StatusCreated), &c); err != nil {
					b.Fatal(err)
				}
				benchCall(b, h, "POST", "/api/carts/"+c.ID+"/items", fmt.Sprintf(`{"sku":%q,"quantity":1}`, skus[i%len(skus)]), http.StatusOK)
				bodies[i] = `{"cartId":"` + c.ID + `","email":"bench@example.com","paymentMethod":"pm_card_visa",` +
					`"shippingAddress":{"name":"Bench","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}}`
			}
			client := benchClient()
			defer client.CloseIdleConnections()
			if p.WriterHold != nil {
				p.WriterHold.Reset()
				defer func() { // b.Logf keeps 10 lines
					fmt.Fprintf(os.Stderr, "%s b.N=%d\n", b.Name(), b.N)
					p.WriterHold.Print(os.Stderr)
				}()
			}
			url := p.URL + "/api/checkout"
			benchParallel(b, func(i int) error {
				req, err := http.NewRequest("POST", url, strings.NewReader(bodies[i]))
				if err != nil {
					return err
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", i))
				res, err := client.Do(req)
				if err != nil {
					return err
				}
				defer res.Body.Close()
				var out struct {
					Status string `json:"status"`
				}
				if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated || out.Status != "paid" {
					return fmt.Errorf("checkout %d: got %d %q (%v), want 201 paid", i, res.StatusCode, out.Status, err)
				}
				return nil
			})
		})
	}
}

// benchPriceLists writes the three price lists of scripts/bench.sh's
// pricing part, each pricing every one of skus.
func benchPriceLists(b *testing.B, h http.Handler, skus []string) {
	b.Helper()
	for i, list := range []struct{ id, groups string }{{"sale", `[]`}, {"vip", `["vip"]`}, {"staff", `["staff"]`}} {
		var prices []string
		for _, sku := range skus {
			prices = append(prices, fmt.Sprintf(`{"sku":%q,"amount":%d}`, sku, 100+i))
		}
		body := fmt.Sprintf(`{"name":%q,"currency":"USD","customerGroups":%s,"prices":[%s]}`, list.id, list.groups, strings.Join(prices, ","))
		benchAdmin(b, h, "PUT", "/api/admin/price-lists/"+list.id, body, http.StatusOK)
	}
}
