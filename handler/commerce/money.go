package commerce

import (
	"fmt"
	"strings"
)

// MaxAmount is the largest amount, in minor units, that a price or a total may
// hold. It keeps every sum shopfn computes far from integer overflow.
const MaxAmount = 1_000_000_000_00

// Money is an amount in the currency's minor units (cents for USD) and an
// ISO 4217 currency code. Amounts are integers: shopfn never uses floats for money.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Validate reports whether m is a well-formed price: a non-negative amount up
// to MaxAmount and a three-letter upper-case currency code.
func (m Money) Validate() error {
	if !ValidCurrency(m.Currency) {
		return Invalidf(CodeInvalidRequest, "currency %q is not an ISO 4217 code", m.Currency)
	}
	if m.Amount < 0 || m.Amount > MaxAmount {
		return Invalidf(CodeInvalidRequest, "amount must be between 0 and %d minor units", int64(MaxAmount))
	}
	return nil
}

// String formats m for logs, for example "1999 USD".
func (m Money) String() string { return fmt.Sprintf("%d %s", m.Amount, m.Currency) }

// ValidCurrency reports whether c is an active ISO 4217 currency code that
// prices can be in (not a fund, a precious metal or a testing code).
func ValidCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	i := strings.Index(currencies, c)
	return i >= 0 && i%4 == 0
}

// currencies lists the active ISO 4217 currency codes, each followed by a space.
const currencies = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL " +
	"BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP " +
	"ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR " +
	"IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL " +
	"LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR " +
	"NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD " +
	"SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX " +
	"USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG "
