package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// TestCustomerStore runs the customer conformance suite. newStore must
// return a new, empty store each time it is called.
func TestCustomerStore(t *testing.T, newStore func(t *testing.T) commerce.CustomerStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	n := 0
	newCustomer := func(subject, email string) *commerce.Customer {
		n++
		at := t0.Add(time.Duration(n) * time.Millisecond)
		return &commerce.Customer{
			ID: commerce.NewCustomerID(at), Issuer: "https://issuer.example/tenant/v2.0", Subject: subject,
			Email: email, EmailVerified: true, Name: "Ada Lovelace", Groups: []string{},
			Addresses: []commerce.CustomerAddress{}, CreatedAt: at, UpdatedAt: at,
		}
	}
	subjectKey := func(c *commerce.Customer) string { return c.Identity().SubjectKey() }

	t.Run("CreateRead", func(t *testing.T) {
		s := newStore(t)
		c := newCustomer("sub-1", "ada@example.com")
		must(t, s.CreateCustomer(ctx, c))
		if c.ETag == "" {
			t.Fatal("CreateCustomer set no ETag")
		}
		got, err := s.Customer(ctx, c.ID)
		must(t, err)
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("Customer (-want +got):\n%s", diff)
		}
		got, err = s.CustomerBySubject(ctx, subjectKey(c))
		must(t, err)
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("CustomerBySubject (-want +got):\n%s", diff)
		}
	})

	t.Run("OneCustomerPerSubject", func(t *testing.T) {
		s := newStore(t)
		c := newCustomer("sub-1", "ada@example.com")
		must(t, s.CreateCustomer(ctx, c))
		d := newCustomer("sub-1", "other@example.com")
		wantCode(t, s.CreateCustomer(ctx, d), commerce.CodeConflict)
		_, err := s.Customer(ctx, d.ID)
		wantCode(t, err, commerce.CodeNotFound)
		got, err := s.CustomerBySubject(ctx, subjectKey(d))
		must(t, err)
		if got.ID != c.ID {
			t.Errorf("CustomerBySubject: got %s, want the first customer %s", got.ID, c.ID)
		}
		other := newCustomer("sub-1", "")
		other.Issuer = "https://another.example"
		must(t, s.CreateCustomer(ctx, other)) // another issuer, another customer
	})

	t.Run("ConcurrentCreateOneWins", func(t *testing.T) {
		s := newStore(t)
		cs := make([]*commerce.Customer, 8)
		for i := range cs {
			cs[i] = newCustomer("sub-race", "ada@example.com")
		}
		errs := make([]error, len(cs))
		var wg sync.WaitGroup
		for i := range cs {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = s.CreateCustomer(ctx, cs[i]) }()
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won >= 0:
				t.Fatalf("customers %d and %d were both created for one subject", won, i)
			case err == nil:
				won = i
			default:
				wantCode(t, err, commerce.CodeConflict)
			}
		}
		if won < 0 {
			t.Fatal("no create won")
		}
		got, err := s.CustomerBySubject(ctx, subjectKey(cs[0]))
		must(t, err)
		if got.ID != cs[won].ID {
			t.Errorf("CustomerBySubject: got %s, want the winner %s", got.ID, cs[won].ID)
		}
		list, err := s.ListCustomers(ctx, commerce.CustomerFilter{Limit: 100})
		must(t, err)
		if len(list) != 1 {
			t.Errorf("ListCustomers: got %d customers, want 1", len(list))
		}
	})

	t.Run("Replace", func(t *testing.T) {
		s := newStore(t)
		c := newCustomer("sub-1", "ada@example.com")
		must(t, s.CreateCustomer(ctx, c))
		first := c.ETag
		c.Name, c.Phone, c.Groups = "Ada King", "+44 20 7946 0000", []string{"vip", "wholesale"}
		c.Addresses = []commerce.CustomerAddress{{ID: commerce.NewAddressID(), IsDefault: true,
			Address: commerce.Address{Name: "Ada", Line1: "1 Main St", Line2: "Flat 2", City: "London", PostalCode: "N1 9GU", Country: "GB"}}}
		c.UpdatedAt = c.UpdatedAt.Add(time.Hour)
		must(t, s.ReplaceCustomer(ctx, c, first))
		if c.ETag == first {
			t.Errorf("ReplaceCustomer kept ETag %s", first)
		}
		got, err := s.Customer(ctx, c.ID)
		must(t, err)
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("after replace (-want +got):\n%s", diff)
		}
		wantCode(t, s.ReplaceCustomer(ctx, c, first), commerce.CodePreconditionFailed)
		wantCode(t, s.ReplaceCustomer(ctx, c, "garbage"), commerce.CodePreconditionFailed)

		// The identity and the creation time are the store's.
		changed := *got
		changed.Subject, changed.Issuer, changed.CreatedAt = "sub-2", "https://evil.example", t0.Add(-time.Hour)
		must(t, s.ReplaceCustomer(ctx, &changed, got.ETag))
		got, err = s.CustomerBySubject(ctx, subjectKey(c))
		must(t, err)
		if got.Subject != "sub-1" || !got.CreatedAt.Equal(c.CreatedAt) || got.Issuer != c.Issuer {
			t.Errorf("after a replace changing them: got subject %q issuer %q created %v, want them kept", got.Subject, got.Issuer, got.CreatedAt)
		}
	})

	t.Run("CartID", func(t *testing.T) {
		s := newStore(t)
		c := newCustomer("sub-1", "ada@example.com")
		must(t, s.CreateCustomer(ctx, c))
		first := c.ETag
		c.CartID = commerce.NewCartID()
		must(t, s.ReplaceCustomer(ctx, c, first))
		got, err := s.Customer(ctx, c.ID)
		must(t, err)
		if got.CartID != c.CartID {
			t.Errorf("CartID: got %q, want %q", got.CartID, c.CartID)
		}
		// The conditional write decides which cart is the customer's.
		stale := *got
		stale.CartID = commerce.NewCartID()
		wantCode(t, s.ReplaceCustomer(ctx, &stale, first), commerce.CodePreconditionFailed)
		got, err = s.CustomerBySubject(ctx, subjectKey(c))
		must(t, err)
		if got.CartID != c.CartID {
			t.Errorf("CartID after a stale write: got %q, want %q", got.CartID, c.CartID)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := newStore(t)
		c := newCustomer("sub-1", "")
		_, err := s.Customer(ctx, c.ID)
		wantCode(t, err, commerce.CodeNotFound)
		_, err = s.CustomerBySubject(ctx, subjectKey(c))
		wantCode(t, err, commerce.CodeNotFound)
		wantCode(t, s.ReplaceCustomer(ctx, c, `"1"`), commerce.CodeNotFound)
		wantCode(t, s.DeleteCustomer(ctx, c.ID), commerce.CodeNotFound)
	})

	t.Run("DeleteThenSignInAgain", func(t *testing.T) {
		s := newStore(t)
		c := newCustomer("sub-1", "ada@example.com")
		must(t, s.CreateCustomer(ctx, c))
		must(t, s.DeleteCustomer(ctx, c.ID))
		_, err := s.Customer(ctx, c.ID)
		wantCode(t, err, commerce.CodeNotFound)
		_, err = s.CustomerBySubject(ctx, subjectKey(c))
		wantCode(t, err, commerce.CodeNotFound)
		list, err := s.ListCustomers(ctx, commerce.CustomerFilter{Email: "ada@example.com", Limit: 10})
		must(t, err)
		if len(list) != 0 {
			t.Errorf("ListCustomers by email after delete: got %d, want 0", len(list))
		}
		d := newCustomer("sub-1", "ada@example.com")
		must(t, s.CreateCustomer(ctx, d))
		got, err := s.CustomerBySubject(ctx, subjectKey(d))
		must(t, err)
		if got.ID != d.ID {
			t.Errorf("CustomerBySubject: got %s, want the new customer %s", got.ID, d.ID)
		}
		wantCode(t, s.DeleteCustomer(ctx, c.ID), commerce.CodeNotFound)
	})

	t.Run("List", func(t *testing.T) {
		s := newStore(t)
		var ids []string
		for i, email := range []string{"Ada@Example.com", "bob@example.com", "ada@example.COM", "", "carol@example.com"} {
			c := newCustomer("list-"+string(rune('a'+i)), email)
			must(t, s.CreateCustomer(ctx, c))
			ids = append(ids, c.ID)
		}
		idsOf := func(cs []commerce.Customer) []string {
			out := []string{}
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		list := func(f commerce.CustomerFilter) []string {
			t.Helper()
			cs, err := s.ListCustomers(ctx, f)
			must(t, err)
			return idsOf(cs)
		}
		for _, tt := range []struct {
			name string
			f    commerce.CustomerFilter
			want []string
		}{
			{"FirstPage", commerce.CustomerFilter{Limit: 2}, ids[:2]},
			{"NextPage", commerce.CustomerFilter{Limit: 2, After: ids[1]}, ids[2:4]},
			{"LastPage", commerce.CustomerFilter{Limit: 10, After: ids[3]}, ids[4:]},
			{"ByEmailIgnoringCase", commerce.CustomerFilter{Limit: 10, Email: "ADA@example.com"}, []string{ids[0], ids[2]}},
			{"ByEmailAfter", commerce.CustomerFilter{Limit: 10, Email: "ada@example.com", After: ids[0]}, []string{ids[2]}},
			{"ByUnknownEmail", commerce.CustomerFilter{Limit: 10, Email: "nobody@example.com"}, []string{}},
		} {
			if diff := cmp.Diff(tt.want, list(tt.f)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, diff)
			}
		}

		// A changed email moves the customer between lookups.
		c, err := s.Customer(ctx, ids[1])
		must(t, err)
		c.Email = "ada@example.com"
		must(t, s.ReplaceCustomer(ctx, c, c.ETag))
		if diff := cmp.Diff([]string{ids[0], ids[1], ids[2]}, list(commerce.CustomerFilter{Limit: 10, Email: "ada@example.com"})); diff != "" {
			t.Errorf("by email after an email change (-want +got):\n%s", diff)
		}
		if got := list(commerce.CustomerFilter{Limit: 10, Email: "bob@example.com"}); len(got) != 0 {
			t.Errorf("by the old email: got %v, want none", got)
		}
		must(t, s.DeleteCustomer(ctx, ids[0]))
		if diff := cmp.Diff(ids[1:], list(commerce.CustomerFilter{Limit: 10})); diff != "" {
			t.Errorf("after a delete (-want +got):\n%s", diff)
		}
	})
}
