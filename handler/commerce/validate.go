package commerce

import (
	"net/url"
	"unicode"
	"unicode/utf8"
)

// Limits on catalog documents. They keep one product well under the 1 MiB
// request limit and keep every store's documents small.
const (
	MaxHandleLen      = 100
	MaxTitleLen       = 200
	MaxDescriptionLen = 5000
	MaxCategoryLen    = 50
	MaxAttributes     = 50
	MaxAttributeLen   = 500 // longest attribute key or string value
	MaxImages         = 20
	MaxImageURLLen    = 2048
	MaxVariants       = 100
	MaxVariantPrices  = 20
	MaxSKULen         = 64
	MaxOptions        = 10
	MaxOptionLen      = 100
)

// ValidSKU reports whether s is a well-formed SKU: 1 to 64 characters of
// letters, digits, '.', '_' and '-', starting with a letter or digit.
func ValidSKU(s string) bool {
	if len(s) == 0 || len(s) > MaxSKULen || !alnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// ValidSlug reports whether s is 1 to max characters of lower-case letters,
// digits and '-': the shape of handles and category IDs.
func ValidSlug(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// Validate checks everything a client sends about a product and returns a
// KindInvalid error naming the first problem. IDs and timestamps are the
// server's and are not checked.
func (p *Product) Validate() error {
	switch {
	case !ValidSlug(p.Handle, MaxHandleLen):
		return Invalidf(CodeInvalidRequest, "handle must be 1-%d characters of a-z, 0-9 and '-'", MaxHandleLen)
	case IsID(p.Handle, 'p'):
		return Invalidf(CodeInvalidRequest, "handle %q has the shape of a product ID; product URLs take either, so choose another", p.Handle)
	case !validText(p.Title, 1, MaxTitleLen) || !validLabel(p.Title):
		return Invalidf(CodeInvalidRequest, "title must be 1-%d characters, not blank, without control or bidirectional-formatting characters", MaxTitleLen)
	case !validText(p.Description, 0, MaxDescriptionLen) || !validProse(p.Description):
		return Invalidf(CodeInvalidRequest, "description must be at most %d characters, without control characters other than tab and newline", MaxDescriptionLen)
	case !ValidSlug(p.Category, MaxCategoryLen):
		return Invalidf(CodeInvalidRequest, "category must be 1-%d characters of a-z, 0-9 and '-'", MaxCategoryLen)
	case p.Status != StatusActive && p.Status != StatusDraft && p.Status != StatusArchived:
		return Invalidf(CodeInvalidRequest, "status must be active, draft or archived")
	case len(p.Images) > MaxImages:
		return Invalidf(CodeInvalidRequest, "at most %d images", MaxImages)
	case len(p.Variants) == 0 || len(p.Variants) > MaxVariants:
		return Invalidf(CodeInvalidRequest, "a product needs 1-%d variants", MaxVariants)
	}
	if err := validateAttributes(p.Attributes); err != nil {
		return err
	}
	for _, img := range p.Images {
		u, err := url.Parse(img)
		if err != nil || len(img) > MaxImageURLLen || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Invalidf(CodeInvalidRequest, "images must be http(s) URLs of at most %d characters", MaxImageURLLen)
		}
	}
	seen := make(map[string]bool, len(p.Variants))
	for _, v := range p.Variants {
		if !ValidSKU(v.SKU) {
			return Invalidf(CodeInvalidRequest, "sku %q must be 1-%d characters of letters, digits, '.', '_' and '-'", clip(v.SKU), MaxSKULen)
		}
		if seen[v.SKU] {
			return Invalidf(CodeInvalidRequest, "sku %q appears twice", v.SKU)
		}
		seen[v.SKU] = true
		if !validText(v.Title, 0, MaxOptionLen) || (v.Title != "" && !validLabel(v.Title)) {
			return Invalidf(CodeInvalidRequest, "variant title must be at most %d characters, not blank, without control or bidirectional-formatting characters", MaxOptionLen)
		}
		if len(v.Options) > MaxOptions {
			return Invalidf(CodeInvalidRequest, "a variant has at most %d options", MaxOptions)
		}
		for k, o := range v.Options {
			if !validText(k, 1, MaxOptionLen) || !validText(o, 0, MaxOptionLen) || !validLabel(k) || (o != "" && !validLabel(o)) {
				return Invalidf(CodeInvalidRequest, "variant options are names of 1-%[1]d characters with values of at most %[1]d", MaxOptionLen)
			}
		}
		if err := v.Price.Validate(); err != nil {
			return err
		}
		if v.Price.Amount < 1 {
			// A free product would make an order no payment can settle.
			return Invalidf(CodeInvalidRequest, "variant %s: a price is at least 1 minor unit; 0 is refused", v.SKU)
		}
		if v.Price.Currency != p.Variants[0].Price.Currency {
			return Invalidf(CodeInvalidRequest, "all variants of a product are priced in one currency; got %s and %s", p.Variants[0].Price.Currency, v.Price.Currency)
		}
		if err := validPrices(v); err != nil {
			return err
		}
	}
	return nil
}

// validLabel reports whether s, a title or a name, is not blank and holds
// no control characters and no bidirectional-formatting characters (which
// can make a label read differently from what it is).
func validLabel(s string) bool {
	blank := true
	for _, r := range s {
		if unicode.IsControl(r) || bidiControl(r) {
			return false
		}
		if !unicode.IsSpace(r) {
			blank = false
		}
	}
	return !blank
}

// validProse reports whether s, a description, holds no control characters
// but tab, newline and carriage return, and no bidirectional-formatting
// characters.
func validProse(s string) bool {
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') || bidiControl(r) {
			return false
		}
	}
	return true
}

