package customer

import (
	"context"

	"shopfn/handler/commerce"
)

// AddressInput is an address as a customer writes it: the checkout's
// shipping address shape and whether it is the default.
type AddressInput struct {
	commerce.Address
	IsDefault bool
}

// Validate checks an address as the checkout checks a shipping address:
// 422 "invalid_address" naming the first bad field.
func (in AddressInput) Validate() error {
	return in.Address.Validate("")
}

// AddAddress adds an address to a customer's book and returns it: 409
// "too_many_addresses" past commerce.MaxAddresses. A default address
// makes the others not default.
func (s *Service) AddAddress(ctx context.Context, customerID string, in AddressInput) (*commerce.CustomerAddress, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	a := commerce.CustomerAddress{ID: commerce.NewAddressID(), Address: in.Address, IsDefault: in.IsDefault}
	_, err := s.change(ctx, customerID, func(c *commerce.Customer) error {
		if len(c.Addresses) >= commerce.MaxAddresses {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeTooManyAddresses, "a customer has at most %d addresses; delete one first", commerce.MaxAddresses)
		}
		c.Addresses = append(c.Addresses, a)
		setDefault(c, a.ID, a.IsDefault)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// ReplaceAddress replaces one of a customer's addresses: "not_found" when
// the customer has no address with that ID.
func (s *Service) ReplaceAddress(ctx context.Context, customerID, addressID string, in AddressInput) (*commerce.CustomerAddress, error) {
	if !commerce.IsID(addressID, 'a') {
		return nil, addressNotFound(addressID)
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	a := commerce.CustomerAddress{ID: addressID, Address: in.Address, IsDefault: in.IsDefault}
	_, err := s.change(ctx, customerID, func(c *commerce.Customer) error {
		i := findAddress(c, addressID)
		if i < 0 {
			return addressNotFound(addressID)
		}
		c.Addresses[i] = a
		setDefault(c, a.ID, a.IsDefault)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// DeleteAddress removes one of a customer's addresses: "not_found" when
// the customer has no address with that ID.
func (s *Service) DeleteAddress(ctx context.Context, customerID, addressID string) error {
	if !commerce.IsID(addressID, 'a') {
		return addressNotFound(addressID)
	}
	_, err := s.change(ctx, customerID, func(c *commerce.Customer) error {
		i := findAddress(c, addressID)
		if i < 0 {
			return addressNotFound(addressID)
		}
		c.Addresses = append(c.Addresses[:i], c.Addresses[i+1:]...)
		return nil
	})
	return err
}

// findAddress returns the index of c's address id, or -1.
func findAddress(c *commerce.Customer, id string) int {
	for i, a := range c.Addresses {
		if a.ID == id {
			return i
		}
	}
	return -1
}

// setDefault makes address id the only default when isDefault is set.
func setDefault(c *commerce.Customer, id string, isDefault bool) {
	if !isDefault {
		return
	}
	for i := range c.Addresses {
		c.Addresses[i].IsDefault = c.Addresses[i].ID == id
	}
}

func addressNotFound(id string) error {
	return commerce.NotFoundf("address %q not found", clip(id))
}
