package api

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
)

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "orderId", 'o', "order")
	if err != nil {
		return err
	}
	o, err := s.Orders.Order(r.Context(), id)
	if err != nil {
		return orderNotFound(err, id)
	}
	w.Header().Set("Cache-Control", "no-store")
	if o.CustomerID != "" {
		// A customer's order is its owner's alone: 404 to anyone else,
		// whatever order token they hold.
		if mine, err := s.ownsOrder(w, r, o); err != nil {
			return err
		} else if !mine {
			return commerce.NotFoundf("order %q not found", id)
		}
		s.writeJSON(w, r, http.StatusOK, o)
		return nil
	}
	if !seesBuyer(r, o) {
		s.writeJSON(w, r, http.StatusOK, redacted(o))
		return nil
	}
	s.writeJSON(w, r, http.StatusOK, o)
	return nil
}

// OrderTokenHeader carries an order's access token (checkout.OrderToken).
const OrderTokenHeader = "X-Order-Token"

// seesBuyer reports whether r may see the buyer's details of order o (email,
// name, address): it carries o's access token. A wrong token counts as none,
// so it learns nothing a request without one does not. (An order with a
// customer is shown only to its owner, by getOrder, and never reaches
// here.)
func seesBuyer(r *http.Request, o *commerce.Order) bool {
	return checkout.TokenMatches(r.Header.Get(OrderTokenHeader), o.TokenHash)
}

// orderView is an order as anyone holding its ID sees it: where it stands,
// its lines and totals, and nothing of the buyer or the checkout.
type orderView struct {
	ID          string               `json:"id"`
	Status      commerce.OrderStatus `json:"status"`
	Items       []commerce.OrderLine `json:"items"`
	Subtotal    commerce.Money       `json:"subtotal"`
	Shipping    commerce.Money       `json:"shipping"`
	Tax         commerce.Money       `json:"tax"`
	Total       commerce.Money       `json:"total"`
	CreatedAt   time.Time            `json:"createdAt"`
	CancelledAt *time.Time           `json:"cancelledAt,omitempty"`
	FulfilledAt *time.Time           `json:"fulfilledAt,omitempty"`
	Refunds     []commerce.Refund    `json:"refunds,omitempty"`
}

// redacted returns the view of o without the buyer's details.
func redacted(o *commerce.Order) orderView {
	return orderView{
		ID: o.ID, Status: o.Status, Items: o.Items, Subtotal: o.Subtotal, Shipping: o.Shipping, Tax: o.Tax, Total: o.Total,
		CreatedAt: o.CreatedAt, CancelledAt: o.CancelledAt, FulfilledAt: o.FulfilledAt, Refunds: o.Refunds,
	}
}

// parseOrderQuery validates the query of GET /api/admin/orders.
func parseOrderQuery(v url.Values) (commerce.OrderFilter, error) {
	f := commerce.OrderFilter{Status: commerce.OrderStatus(v.Get("status")), Limit: defaultPageSize}
	switch f.Status {
	case "", commerce.OrderProcessing, commerce.OrderPlaced, commerce.OrderPartiallyFulfilled, commerce.OrderFulfilled, commerce.OrderCancelling, commerce.OrderCancelled:
	default:
		return f, commerce.Invalidf(commerce.CodeInvalidRequest, "status must be processing, placed, partially_fulfilled, fulfilled, cancelling or cancelled")
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			return f, commerce.Invalidf(commerce.CodeInvalidRequest, "limit must be an integer from 1 to %d", maxPageSize)
		}
		f.Limit = n
	}
	if c := v.Get("cursor"); c != "" {
		id, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || !commerce.IsID(string(id), 'o') {
			return f, commerce.Invalidf(commerce.CodeInvalidRequest, "cursor is not one this API returned")
		}
		f.After = string(id)
	}
	return f, nil
}

type orderPage struct {
	Items      []commerce.Order `json:"items"`
	NextCursor *string          `json:"nextCursor"`
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) error {
	f, err := parseOrderQuery(r.URL.Query())
	if err != nil {
		return err
	}
	limit := f.Limit
	f.Limit++
	orders, err := s.Orders.Orders(r.Context(), f)
	if err != nil {
		return err
	}
	page := orderPage{Items: orders}
	if len(orders) > limit {
		page.Items = orders[:limit]
		next := base64.RawURLEncoding.EncodeToString([]byte(orders[limit-1].ID))
		page.NextCursor = &next
	}
	if page.Items == nil {
		page.Items = []commerce.Order{}
	}
	s.writeJSON(w, r, http.StatusOK, page)
	return nil
}

func (s *Server) cancelOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "orderId", 'o', "order")
	if err != nil {
		return err
	}
	o, err := s.Checkout.Cancel(r.Context(), s.Orders, id)
	if err != nil {
		return orderNotFound(err, id)
	}
	s.writeJSON(w, r, http.StatusOK, o)
	return nil
}

