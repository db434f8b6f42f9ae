package notify

import (
	"math/rand/v2"
	"time"
)

// retrySchedule is the wait after the n-th failed attempt: quick at first
// (a receiver restarting), then spread over about a day in total.
var retrySchedule = []time.Duration{
	10 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 8 * time.Hour,
}

// MaxAttempts is how many times a delivery is tried before it is given up
// as failed (about 23 hours after the first try); a user can still resend it.
var MaxAttempts = len(retrySchedule) + 1

// Backoff returns how long to wait after attempt (1-based) failed, with
// ±20 % jitter so that deliveries failing together do not retry together.
// ok is false when no attempt is left.
func Backoff(attempt int) (d time.Duration, ok bool) {
	if attempt < 1 || attempt > len(retrySchedule) {
		return 0, false
	}
	base := retrySchedule[attempt-1]
	jitter := time.Duration((rand.Float64()*0.4 - 0.2) * float64(base))
	return base + jitter, true
}
