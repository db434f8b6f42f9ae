// Package phone parses and formats phone numbers with libphonenumber's Go
// port, so that "8 (901) 234-56-78", "+7 901 234 5678" and "79012345678"
// are one number.
package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Normalize returns raw in E.164 ("+79012345678"), reading national numbers
// as numbers of country (ISO 3166 alpha-2, e.g. "RU"). It fails on text that
// is not a possible phone number.
func Normalize(raw, country string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 40 {
		return "", false
	}
	// "00" international prefix and a bare country code without "+" are common in CSVs.
	digits := Digits(raw)
	if len(digits) < 5 {
		return "", false
	}
	num, err := phonenumbers.Parse(raw, country)
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		// A number written as "79012345678" (country code without +).
		if !strings.HasPrefix(raw, "+") {
			if n2, err2 := phonenumbers.Parse("+"+digits, country); err2 == nil && phonenumbers.IsValidNumber(n2) {
				return phonenumbers.Format(n2, phonenumbers.E164), true
			}
		}
		return "", false
	}
	if !phonenumbers.IsValidNumber(num) && !strings.HasPrefix(raw, "+") {
		if n2, err2 := phonenumbers.Parse("+"+digits, country); err2 == nil && phonenumbers.IsValidNumber(n2) {
			num = n2
		}
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

// Format returns an E.164 number written for people: national format for
// numbers of country, international otherwise.
func Format(e164, country string) string {
	num, err := phonenumbers.Parse(e164, country)
	if err != nil {
		return e164
	}
	if phonenumbers.GetRegionCodeForNumber(num) == country {
		return phonenumbers.Format(num, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// SearchDigits returns the digit strings under which an E.164 number can be
// found by a partial search: the international digits and the national
// significant number (what people type after a trunk prefix such as 8 or 0).
func SearchDigits(e164 string) []string {
	out := []string{strings.TrimPrefix(e164, "+")}
	if num, err := phonenumbers.Parse(e164, ""); err == nil {
		if nsn := phonenumbers.GetNationalSignificantNumber(num); nsn != "" && nsn != out[0] {
			out = append(out, nsn)
		}
	}
	return out
}

// Digits keeps only the ASCII digits of s.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidCountry reports whether cc is a region libphonenumber knows ("RU", "GB").
func ValidCountry(cc string) bool {
	_, ok := phonenumbers.GetSupportedRegions()[cc]
	return ok
}
