package warmline

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to exactly one HTTP status at the edge (httpapi/error.go).
const (
	ECONFLICT     = "conflict"     // the change clashes with existing data (duplicate, non-empty stage)
	EINTERNAL     = "internal"     // a bug or an outage; details are logged, never sent
	EINVALID      = "invalid"      // the request is malformed or a field is wrong
	ENOTFOUND     = "not_found"    // nothing with that id is visible to the caller
	EUNAUTHORIZED = "unauthorized" // no valid session
	EFORBIDDEN    = "forbidden"    // the caller's role may not do this
	ETOOMANY      = "too_many"     // throttled (login attempts)
	ETOOLARGE     = "too_large"    // a body, file or page exceeds its bound
	EUNAVAILABLE  = "unavailable"  // a part of the service is not running (the phone gateway)
)

// Error is an error the user may see: a code, a human message and, when one
// input field is to blame, its name (JSON name, e.g. "stage_id").
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("warmline error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("warmline error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error that names the input field at fault.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic text so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the input field blamed by err, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
