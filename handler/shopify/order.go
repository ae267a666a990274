package shopify

import (
	"bytes"
	"encoding/json"

	"shopfn/handler/commerce"
)

// maxOrderIDLen bounds a Shopify order ID (a 64-bit integer in Shopify's
// JSON), as the shopify_orders table does.
const maxOrderIDLen = 64

// order is what shopfn reads of a Shopify order; the rest is ignored.
type order struct {
	ID        json.RawMessage `json:"id"`
	LineItems []struct {
		SKU      *string     `json:"sku"`
		Quantity json.Number `json:"quantity"`
	} `json:"line_items"`
}

// Parse reads a Shopify order webhook's body into the ShopifyOrder message
// of action. Lines are summed per SKU, in the order of their first
// appearance; a line without a SKU, or with one that is not a valid shopfn
// SKU, counts under the SKU "" (recorded as unknown). It returns
// KindInvalid "invalid_request" for a body that is not such an order.
func Parse(body []byte, action string) (commerce.ShopifyOrderEvent, error) {
	e := commerce.ShopifyOrderEvent{Type: commerce.MsgShopifyOrder, Action: action}
	var o order
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&o); err != nil {
		return e, commerce.Invalidf(commerce.CodeInvalidRequest, "the body is not a Shopify order: %v", err)
	}
	id, ok := orderID(o.ID)
	if !ok {
		return e, commerce.Invalidf(commerce.CodeInvalidRequest, "the order's id must be a number or a string of 1-%d letters, digits, '_' and '-'", maxOrderIDLen)
	}
	e.OrderID = id
	if action != commerce.ShopifyCreate {
		return e, nil // cancel and fulfil act on what create recorded
	}
	at := map[string]int{} // index in e.Lines by SKU
	for i, li := range o.LineItems {
		q, err := li.Quantity.Int64()
		if err != nil || q < 1 || q > commerce.MaxOnHand {
			return e, commerce.Invalidf(commerce.CodeInvalidRequest, "line_items[%d].quantity must be 1-%d", i, commerce.MaxOnHand)
		}
		sku := ""
		if li.SKU != nil && commerce.ValidSKU(*li.SKU) {
			sku = *li.SKU
		}
		j, seen := at[sku]
		if !seen {
			j = len(e.Lines)
			at[sku] = j
			e.Lines = append(e.Lines, commerce.ShopifyLine{SKU: sku})
		}
		if e.Lines[j].Quantity += q; e.Lines[j].Quantity > commerce.MaxOnHand {
			return e, commerce.Invalidf(commerce.CodeInvalidRequest, "the order's quantity of one SKU must be at most %d", commerce.MaxOnHand)
		}
	}
	return e, nil
}

// orderID returns the order's id, a JSON number or string, as a string.
func orderID(raw json.RawMessage) (string, bool) {
	var id string
	if len(raw) > 0 && raw[0] == '"' {
		if json.Unmarshal(raw, &id) != nil {
			return "", false
		}
	} else {
		id = string(raw)
	}
	if id == "" || len(id) > maxOrderIDLen {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !alnum(c) && c != '_' && c != '-' {
			return "", false
		}
	}
	return id, true
}
