package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// The JSON documents in the checkouts and orders tables' doc columns. They
// are shopfn's own storage format, not the API's: a change to the commerce
// types (or to how the API renders them) must not change what existing
// installs hold. The field names are those the rows already contain;
// testdata holds documents written before these types existed.

// checkoutDoc is the part of a checkout that never changes, as stored in
// checkouts.doc.
type checkoutDoc struct {
	RequestHash string     `json:"requestHash"`
	CartID      string     `json:"cartId"`
	Client      string     `json:"client,omitempty"`
	Email       string     `json:"email"`
	Address     addressDoc `json:"address"`
	// BillingAddress is absent when the buyer gave none.
	BillingAddress *addressDoc    `json:"billingAddress,omitempty"`
	PaymentMethod  string         `json:"paymentMethod"`
	Lines          []orderLineDoc `json:"lines"`
	Totals         totalsDoc      `json:"totals"`
	// OrderTokenHash is the hex SHA-256 of the order access token.
	OrderTokenHash string `json:"orderTokenHash,omitempty"`
	// Allocations are where the lines are reserved; none means every line
	// at the default location.
	Allocations []commerce.Allocation `json:"allocations,omitempty"`
	// ShippingOptionID, TaxLines and TaxIncluded are set when shipping
	// options and tax rates priced the checkout.
	ShippingOptionID string       `json:"shippingOptionId,omitempty"`
	TaxLines         []taxLineDoc `json:"taxLines,omitempty"`
	TaxIncluded      bool         `json:"taxIncluded,omitempty"`
	// Discounts are what promotions took off; none without promotions.
	Discounts     []commerce.Discount `json:"discounts,omitempty"`
	DiscountTotal *moneyDoc           `json:"discountTotal,omitempty"`
}

// orderDoc is an order as stored in orders.doc: with its payment, which
// buyers never see. The columns, not the document, hold the order's ID,
// status and times once it is stored; the document keeps the ones it was
// placed with.
type orderDoc struct {
	ID              string         `json:"id"`
	CheckoutID      string         `json:"checkoutId"`
	Status          string         `json:"status"`
	Email           string         `json:"email"`
	Items           []orderLineDoc `json:"items"`
	Subtotal        moneyDoc       `json:"subtotal"`
	Shipping        moneyDoc       `json:"shipping"`
	Tax             moneyDoc       `json:"tax"`
	Total           moneyDoc       `json:"total"`
	ShippingAddress addressDoc     `json:"shippingAddress"`
	BillingAddress  *addressDoc    `json:"billingAddress,omitempty"`
	CreatedAt       time.Time      `json:"createdAt"`
	PaymentID       string         `json:"paymentId"`
	// TokenHash is the hex SHA-256 of the order access token.
	TokenHash string `json:"tokenHash,omitempty"`
	// Allocations are where the items ship from; none means every item
	// from the default location.
	Allocations []commerce.Allocation `json:"allocations,omitempty"`
	// ShippingOptionID, TaxLines and TaxIncluded are as the checkout's.
	ShippingOptionID string       `json:"shippingOptionId,omitempty"`
	TaxLines         []taxLineDoc `json:"taxLines,omitempty"`
	TaxIncluded      bool         `json:"taxIncluded,omitempty"`
	// Discounts and DiscountTotal are as the checkout's; none without
	// promotions.
	Discounts     []commerce.Discount `json:"discounts,omitempty"`
	DiscountTotal *moneyDoc           `json:"discountTotal,omitempty"`
}

// taxLineDoc is the tax of one line (sku set) or of shipping.
type taxLineDoc struct {
	SKU    string   `json:"sku,omitempty"`
	Kind   string   `json:"kind"`
	Rate   int64    `json:"rate"`
	Amount moneyDoc `json:"amount"`
}

// addressDoc is a shipping or billing address.
type addressDoc struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
	Region     string `json:"region,omitempty"`
}