// bidiControl reports whether r is a bidirectional-formatting character:
// the marks, embeddings, overrides and isolates of Unicode's bidi algorithm.
func bidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// validateAttributes accepts strings, numbers, booleans, and lists of those.
func validateAttributes(attrs map[string]any) error {
	if len(attrs) > MaxAttributes {
		return Invalidf(CodeInvalidRequest, "at most %d attributes", MaxAttributes)
	}
	for k, v := range attrs {
		if !validText(k, 1, MaxAttributeLen) || !validAttribute(v, true) {
			return Invalidf(CodeInvalidRequest, "attribute %q must be a string, number, boolean or a list of at most %d of those", clip(k), MaxAttributes)
		}
	}
	return nil
}

func validAttribute(v any, listOK bool) bool {
	switch v := v.(type) {
	case string:
		return validText(v, 0, MaxAttributeLen)
	case float64, bool:
		return true
	case []any:
		if !listOK || len(v) > MaxAttributes {
			return false
		}
		for _, e := range v {
			if !validAttribute(e, false) {
				return false
			}
		}
		return true
	}
	return false
}

// validText reports whether s is valid UTF-8 of min to max characters.
func validText(s string, min, max int) bool {
	if !utf8.ValidString(s) {
		return false
	}
	n := utf8.RuneCountInString(s)
	return n >= min && n <= max
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// validPrices checks a variant's prices in other currencies: well formed,
// at least 1 minor unit, at most one per currency and none in the
// currency of its price.
func validPrices(v Variant) error {
	if len(v.Prices) > MaxVariantPrices {
		return Invalidf(CodeInvalidRequest, "variant %s: at most %d prices", v.SKU, MaxVariantPrices)
	}
	seen := map[string]bool{v.Price.Currency: true}
	for _, m := range v.Prices {
		if err := m.Validate(); err != nil {
			return err
		}
		if m.Amount < 1 {
			return Invalidf(CodeInvalidRequest, "variant %s: a price is at least 1 minor unit; 0 is refused", v.SKU)
		}
		if seen[m.Currency] {
			return Invalidf(CodeInvalidRequest, "variant %s: at most one price per currency; %s appears twice", v.SKU, m.Currency)
		}
		seen[m.Currency] = true
	}
	return nil
}
