package api

import (
	"net/http"
	"strings"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
	"shopfn/handler/webhook"
)

// subscriptionView is a webhook subscription as staff read it: never its
// secret, which POST shows once.
type subscriptionView struct {
	ID          string        `json:"id"`
	URL         string        `json:"url"`
	Events      []events.Type `json:"events"`
	Description string        `json:"description"`
	CreatedAt   time.Time     `json:"createdAt"`
	// Enabled is false once the subscription was disabled, DisabledReason
	// saying why.
	Enabled        bool       `json:"enabled"`
	DisabledAt     *time.Time `json:"disabledAt,omitempty"`
	DisabledReason string     `json:"disabledReason,omitempty"`
	// FailingSince is when every delivery began failing.
	FailingSince *time.Time `json:"failingSince,omitempty"`
}

func newSubscriptionView(s webhook.Subscription) subscriptionView {
	v := subscriptionView{ID: s.ID, URL: s.URL, Events: s.Events, Description: s.Description, CreatedAt: s.CreatedAt,
		Enabled: s.DisabledAt.IsZero(), DisabledReason: s.DisabledReason}
	if !s.DisabledAt.IsZero() {
		v.DisabledAt = &s.DisabledAt
	}
	if !s.FailingSince.IsZero() {
		v.FailingSince = &s.FailingSince
	}
	return v
}

// createdSubscription is POST's answer: the view and the secret.
type createdSubscription struct {
	subscriptionView
	Secret string `json:"secret"`
}

// subscriptionInput is the body of POST /api/admin/subscriptions.
type subscriptionInput struct {
	URL         string        `json:"url"`
	Events      []events.Type `json:"events"`
	Description string        `json:"description"`
}

// deliveryView is one delivery and its last attempt.
type deliveryView struct {
	ID            string         `json:"id"`
	EventID       string         `json:"eventId"`
	EventType     events.Type    `json:"eventType"`
	Status        webhook.Status `json:"status"`
	Attempts      int            `json:"attempts"`
	StatusCode    int            `json:"statusCode,omitempty"`
	DurationMs    int64          `json:"durationMs"`
	Error         string         `json:"error,omitempty"`
	NextAttemptAt *time.Time     `json:"nextAttemptAt,omitempty"`
	CreatedAt     time.Time      `json:"createdAt"`
}

func newDeliveryView(d webhook.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts,
		StatusCode: d.LastStatus, DurationMs: d.LastDuration.Milliseconds(), Error: d.LastError, CreatedAt: d.CreatedAt}
	if d.Status == webhook.StatusPending {
		v.NextAttemptAt = &d.NextAttemptAt
	}
	return v
}

// webhooks returns the webhook service, or 503 when there is none.
func (s *Server) webhooks() (*webhook.Service, error) {
	if s.Webhooks == nil {
		return nil, commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "webhooks are not available")
	}
	return s.Webhooks, nil
}

// subscription returns the webhook service and the {id} of a route about
// one subscription.
func (s *Server) subscription(r *http.Request) (*webhook.Service, string, error) {
	wh, err := s.webhooks()
	if err != nil {
		return nil, "", err
	}
	id, err := subscriptionID(r, "id", "sub_", "subscription")
	return wh, id, err
}

// subscriptionID reads the {id} path value: "sub_" and 26 characters.
func subscriptionID(r *http.Request, name, prefix, what string) (string, error) {
	id := r.PathValue(name)
	if !strings.HasPrefix(id, prefix) || len(id) != len(prefix)+26 || strings.ContainsFunc(id, func(c rune) bool {
		return !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '_')
	}) {
		return "", commerce.NotFoundf("%s not found", what)
	}
	return id, nil
}

func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.webhooks()
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in subscriptionInput
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	if in.URL == "" {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "url is required")
	}
	c, err := wh.Create(r.Context(), in.URL, in.Events, in.Description)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusCreated, createdSubscription{newSubscriptionView(c.Subscription), c.PlainSecret})
	return nil
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.webhooks()
	if err != nil {
		return err
	}
	subs, err := wh.Store.Subscriptions(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Items []subscriptionView `json:"items"`
	}{Items: make([]subscriptionView, len(subs))}
	for i, sub := range subs {
		out.Items[i] = newSubscriptionView(sub)
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request) error {
	wh, id, err := s.subscription(r)
	if err != nil {
		return err
	}
	sub, err := wh.Store.Subscription(r.Context(), id)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newSubscriptionView(sub))
	return nil
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request) error {
	wh, id, err := s.subscription(r)
	if err != nil {
		return err
	}
	if err := wh.Store.DeleteSubscription(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) rotateSubscriptionSecret(w http.ResponseWriter, r *http.Request) error {
	wh, id, err := s.subscription(r)
	if err != nil {
		return err
	}
	secret, until, err := wh.Rotate(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, struct {
		Secret                  string    `json:"secret"`
		PreviousSecretExpiresAt time.Time `json:"previousSecretExpiresAt"`
	}{secret, until})
	return nil
}

func (s *Server) testSubscription(w http.ResponseWriter, r *http.Request) error {
	wh, id, err := s.subscription(r)
	if err != nil {
		return err
	}
	e, err := wh.Test(r.Context(), id)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusAccepted, struct {
		EventID string `json:"eventId"`
	}{e.ID})
	return nil
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	wh, id, err := s.subscription(r)
	if err != nil {
		return err
	}
	status := webhook.Status(r.URL.Query().Get("status"))
	switch status {
	case "", webhook.StatusPending, webhook.StatusSucceeded, webhook.StatusFailed:
	default:
		return commerce.Invalidf(commerce.CodeInvalidRequest, "status must be pending, succeeded or failed")
	}
	if _, err := wh.Store.Subscription(r.Context(), id); err != nil {
		return err
	}
	ds, err := wh.Store.Deliveries(r.Context(), id, status, 100)
	if err != nil {
		return err
	}
	out := struct {
		Items []deliveryView `json:"items"`
	}{Items: make([]deliveryView, len(ds))}
	for i, d := range ds {
		out.Items[i] = newDeliveryView(d)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

func (s *Server) redeliver(w http.ResponseWriter, r *http.Request) error {
	wh, id, err := s.subscription(r)
	if err != nil {
		return err
	}
	did, err := subscriptionID(r, "deliveryId", "dlv_", "delivery")
	if err != nil {
		return err
	}
	d, err := wh.Redeliver(r.Context(), id, did)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusAccepted, newDeliveryView(d))
	return nil
}
