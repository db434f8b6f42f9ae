package httpapi

import "time"

// SetPhoneSessionCheck shortens how often a live softphone's session is
// checked, for tests; the returned function restores it.
func SetPhoneSessionCheck(d time.Duration) (restore func()) {
	old := phoneSessionCheck
	phoneSessionCheck = d
	return func() { phoneSessionCheck = old }
}