// orderLineDoc is one priced line of a checkout or an order.
type orderLineDoc struct {
	SKU       string   `json:"sku"`
	ProductID string   `json:"productId"`
	Title     string   `json:"title"`
	Quantity  int      `json:"quantity"`
	UnitPrice moneyDoc `json:"unitPrice"`
	LineTotal moneyDoc `json:"lineTotal"`
	// Adjustments are what promotions took off the line.
	Adjustments []commerce.Adjustment `json:"adjustments,omitempty"`
}

// totalsDoc is a checkout's totals.
type totalsDoc struct {
	Subtotal moneyDoc `json:"subtotal"`
	Shipping moneyDoc `json:"shipping"`
	Tax      moneyDoc `json:"tax"`
	Total    moneyDoc `json:"total"`
}

// moneyDoc is an amount in minor units of a currency.
type moneyDoc struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// encodeCheckout returns the document of c's unchanging part.
func encodeCheckout(c *commerce.Checkout) ([]byte, error) {
	b, err := json.Marshal(checkoutDoc{
		RequestHash: c.RequestHash, CartID: c.CartID, Client: c.Client, Email: c.Email,
		Address: addressDoc(c.Address), BillingAddress: billingDoc(c.BillingAddress), PaymentMethod: c.PaymentMethod,
		Lines: lineDocs(c.Lines), Totals: totalsDoc{
			Subtotal: moneyDoc(c.Subtotal), Shipping: moneyDoc(c.Shipping), Tax: moneyDoc(c.Tax), Total: moneyDoc(c.Total),
		},
		OrderTokenHash: c.OrderTokenHash, Allocations: storedAllocations(c.Allocations),
		ShippingOptionID: c.ShippingOptionID, TaxLines: taxLineDocs(c.TaxLines), TaxIncluded: c.TaxIncluded,
		Discounts: c.Discounts, DiscountTotal: discountTotalDoc(c.DiscountTotal),
	})
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encode checkout %s: %w", c.ID, err)
	}
	return b, nil
}

// decodeCheckout sets c's unchanging part from its document.
func decodeCheckout(doc []byte, c *commerce.Checkout) error {
	var d checkoutDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return fmt.Errorf("sqlstore: decode checkout: %w", err)
	}
	c.RequestHash, c.CartID, c.Client, c.Email = d.RequestHash, d.CartID, d.Client, d.Email
	c.Address, c.PaymentMethod, c.Lines = commerce.Address(d.Address), d.PaymentMethod, orderLines(d.Lines)
	c.OrderTokenHash, c.BillingAddress = d.OrderTokenHash, billingAddress(d.BillingAddress)
	c.Allocations = d.Allocations
	c.ShippingOptionID, c.TaxLines, c.TaxIncluded = d.ShippingOptionID, taxLines(d.TaxLines), d.TaxIncluded
	c.Allocations, c.Discounts = d.Allocations, d.Discounts
	if d.DiscountTotal != nil {
		c.DiscountTotal = commerce.Money(*d.DiscountTotal)
	}
	c.Totals = commerce.Totals{
		Subtotal: commerce.Money(d.Totals.Subtotal), Shipping: commerce.Money(d.Totals.Shipping),
		Tax: commerce.Money(d.Totals.Tax), Total: commerce.Money(d.Totals.Total),
	}
	return nil
}

// encodeOrder returns o's document.
func encodeOrder(o *commerce.Order) ([]byte, error) {
	b, err := json.Marshal(orderDoc{
		ID: o.ID, CheckoutID: o.CheckoutID, Status: string(o.Status), Email: o.Email, Items: lineDocs(o.Items),
		Subtotal: moneyDoc(o.Subtotal), Shipping: moneyDoc(o.Shipping), Tax: moneyDoc(o.Tax), Total: moneyDoc(o.Total),
		ShippingAddress: addressDoc(o.ShippingAddress), BillingAddress: billingDoc(o.BillingAddress), CreatedAt: o.CreatedAt, PaymentID: o.PaymentID,
		TokenHash: o.TokenHash, Allocations: storedAllocations(o.Allocations),
		ShippingOptionID: o.ShippingOptionID, TaxLines: taxLineDocs(o.TaxLines), TaxIncluded: o.TaxIncluded,
		Discounts: o.Discounts, DiscountTotal: (*moneyDoc)(o.DiscountTotal),
	})
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encode order %s: %w", o.ID, err)
	}
	return b, nil
}

