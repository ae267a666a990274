package api

import (
	"net/http"

	"shopfn/handler/commerce"
)

// maxWebhookBytes bounds a Stripe event; Stripe's are a few KiB.
const maxWebhookBytes = 256 << 10

func (s *Server) stripeWebhook(w http.ResponseWriter, r *http.Request) error {
	if s.StripeWebhook == nil {
		return commerce.NotFoundf("Stripe is not the payment provider (SHOPFN_PAYMENTS=stripe)")
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	if len(body) > maxWebhookBytes {
		return errTooLarge
	}
	typ, p, err := s.StripeWebhook(body, r.Header.Get("Stripe-Signature"))
	if err != nil {
		return err
	}
	switch typ {
	case "payment_intent.succeeded":
		err = s.Checkout.PaymentSucceeded(r.Context(), p)
	case "payment_intent.payment_failed":
		err = s.Checkout.PaymentFailed(r.Context(), p)
	}
	if err != nil {
		return err // Stripe retries a failed delivery
	}
	writeBody(w, http.StatusOK, []byte(`{"received":true}`))
	return nil
}

// testAuthenticate completes the 3-D Secure step of a test payment, as a
// buyer would on their bank's page, and tells the checkout, as Stripe's
// webhook would. ?token= is the payment's one-time token from
// nextAction.url; ?outcome=fail fails the authentication. A browser may
// only send it from a page of shopfn's own origin (sameOrigin).
func (s *Server) testAuthenticate(w http.ResponseWriter, r *http.Request) error {
	if s.TestAuthenticate == nil {
		return commerce.NotFoundf("the test payment provider is not active")
	}
	if err := sameOrigin(r); err != nil {
		return err
	}
	q := r.URL.Query()
	p, err := s.TestAuthenticate(r.Context(), r.PathValue("paymentId"), q.Get("token"), q.Get("outcome") == "fail")
	if err != nil {
		return err
	}
	if p.Status == commerce.PaymentSucceeded {
		err = s.Checkout.PaymentSucceeded(r.Context(), p)
	} else {
		err = s.Checkout.PaymentFailed(r.Context(), p)
	}
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, map[string]string{"paymentId": p.ID, "status": string(p.Status)})
	return nil
}
