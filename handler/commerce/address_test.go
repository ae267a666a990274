package commerce

import (
	"strings"
	"testing"
)

func TestAddressValidate(t *testing.T) {
	ok := Address{Name: "Ada Lovelace", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}
	for _, tt := range []struct {
		name   string
		change func(*Address)
		want   string // a part of the error, "" for none
	}{
		{"OK", func(*Address) {}, ""},
		{"NoName", func(a *Address) { a.Name = "  " }, "shippingAddress.name is required"},
		{"NoLine1", func(a *Address) { a.Line1 = "" }, "shippingAddress.line1 is required"},
		{"NoCity", func(a *Address) { a.City = "" }, "shippingAddress.city is required"},
		{"NoPostalCode", func(a *Address) { a.PostalCode = "" }, "shippingAddress.postalCode is required"},
		{"LongName", func(a *Address) { a.Name = strings.Repeat("é", MaxAddressFieldLen+1) }, "shippingAddress.name is required"},
		{"LongestName", func(a *Address) { a.Name = strings.Repeat("é", MaxAddressFieldLen) }, ""},
		{"NewlineInLine2", func(a *Address) { a.Line2 = "a\r\nBcc: x" }, "shippingAddress.line2 must be"},
		{"InvalidUTF8", func(a *Address) { a.City = "\xff" }, "shippingAddress.city is required"},
		{"LowerCountry", func(a *Address) { a.Country = "us" }, "shippingAddress.country must be"},
		{"LongCountry", func(a *Address) { a.Country = "USA" }, "shippingAddress.country must be"},
		{"Region", func(a *Address) { a.Region = "CA" }, ""},
		{"NumericRegion", func(a *Address) { a.Region = "75" }, ""},
		{"LowerRegion", func(a *Address) { a.Region = "ca" }, "shippingAddress.region must be"},
		{"FullCodeRegion", func(a *Address) { a.Region = "US-CA" }, "shippingAddress.region must be"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.change(&a)
			err := a.Validate("shippingAddress.")
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			case tt.want != "" && ErrorCode(err) != CodeInvalidAddress:
				t.Errorf("got code %q, want %q", ErrorCode(err), CodeInvalidAddress)
			}
		})
	}
}
