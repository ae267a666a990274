package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// TestE2EBrowserShop runs the shop as its two users do, in headless
// chromium (browser_rig_test.go): a merchant signs in to the console,
// creates a product with two variants, stocks it and sees it on the
// storefront; a buyer finds it, adds it to the cart, signs in (the guest
// cart merges), is declined with one test card, pays with the 3-D Secure
// test card, authenticates and sees the order; the merchant sees it on the dashboard and fulfils it; the
// buyer's order page says shipped, and so does their order history. The
// merchant then makes a stock location, a price list and a promotion (whose
// save after someone else's change is refused, keeping the form). Every page is checked with axe-core, and
// no page may log a script error or a Content-Security-Policy violation.
// Screenshots go to the test's artifact directory (go test -artifacts).
func TestE2EBrowserShop(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the browser test in -short mode")
	}
	path := browserPath()
	if path == "" {
		skipWithoutPeer(t, "chromium is not installed (apt-get install chromium, or set CHROMIUM_BIN)")
	}
	b, merchant := newBrowser(t, path)
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(hooks.Close)
	shop := MustRunMainWith(t, false, func(m *Main) {
		m.Config.Storefront = true
		m.Config.WebhooksAllowPrivate = true // the receiver is on loopback
	})
	base := shop.URL

	// The merchant signs in; a wrong key is refused, saying so.
	b.run(merchant, "console sign-in with a wrong key",
		chromedp.Navigate(base+"/admin/"),
		visible(`input[name=key]`),
		fill(`input[name=key]`, "not-the-key"),
		click(`main form button[type=submit]`),
		waitText(`.message`, "That admin key is wrong."))
	b.checkA11y(merchant, "console sign-in")
	b.checkA11yCanary(merchant)
	b.run(merchant, "console sign-in",
		fill(`input[name=key]`, testAdminKey),
		click(`main form button[type=submit]`),
		waitText(`main h1`, "Dashboard"))
	b.checkA11y(merchant, "dashboard")

	// A product with two variants.
	b.run(merchant, "create a product",
		chromedp.Navigate(base+"/admin/#/products/new"),
		visible(`input[name=title]`),
		fill(`input[name=title]`, "Trail Mug"),
		fill(`input[name=handle]`, "trail-mug"),
		fill(`input[name=category]`, "kitchen"),
		fill(`textarea[name=description]`, "An enamel mug for the trail."),
		fill(`tr.variant:nth-child(1) input[name=sku]`, "MUG-RED"),
		fill(`tr.variant:nth-child(1) input[name=vtitle]`, "Red"),
		fill(`tr.variant:nth-child(1) input[name=options]`, "color=red"),
		fill(`tr.variant:nth-child(1) input[name=price]`, "12.50"),
		click(`main form > p > button`), // Add variant
		fill(`tr.variant:nth-child(2) input[name=sku]`, "MUG-BLUE"),
		fill(`tr.variant:nth-child(2) input[name=vtitle]`, "Blue"),
		fill(`tr.variant:nth-child(2) input[name=options]`, "color=blue"),
		fill(`tr.variant:nth-child(2) input[name=price]`, "13.00"),
		click(`.actions button[type=submit]`),
		waitText(`.message`, "Saved Trail Mug."))
	b.checkA11y(merchant, "product form")
	hash := eval[string](b, merchant, `location.hash`)
	id := regexp.MustCompile(`p[0-9a-z]+$`).FindString(hash)
	if id == "" {
		t.Fatalf("after creating the product the console shows %q, want #/products/<id>", hash)
	}

	// Someone else changes the product; saving the form says so, and keeps
	// the merchant's edit.
	var p map[string]any
	shop.Do(t, "GET", "/api/products/"+id, nil).JSON(t, &p)
	p["description"] = "Edited elsewhere."
	if res := shop.Admin(t, "PUT", "/api/admin/products/"+id, p); res.Status != 200 {
		t.Fatalf("PUT the product: got %d %s", res.Status, res.Body)
	}
	b.run(merchant, "save over another change",
		fill(`textarea[name=description]`, "My better description."),
		click(`.actions button[type=submit]`),
		waitText(`.message`, "changed by someone else"))
	kept := eval[string](b, merchant, `document.querySelector("textarea[name=description]").value`)
	if kept != "My better description." {
		t.Errorf("after a conflicting save the description reads %q, want the merchant's edit kept", kept)
	}

	// Stock for both variants.
	for sku, n := range map[string]string{"MUG-RED": "10", "MUG-BLUE": "5"} {
		b.run(merchant, "stock "+sku,
			chromedp.Navigate(base+"/admin/#/stock/"+sku),
			visible(`input[name=onHand]`),
			fill(`input[name=onHand]`, n),
			click(`form.card button[type=submit]`),
			waitText(`.message`, "Saved: "+sku+" has "+n+" on hand"))
	}
	b.checkA11y(merchant, "stock")
	b.run(merchant, "the product on the storefront",
		chromedp.Navigate(base+"/#/?category=kitchen"),
		waitText(`.products`, "Trail Mug"))

	// The buyer finds it, picks the blue one and adds it to the cart.
	buyer := b.tab(merchant)
	b.run(buyer, "find the product",
		chromedp.Navigate(base+"/"),
		visible(`#q`),
		fill(`#q`, "trail"),
		click(`#search button`),
		waitText(`main h1`, "Results for"),
		waitText(`.products`, "Trail Mug"))
	b.checkA11y(buyer, "storefront search")
	b.run(buyer, "open the product", click(`.products a`))
	b.run(buyer, "add the blue mug to the cart",
		waitText(`#availability`, "10 in stock"),
		click(`#v-MUG-BLUE`),
		waitText(`#availability`, "5 in stock"),
		click(`main form button[type=submit]`),
		waitText(`#cart`, "MUG-BLUE"),
		waitText(`#cart-button`, "Cart (1)"))
	b.checkA11y(buyer, "product page with the cart open")
	b.shot(buyer, "storefront-cart")

	// Signing in merges the guest cart into the customer's.
	b.run(buyer, "sign in",
		chromedp.Navigate(base+"/#/signin"),
		visible(`input[name=email]`),
		fill(`input[name=email]`, "bea@example.com"),
		fill(`input[name=name]`, "Bea Buyer"),
		click(`main form button[type=submit]`),
		waitText(`#account`, "Signed in as bea@example.com"),
		chromedp.WaitReady(chromedp.CSS(`#merge-note`)))
	note := eval[string](b, buyer, `document.querySelector("#merge-note").textContent`)
	t.Run("cart merge", func(t *testing.T) {
		if !strings.Contains(note, "merged into your account") {
			t.Errorf("after sign-in the storefront says %q, want the cart merged", note)
		}
	})
	b.run(buyer, "the cart after sign-in", waitText(`#cart-button`, "Cart (1)"))

	// Checkout with the 3-D Secure card.
	b.run(buyer, "checkout",
		chromedp.Navigate(base+"/#/checkout"),
		visible(`input[name=line1]`),
		fill(`input[name=line1]`, "1 Summit Road"),
		fill(`input[name=city]`, "Boulder"),
		fill(`input[name=postalCode]`, "80302"),
		click(`#card-2`), // declined: the API's detail is shown, the form kept
		click(`main form button[type=submit]`),
		waitText(`main .message`, "the payment was declined"))
	if city := eval[string](b, buyer, `document.querySelector("input[name=city]").value`); city != "Boulder" {
		t.Errorf("after a declined payment the city reads %q, want the buyer's entry kept", city)
	}
	b.run(buyer, "pay with the 3-D Secure card",
		click(`#card-1`),
		click(`main form button[type=submit]`),
		visible(`.bank button.primary`))
	b.checkA11y(buyer, "checkout with the 3-D Secure step")
	b.run(buyer, "authenticate",
		click(`.bank button.primary`),
		waitText(`.order-status`, "Placed"))
	orderID := strings.TrimPrefix(eval[string](b, buyer, `location.hash`), "#/orders/")
	b.checkA11y(buyer, "order page")

	// The merchant sees it on the dashboard and fulfils it.
	b.run(merchant, "the order on the dashboard",
		chromedp.Navigate(base+"/admin/#/dashboard"),
		waitText(`main`, orderID))
	b.shot(merchant, "console-dashboard")
	// Its unit moves to a second location that ships everywhere.
	for _, step := range []struct {
		path string
		body map[string]any
	}{
		{"/api/admin/locations/ww-1", map[string]any{"name": "Tilburg", "priority": 5, "countries": []string{}, "status": "active"}},
		{"/api/admin/inventory/MUG-BLUE/locations/ww-1", map[string]any{"onHand": 2}},
	} {
		if res := shop.Admin(t, "PUT", step.path, step.body); res.Status != 200 {
			t.Fatalf("PUT %s: got %d %s", step.path, res.Status, res.Body)
		}
	}
	b.run(merchant, "move the order's unit",
		click(`main table a[href="#/orders/`+orderID+`"]`),
		waitText(`#order-status-text`, "Placed"),
		fill(`form[aria-labelledby=move-h] input[name=to]`, "ww-1"),
		click(`form[aria-labelledby=move-h] button[type=submit]`),
		waitText(`.message`, "Moved 1 × MUG-BLUE from default to ww-1."))
	b.checkA11y(merchant, "order with the move form")
	b.run(merchant, "fulfil the order",
		waitText(`#order-status-text`, "Placed"),
		click(`.actions button.primary`),
		visible(`dialog.confirm`))
	b.checkA11y(merchant, "order with the confirmation dialog")
	b.run(merchant, "confirm fulfilment",
		click(`dialog.confirm button.danger`),
		waitText(`#order-status-text`, "Shipped"))

	b.run(merchant, "the order's allocations", waitText(`main`, "Ships from"), waitText(`main`, "MUG-BLUE"), waitText(`main`, "ww-1"))

	// A second stock location and a price list, made in the console and
	// read back through the API.
	b.run(merchant, "create a location",
		chromedp.Navigate(base+"/admin/#/locations/new"),
		visible(`input[name=id]`),
		fill(`input[name=id]`, "eu-1"),
		fill(`input[name=name]`, "Rotterdam"),
		fill(`input[name=priority]`, "2"),
		fill(`input[name=countries]`, "nl, de"),
		click(`.actions button[type=submit]`),
		waitText(`.message`, "Saved location Rotterdam."))
	b.checkA11y(merchant, "location form")
	var loc struct {
		Name      string   `json:"name"`
		Priority  int      `json:"priority"`
		Countries []string `json:"countries"`
	}
	shop.Admin(t, "GET", "/api/admin/locations/eu-1", nil).JSON(t, &loc)
	if loc.Name != "Rotterdam" || loc.Priority != 2 || strings.Join(loc.Countries, ",") != "NL,DE" {
		t.Errorf("the location made in the console reads %+v, want Rotterdam, priority 2, NL and DE", loc)
	}
	b.run(merchant, "create a price list",
		chromedp.Navigate(base+"/admin/#/price-lists/new"),
		visible(`input[name=id]`),
		fill(`input[name=id]`, "vip"),
		fill(`input[name=name]`, "VIP prices"),
		fill(`input[name=groups]`, "vip"),
		fill(`textarea[name=prices]`, "MUG-RED 9.99"),
		click(`.actions button[type=submit]`),
		waitText(`.message`, "Saved price list VIP prices with 1 price(s)."))
	b.checkA11y(merchant, "price list form")
	var pl struct {
		Currency       string   `json:"currency"`
		CustomerGroups []string `json:"customerGroups"`
		Prices         []struct {
			SKU    string `json:"sku"`
			Amount int    `json:"amount"`
		} `json:"prices"`
	}
	shop.Admin(t, "GET", "/api/admin/price-lists/vip", nil).JSON(t, &pl)
	if pl.Currency != "USD" || strings.Join(pl.CustomerGroups, ",") != "vip" || len(pl.Prices) != 1 || pl.Prices[0].SKU != "MUG-RED" || pl.Prices[0].Amount != 999 {
		t.Errorf("the price list made in the console reads %+v, want USD for vip with MUG-RED at 999", pl)
	}

	// A promotion made in the console, read back through the API and in the
	// list; a save after someone else's change is refused and keeps the
	// form's entries.
	b.run(merchant, "create a promotion",
		chromedp.Navigate(base+"/admin/#/promotions/new"),
		visible(`input[name=code]`),
		fill(`input[name=code]`, "SPRING10"),
		fill(`input[name=value]`, "10"),
		fill(`input[name=usageLimit]`, "100"),
		click(`.actions button[type=submit]`),
		waitText(`.message`, "Created promotion SPRING10."))
	b.checkA11y(merchant, "promotion form")
	var promos struct {
		Items []struct {
			ID         string `json:"id"`
			Code       string `json:"code"`
			UsageLimit int64  `json:"usageLimit"`
			Action     struct {
				Type   string `json:"type"`
				Value  int64  `json:"value"`
				Target string `json:"target"`
			} `json:"action"`
		} `json:"items"`
	}
	shop.Admin(t, "GET", "/api/admin/promotions", nil).JSON(t, &promos)
	if len(promos.Items) != 1 || promos.Items[0].Code != "SPRING10" || promos.Items[0].UsageLimit != 100 || promos.Items[0].Action.Type != "percent" || promos.Items[0].Action.Value != 1000 || promos.Items[0].Action.Target != "order" {
		t.Fatalf("the promotion made in the console reads %+v, want SPRING10, 1000 basis points off the order, limit 100", promos.Items)
	}
	promoID := promos.Items[0].ID
	b.run(merchant, "the promotion listed",
		chromedp.Navigate(base+"/admin/#/promotions"),
		waitText(`main table`, "SPRING10"),
		waitText(`main table`, "10% off the order"),
		waitText(`main table`, "0 / 0 of 100"))
	b.checkA11y(merchant, "promotions")
	b.run(merchant, "open the promotion",
		chromedp.Navigate(base+"/admin/#/promotions/"+promoID),
		visible(`input[name=perCustomerLimit]`),
		fill(`input[name=perCustomerLimit]`, "2"))
	if res := shop.Admin(t, "PATCH", "/api/admin/promotions/"+promoID, map[string]any{"priority": 5}); res.Status != http.StatusOK {
		t.Fatalf("PATCH the promotion's priority: got %d %s, want 200", res.Status, res.Body)
	}
	b.run(merchant, "a save after another change",
		click(`.actions button[type=submit]`),
		waitText(`.message`, "changed by someone else"))
	keptLimit := eval[string](b, merchant, `document.querySelector("input[name=perCustomerLimit]").value`)
	if keptLimit != "2" {
		t.Errorf("after a refused save the per-customer limit field reads %q, want the 2 typed", keptLimit)
	}
	b.run(merchant, "save after reloading",
		chromedp.Reload(),
		visible(`input[name=perCustomerLimit]`),
		fill(`input[name=perCustomerLimit]`, "2"),
		click(`.actions button[type=submit]`),
		waitText(`.message`, "Saved Promotion SPRING10."))
	b.checkA11y(merchant, "promotion edit form")
	var promo struct {
		Priority         int   `json:"priority"`
		PerCustomerLimit int64 `json:"perCustomerLimit"`
		UsageLimit       int64 `json:"usageLimit"`
	}
	shop.Admin(t, "GET", "/api/admin/promotions/"+promoID, nil).JSON(t, &promo)
	if promo.Priority != 5 || promo.PerCustomerLimit != 2 || promo.UsageLimit != 100 {
		t.Errorf("the promotion saved in the console reads %+v, want priority 5 (the other change), per-customer limit 2, usage limit 100", promo)
	}
	// A promotion with rules: an amount off the lines of two SKUs, for
	// one customer group, with every other field the form has.
	b.run(merchant, "create a promotion with rules",
		chromedp.Navigate(base+"/admin/#/promotions/new"),
		visible(`input[name=skus]`),
		fill(`input[name=code]`, "VIPMUGS"),
		fill(`select[name=type]`, "fixed"),
		fill(`input[name=value]`, "2.50"),
		fill(`select[name=target]`, "lines"),
		fill(`input[name=currency]`, "usd"),
		fill(`input[name=minSubtotal]`, "20"),
		fill(`input[name=skus]`, "MUG-RED, MUG-BLUE"),
		fill(`input[name=categories]`, "kitchen"),
		fill(`input[name=customerGroups]`, "vip, staff"),
		fill(`select[name=stacking]`, "exclusive"),
		fill(`input[name=priority]`, "3"),
		fill(`input[name=usageLimit]`, "50"),
		fill(`input[name=perCustomerLimit]`, "1"),
		fill(`select[name=status]`, "draft"),
		click(`input[name=refundable]`),
		click(`.actions button[type=submit]`),
		waitText(`.message`, "Created promotion VIPMUGS."),
		waitText(`dl.facts`, "MUG-RED, MUG-BLUE"),
		waitText(`dl.facts`, "vip, staff"))
	b.checkA11y(merchant, "promotion with rules")
	type rules struct {
		MinSubtotal    e2eMoney `json:"minSubtotal"`
		SKUs           []string `json:"skus"`
		Categories     []string `json:"categories"`
		CustomerGroups []string `json:"customerGroups"`
	}
	type action struct {
		Type   string `json:"type"`
		Value  int64  `json:"value"`
		Target string `json:"target"`
	}
	type ruledPromo struct {
		Code             string `json:"code"`
		Automatic        bool   `json:"automatic"`
		Currency         string `json:"currency"`
		Rules            rules  `json:"rules"`
		Action           action `json:"action"`
		Stacking         string `json:"stacking"`
		Priority         int    `json:"priority"`
		UsageLimit       int64  `json:"usageLimit"`
		PerCustomerLimit int64  `json:"perCustomerLimit"`
		Refundable       bool   `json:"refundable"`
		Status           string `json:"status"`
	}
	var ruled struct{ Items []ruledPromo }
	shop.Admin(t, "GET", "/api/admin/promotions", nil).JSON(t, &ruled)
	want := ruledPromo{
		Code: "VIPMUGS", Currency: "USD",
		Rules:    rules{MinSubtotal: e2eMoney{Amount: 2000, Currency: "USD"}, SKUs: []string{"MUG-RED", "MUG-BLUE"}, Categories: []string{"kitchen"}, CustomerGroups: []string{"vip", "staff"}},
		Action:   action{Type: "fixed", Value: 250, Target: "lines"},
		Stacking: "exclusive", Priority: 3, UsageLimit: 50, PerCustomerLimit: 1, Refundable: true, Status: "draft",
	}
	if i := slices.IndexFunc(ruled.Items, func(p ruledPromo) bool { return p.Code == "VIPMUGS" }); i < 0 {
		t.Errorf("the promotion with rules made in the console is not listed: %+v", ruled.Items)
	} else if diff := cmp.Diff(want, ruled.Items[i]); diff != "" {
		t.Errorf("the promotion with rules made in the console (-want +got):\n%s", diff)
	}

	// A shipping option and a tax rate, made in the console and read back
	// through the API.
	b.run(merchant, "create a shipping option",
		chromedp.Navigate(base+"/admin/#/shipping/option/new"),
		visible(`input[name=id]`),
		fill(`input[name=id]`, "express"),
		fill(`input[name=name]`, "Express"),
		fill(`input[name=amount]`, "12.50"),
		fill(`input[name=freeOver]`, "200"),
		fill(`input[name=countries]`, "fr, de"),
		click(`.actions button[type=submit]`),
		waitText(`.message`, "Saved shipping option Express."))
	b.checkA11y(merchant, "shipping option form")
	var opt struct {
		Amount    int64    `json:"amount"`
		Countries []string `json:"countries"`
		FreeOver  struct {
			Amount int64 `json:"amount"`
		} `json:"freeOver"`
	}
	shop.Admin(t, "GET", "/api/admin/shipping-options/express", nil).JSON(t, &opt)
	if opt.Amount != 1250 || opt.FreeOver.Amount != 20000 || strings.Join(opt.Countries, ",") != "FR,DE" {
		t.Errorf("the shipping option made in the console reads %+v, want 1250, free over 20000, FR and DE", opt)
	}
	b.run(merchant, "create a tax rate",
		chromedp.Navigate(base+"/admin/#/shipping/tax/new"),
		visible(`input[name=country]`),
		fill(`input[name=country]`, "fr"),
		fill(`input[name=rate]`, "20"),
		fill(`textarea[name=subdivisions]`, "GP 8.5"),
		click(`.actions button[type=submit]`),
		waitText(`.message`, "Saved the tax rate of FR."))
	b.checkA11y(merchant, "tax rate form")
	var rate struct {
		Rate         int64            `json:"rate"`
		Subdivisions map[string]int64 `json:"subdivisions"`
	}
	shop.Admin(t, "GET", "/api/admin/tax-rates/FR", nil).JSON(t, &rate)
	if rate.Rate != 2000 || rate.Subdivisions["GP"] != 850 {
		t.Errorf("the tax rate made in the console reads %+v, want 2000 with GP at 850", rate)
	}

	// A webhook subscription: its secret is shown once; a test ping is
	// delivered and re-delivered from its deliveries page.
	b.run(merchant, "create a webhook subscription",
		chromedp.Navigate(base+"/admin/#/webhooks/new"),
		visible(`input[name=url]`),
		fill(`input[name=url]`, hooks.URL+"/hook"),
		fill(`input[name=description]`, "ERP"),
		click(`input[value="order.placed"]`),
		click(`.actions button[type=submit]`),
		waitText(`#webhook-secret`, "whsec_"))
	var subs struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	shop.Admin(t, "GET", "/api/admin/subscriptions", nil).JSON(t, &subs)
	if len(subs.Items) != 1 {
		t.Fatalf("after creating one subscription in the console the API lists %d", len(subs.Items))
	}
	sub := subs.Items[0].ID
	b.run(merchant, "test ping",
		chromedp.Navigate(base+"/admin/#/webhooks"),
		waitText(`main table`, "ERP"),
		click(`main table button:not(.danger)`),
		waitText(`.message`, "Sent a test ping"))
	b.checkA11y(merchant, "webhooks")
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var ds struct{ Items []any }
		shop.Admin(t, "GET", "/api/admin/subscriptions/"+sub+"/deliveries?status=succeeded", nil).JSON(t, &ds)
		if len(ds.Items) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test ping was not delivered within 15 s")
		}
	}
	b.run(merchant, "the ping delivered",
		chromedp.Navigate(base+"/admin/#/webhooks/"+sub+"/succeeded"),
		waitText(`main table`, "ping"))
	b.run(merchant, "redeliver the ping",
		click(`main table button`),
		waitText(`.message`, "Queued ping"))
	b.checkA11y(merchant, "webhook deliveries")

	// Every other page of the console draws and passes the check.
	for _, page := range []struct{ hash, want string }{
		{"#/products", "Trail Mug"}, {"#/orders/status/fulfilled", orderID}, {"#/customers", "bea@example.com"},
		{"#/deadletters", "Queue orders"}, {"#/stock", "MUG-BLUE"}, {"#/stock/MUG-BLUE", "Rotterdam"},
		{"#/locations", "Rotterdam"}, {"#/price-lists", "VIP prices"}, {"#/shipping", "Express"}, {"#/webhooks/new", "Create subscription"}, {"#/events?type=order.placed", "orders/" + orderID},
	} {
		b.run(merchant, "console page "+page.hash, chromedp.Navigate(base+"/admin/"+page.hash), waitText(`main`, page.want))
		b.checkA11y(merchant, "console page "+page.hash)
	}

	// The buyer's order page says shipped.
	b.run(buyer, "the order shipped",
		click(`main button`), // Refresh
		waitText(`.order-status`, "Shipped"))
	b.shot(buyer, "storefront-order")
	b.run(buyer, "the order history",
		chromedp.Navigate(base+"/#/orders"),
		waitText(`main table`, orderID),
		waitText(`main table`, "Shipped"))
	b.checkA11y(buyer, "order history")

	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("the browser logged %s", e)
	}
}
