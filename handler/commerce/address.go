package commerce

import (
	"strings"
	"unicode/utf8"
)

// MaxAddressFieldLen bounds each field of an address, in characters.
const MaxAddressFieldLen = 200

// Validate checks an address as a shipping address: name, line1, city and
// postal code present, every field at most MaxAddressFieldLen characters of
// one line, and an ISO 3166-1 alpha-2 country. It returns 422
// "invalid_address" naming the first bad field, after prefix (such as
// "shippingAddress.").
func (a Address) Validate(prefix string) error {
	for _, f := range []struct{ name, value string }{{"name", a.Name}, {"line1", a.Line1}, {"city", a.City}, {"postalCode", a.PostalCode}} {
		if strings.TrimSpace(f.value) == "" || !validAddressField(f.value) {
			return Rulef(CodeInvalidAddress, "%s%s is required (at most %d characters)", prefix, f.name, MaxAddressFieldLen)
		}
	}
	if !validAddressField(a.Line2) {
		return Rulef(CodeInvalidAddress, "%sline2 must be at most %d characters", prefix, MaxAddressFieldLen)
	}
	if len(a.Country) != 2 || a.Country[0] < 'A' || a.Country[0] > 'Z' || a.Country[1] < 'A' || a.Country[1] > 'Z' {
		return Rulef(CodeInvalidAddress, "%scountry must be an ISO 3166-1 alpha-2 code such as US", prefix)
	}
	if a.Region != "" && !ValidRegion(a.Region) {
		return Rulef(CodeInvalidAddress, "%sregion must be an ISO 3166-2 subdivision code such as CA (1-3 upper-case letters or digits)", prefix)
	}
	return nil
}

// ValidRegion reports whether s is the subdivision part of an ISO 3166-2
// code: 1 to 3 upper-case letters or digits (CA, 75, BY).
func ValidRegion(s string) bool {
	if len(s) == 0 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func validAddressField(s string) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= MaxAddressFieldLen && !strings.ContainsAny(s, "\x00\r\n")
}
