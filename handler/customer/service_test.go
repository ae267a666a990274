package customer_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/customer"
	"shopfn/handler/memstore"
)

func newService() *customer.Service {
	return customer.NewService(memstore.NewCustomerStore(), func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) })
}

var ada = commerce.Identity{Issuer: "https://issuer.example", Subject: "ada", Email: "ada@example.com", EmailVerified: true, Name: "Ada"}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := commerce.ErrorCode(err); err == nil || got != code {
		t.Errorf("%s: got %v, want code %s", what, err, code)
	}
}

func TestSignIn(t *testing.T) {
	ctx := context.Background()
	s := newService()
	c, err := s.SignIn(ctx, ada)
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != ada.Email || !c.EmailVerified || c.Name != "Ada" || c.Groups == nil || !commerce.IsID(c.ID, 'u') {
		t.Errorf("first sign-in: got %+v", c)
	}
	// A token with a new email updates it; one without an email keeps it.
	changed := ada
	changed.Email, changed.EmailVerified, changed.Name = "ada@new.example", false, "Someone else"
	if c2, err := s.SignIn(ctx, changed); err != nil || c2.ID != c.ID || c2.Email != "ada@new.example" || c2.EmailVerified || c2.Name != "Ada" {
		t.Errorf("sign-in with a new email: got %+v, %v; want the email followed and the name kept", c2, err)
	}
	none := ada
	none.Email = ""
	if c3, err := s.SignIn(ctx, none); err != nil || c3.Email != "ada@new.example" {
		t.Errorf("sign-in without an email: got %+v, %v; want the email kept", c3, err)
	}
	// Claims that are not usable are not stored.
	odd := commerce.Identity{Issuer: "https://issuer.example", Subject: "odd", Email: "no at sign", EmailVerified: true, Name: "a\u202eb"}
	if c4, err := s.SignIn(ctx, odd); err != nil || c4.Email != "" || c4.EmailVerified || c4.Name != "" {
		t.Errorf("sign-in with unusable claims: got %+v, %v; want no email, not verified, no name", c4, err)
	}
}

func TestSignInConcurrent(t *testing.T) {
	s := newService()
	ids := make([]string, 16)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.SignIn(context.Background(), ada)
			if err != nil {
				ids[i] = err.Error()
				return
			}
			ids[i] = c.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent first sign-ins: got %v, want one customer", ids)
		}
	}
}

func TestAddressLimitConcurrent(t *testing.T) {
	ctx := context.Background()
	s := newService()
	c, err := s.SignIn(ctx, ada)
	if err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 30)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := customer.AddressInput{Address: commerce.Address{Name: "Ada", Line1: fmt.Sprintf("%d Main St", i), City: "X", PostalCode: "1", Country: "US"}}
			_, errs[i] = s.AddAddress(ctx, c.ID, in)
		}()
	}
	wg.Wait()
	added := 0
	for _, err := range errs {
		switch code := commerce.ErrorCode(err); {
		case err == nil:
			added++
		case code != commerce.CodeTooManyAddresses && code != commerce.CodeConflict:
			t.Errorf("AddAddress: got %v, want success, too_many_addresses or conflict", err)
		}
	}
	got, err := s.Customer(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Addresses) != added || added > commerce.MaxAddresses {
		t.Errorf("got %d addresses after %d successful adds, want them equal and at most %d", len(got.Addresses), added, commerce.MaxAddresses)
	}
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	s := newService()
	c, err := s.SignIn(ctx, ada)
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	for _, tt := range []struct {
		name string
		p    customer.Profile
		code string
	}{
		{"Phone", customer.Profile{Phone: str("+44 (0)20 7946-0000")}, ""},
		{"NoPhone", customer.Profile{Phone: str("")}, ""},
		{"PhoneWithoutDigit", customer.Profile{Phone: str("+()")}, commerce.CodeInvalidRequest},
		{"PhoneLetters", customer.Profile{Phone: str("555-CALL")}, commerce.CodeInvalidRequest},
		{"PhoneTooLong", customer.Profile{Phone: str("123456789012345678901234567890123")}, commerce.CodeInvalidRequest},
		{"Name", customer.Profile{Name: str("Ada Lovelace")}, ""},
		{"NameBidi", customer.Profile{Name: str("Ada\u202e")}, commerce.CodeInvalidRequest},
	} {
		_, err := s.Update(ctx, c.ID, tt.p)
		if tt.code == "" && err != nil {
			t.Errorf("%s: got %v, want no error", tt.name, err)
		} else if tt.code != "" {
			wantCode(t, tt.name, err, tt.code)
		}
	}
	_, err = s.SetGroups(ctx, c.ID, []string{"VIP"})
	wantCode(t, "upper-case group", err, commerce.CodeInvalidRequest)
	_, err = s.AddAddress(ctx, c.ID, customer.AddressInput{Address: commerce.Address{Name: "Ada", Line1: "1", City: "X", PostalCode: "1", Country: "us"}})
	wantCode(t, "lower-case country", err, commerce.CodeInvalidAddress)
	_, err = s.Update(ctx, "u"+fmt.Sprint(123), customer.Profile{})
	wantCode(t, "malformed customer ID", err, commerce.CodeNotFound)
}

func TestErase(t *testing.T) {
	ctx := context.Background()
	s := newService()
	c, err := s.SignIn(ctx, ada)
	if err != nil {
		t.Fatal(err)
	}
	var erased []string
	s.Erasers = []customer.Eraser{func(ctx context.Context, c *commerce.Customer) error {
		erased = append(erased, c.ID)
		if len(erased) == 1 {
			return errors.New("orders store down")
		}
		return nil
	}}
	if err := s.Erase(ctx, c.ID); err == nil {
		t.Fatal("Erase with a failing eraser: got no error")
	}
	if _, err := s.Customer(ctx, c.ID); err != nil {
		t.Errorf("after a failed eraser the record must stay, for the erasure to run again: %v", err)
	}
	if err := s.Erase(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if len(erased) != 2 {
		t.Errorf("erasers ran %d times, want 2 (once per attempt)", len(erased))
	}
	again, err := s.SignIn(ctx, ada)
	if err != nil || again.ID == c.ID {
		t.Errorf("sign-in after erasure: got %+v, %v; want a new customer", again, err)
	}
}
