package customer

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"shopfn/handler/commerce"
)

// Profile is a change to what a customer may change about themselves: a
// nil field stays as it is.
type Profile struct {
	Name  *string
	Phone *string
}

// Validate checks a profile change: 400 "invalid_request" naming the
// first bad field.
func (p Profile) Validate() error {
	if p.Name != nil && !validName(*p.Name) {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "name must be at most %d characters, without control or bidirectional-formatting characters", commerce.MaxNameLen)
	}
	if p.Phone != nil && !validPhone(*p.Phone) {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "phone must be empty or at most %d characters of digits, spaces and + - ( ) ., with a digit", commerce.MaxPhoneLen)
	}
	return nil
}

// Update changes a customer's name and phone.
func (s *Service) Update(ctx context.Context, id string, p Profile) (*commerce.Customer, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return s.change(ctx, id, func(c *commerce.Customer) error {
		if p.Name != nil {
			c.Name = *p.Name
		}
		if p.Phone != nil {
			c.Phone = *p.Phone
		}
		return nil
	})
}

// SetGroups replaces a customer's groups (staff only): at most
// commerce.MaxGroups lower-case ids of a-z, 0-9 and '-', kept sorted and
// without repeats.
func (s *Service) SetGroups(ctx context.Context, id string, groups []string) (*commerce.Customer, error) {
	if len(groups) > commerce.MaxGroups {
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "a customer is in at most %d groups", commerce.MaxGroups)
	}
	for _, g := range groups {
		if !commerce.ValidSlug(g, commerce.MaxGroupLen) {
			return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "groups are 1-%d characters of a-z, 0-9 and '-'; %q is not", commerce.MaxGroupLen, clip(g))
		}
	}
	sorted := slices.Compact(slices.Sorted(slices.Values(groups)))
	if sorted == nil {
		sorted = []string{}
	}
	return s.change(ctx, id, func(c *commerce.Customer) error {
		c.Groups = sorted
		return nil
	})
}

// tokenEmail is the email a token's claim gives a customer: the claim when
// it is at most commerce.MaxEmailLen visible ASCII characters with an '@',
// and otherwise none.
func tokenEmail(s string) string {
	if len(s) > commerce.MaxEmailLen || !strings.Contains(s, "@") {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return ""
		}
	}
	return s
}

// tokenName is the name a token's claim gives a new customer: the claim
// when it is a valid name, and otherwise none.
func tokenName(s string) string {
	if !validName(s) {
		return ""
	}
	return s
}

// validName reports whether s is a name: at most commerce.MaxNameLen
// characters of valid UTF-8, without control or bidirectional-formatting
// characters. Empty is a valid name (none).
func validName(s string) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > commerce.MaxNameLen {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || bidiControl(r) {
			return false
		}
	}
	return true
}

// validPhone reports whether s is empty or a phone number as people write
// them: digits, spaces and + - ( ) ., with at least one digit.
func validPhone(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > commerce.MaxPhoneLen {
		return false
	}
	digit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case strings.IndexByte(" +-().", c) >= 0:
		default:
			return false
		}
	}
	return digit
}

// bidiControl reports whether r is a bidirectional-formatting character.
func bidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