// decodeOrder sets o's email, items, totals, address, checkout and payment
// from its document; the caller sets the rest from the row's columns.
func decodeOrder(doc []byte, o *commerce.Order) error {
	var d orderDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return fmt.Errorf("sqlstore: decode order: %w", err)
	}
	o.CheckoutID, o.Email, o.Items, o.PaymentID = d.CheckoutID, d.Email, orderLines(d.Items), d.PaymentID
	o.Subtotal, o.Shipping = commerce.Money(d.Subtotal), commerce.Money(d.Shipping)
	o.Tax, o.Total = commerce.Money(d.Tax), commerce.Money(d.Total)
	o.ShippingAddress, o.TokenHash = commerce.Address(d.ShippingAddress), d.TokenHash
	o.Allocations = d.Allocations
	o.ShippingOptionID, o.TaxLines, o.TaxIncluded = d.ShippingOptionID, taxLines(d.TaxLines), d.TaxIncluded
	o.Discounts, o.DiscountTotal = d.Discounts, (*commerce.Money)(d.DiscountTotal)
	o.BillingAddress = billingAddress(d.BillingAddress)
	return nil
}

// billingDoc returns the document of a billing address, nil for none.
func billingDoc(a *commerce.Address) *addressDoc {
	if a == nil {
		return nil
	}
	d := addressDoc(*a)
	return &d
}

// billingAddress returns the billing address a document holds, nil for none.
func billingAddress(d *addressDoc) *commerce.Address {
	if d == nil {
		return nil
	}
	a := commerce.Address(*d)
	return &a
}

// lineDocs returns the documents of lines (nil for nil, as before).
func lineDocs(lines []commerce.OrderLine) []orderLineDoc {
	if lines == nil {
		return nil
	}
	out := make([]orderLineDoc, len(lines))
	for i, l := range lines {
		out[i] = orderLineDoc{SKU: l.SKU, ProductID: l.ProductID, Title: l.Title, Quantity: l.Quantity,
			UnitPrice: moneyDoc(l.UnitPrice), LineTotal: moneyDoc(l.LineTotal), Adjustments: l.Adjustments}
	}
	return out
}

// orderLines returns the lines that docs hold.
func orderLines(docs []orderLineDoc) []commerce.OrderLine {
	if docs == nil {
		return nil
	}
	out := make([]commerce.OrderLine, len(docs))
	for i, d := range docs {
		out[i] = commerce.OrderLine{SKU: d.SKU, ProductID: d.ProductID, Title: d.Title, Quantity: d.Quantity,
			UnitPrice: commerce.Money(d.UnitPrice), LineTotal: commerce.Money(d.LineTotal), Adjustments: d.Adjustments}
	}
	return out
}

// taxLineDocs returns the documents of tax lines (nil for none).
func taxLineDocs(lines []commerce.TaxLine) []taxLineDoc {
	if len(lines) == 0 {
		return nil
	}
	out := make([]taxLineDoc, len(lines))
	for i, t := range lines {
		out[i] = taxLineDoc{SKU: t.SKU, Kind: t.Kind, Rate: t.Rate, Amount: moneyDoc(t.Amount)}
	}
	return out
}

// taxLines returns the tax lines that docs hold (nil for none).
func taxLines(docs []taxLineDoc) []commerce.TaxLine {
	if len(docs) == 0 {
		return nil
	}
	out := make([]commerce.TaxLine, len(docs))
	for i, d := range docs {
		out[i] = commerce.TaxLine{SKU: d.SKU, Kind: d.Kind, Rate: d.Rate, Amount: commerce.Money(d.Amount)}
	}
	return out
}

// discountTotalDoc returns the document of a discount total: none when no
// promotion applied (a zero Money, as checkouts had before promotions).
func discountTotalDoc(m commerce.Money) *moneyDoc {
	if m.Currency == "" {
		return nil
	}
	d := moneyDoc(m)
	return &d
}