func (s *Server) fulfilOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "orderId", 'o', "order")
	if err != nil {
		return err
	}
	if _, err := s.Orders.Order(r.Context(), id); err != nil {
		return err
	}
	changed, err := s.Orders.FulfilOrder(r.Context(), id, s.cfg.Now().UTC())
	if err != nil {
		return err
	}
	o, err := s.Orders.Order(r.Context(), id)
	if err != nil {
		return err
	}
	if changed {
		checkout.Event(r.Context(), s.log, checkout.EventFulfilled, o.Total, slog.Int("lines", len(o.Items)))
	}
	s.writeJSON(w, r, http.StatusOK, o)
	return nil
}

func (s *Server) redrive(w http.ResponseWriter, r *http.Request) error {
	queue, id := r.PathValue("queue"), r.PathValue("messageId")
	if queue != commerce.QueueOrders && queue != commerce.QueueInventory {
		return commerce.NotFoundf("no queue %q", queue)
	}
	if seq, ok := outboxSeq(id); ok && s.Unpark != nil {
		// A parked outbox message goes back to the relay, which
		// publishes it under its own ID: the queue never took it.
		e, ok, err := s.Unpark(r.Context(), queue, seq)
		if err != nil {
			return err
		}
		if ok {
			s.writeJSON(w, r, http.StatusOK, map[string]string{"queue": queue, "messageId": id, "redrivenAs": e.Message.ID})
			return nil
		}
	}
	if s.Redrive == nil {
		return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "this queue cannot re-drive dead letters")
	}
	m, err := s.Redrive(r.Context(), queue, id)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, map[string]string{"queue": queue, "messageId": id, "redrivenAs": m.ID})
	return nil
}

func (s *Server) listDeadLetters(w http.ResponseWriter, r *http.Request) error {
	queues := []string{commerce.QueueOrders, commerce.QueueInventory}
	if q := r.URL.Query().Get("queue"); q != "" {
		if q != commerce.QueueOrders && q != commerce.QueueInventory {
			return commerce.Invalidf(commerce.CodeInvalidRequest, "queue must be orders or inventory")
		}
		queues = []string{q}
	}
	items := []deadLetter{}
	for _, q := range queues {
		dls, err := s.DeadLetters(r.Context(), q, maxPageSize)
		if err != nil {
			return err
		}
		for _, dl := range dls {
			items = append(items, deadLetter{DeadLetter: dl, Source: "queue", Body: readable(dl.Body)})
		}
		if s.Parked == nil {
			continue
		}
		parked, err := s.Parked(r.Context(), q, maxPageSize)
		if err != nil {
			return err
		}
		for _, p := range parked {
			dl := commerce.DeadLetter{Queue: p.Queue, ID: outboxPrefix + strconv.FormatInt(p.Seq, 10), Type: p.Message.Type, Body: p.Message.Body,
				Attributes: p.Message.Attributes, Reason: p.Reason, EnqueuedAt: p.CreatedAt, DeadLetteredAt: p.ParkedAt}
			items = append(items, deadLetter{DeadLetter: dl, Source: "outbox", OutboxMessageID: p.Message.ID, Body: readable(dl.Body)})
		}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"items": items})
	return nil
}

// deadLetter is a dead letter as staff read it: a JSON body as JSON,
// anything else as a string, and where it comes from: "queue", a message
// the queue gave up delivering, or "outbox", a message the queue refused
// for good, parked in the outbox under the ID "outbox-{seq}".
type deadLetter struct {
	commerce.DeadLetter
	Source string `json:"source"`
	// OutboxMessageID is a parked message's own ID, which it is published
	// under once re-driven.
	OutboxMessageID string `json:"outboxMessageId,omitempty"`
	Body            any    `json:"body"`
}

// outboxPrefix begins the dead-letter ID of a parked outbox message.
const outboxPrefix = "outbox-"

// outboxSeq returns the outbox sequence number a dead-letter ID names,
// "outbox-{seq}", and whether it names one.
func outboxSeq(id string) (int64, bool) {
	digits, ok := strings.CutPrefix(id, outboxPrefix)
	if !ok {
		return 0, false
	}
	seq, err := strconv.ParseInt(digits, 10, 64)
	return seq, err == nil && seq > 0 && strconv.FormatInt(seq, 10) == digits
}

func readable(body []byte) any {
	if json.Valid(body) {
		return json.RawMessage(body)
	}
	return string(body)
}

// orderNotFound names the order in a not_found error: an order is looked up
// through its checkout, whose store would otherwise name the checkout.
func orderNotFound(err error, id string) error {
	if commerce.ErrorCode(err) == commerce.CodeNotFound {
		return commerce.NotFoundf("order %q not found", id)
	}
	return err
}
