package warmline

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// CleanText trims s and checks it is non-empty when required and at most max
// characters; field names the JSON field for the error.
func CleanText(s, field string, required bool, max int) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", FieldErrorf(EINVALID, field, "%s is required.", fieldLabel(field))
	}
	if utf8.RuneCountInString(s) > max {
		return "", FieldErrorf(EINVALID, field, "%s must be at most %d characters.", fieldLabel(field), max)
	}
	return s, nil
}

// CleanEmail lower-cases and checks an e-mail address; "" is allowed unless required.
func CleanEmail(s, field string, required bool) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" && !required {
		return "", nil
	}
	if !ValidEmail(s) {
		return "", FieldErrorf(EINVALID, field, "%q is not a valid e-mail address.", s)
	}
	return s, nil
}

// ValidEmail reports whether s is a bare address like name@example.com.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// ValidTimeZone reports whether tz is an IANA time zone name.
func ValidTimeZone(tz string) bool {
	if tz == "" || tz == "Local" {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}

func fieldLabel(field string) string {
	if field == "" {
		return "The value"
	}
	return "The field " + field
}
