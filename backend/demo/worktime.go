package demo

import "time"

// Demo calls and moves happen in office hours, Monday to Friday, in the
// time zone of the now given to Clients.
const (
	dayStartHour = 9
	dayEndHour   = 19
	workingDay   = (dayEndHour - dayStartHour) * time.Hour
)

// workingDays converts a number of working days to office time.
func workingDays(d float64) time.Duration { return time.Duration(d * float64(workingDay)) }

// backWorking returns the moment d of office time before now: one working
// day back from Tuesday 12:00 is Monday 12:00, from Monday 12:00 it is the
// Friday before. Cooling counts working days the same way, so a client
// last touched x working days ago has cooled after x reaches the stage's
// period.
func backWorking(now time.Time, d time.Duration) time.Time {
	t := lastWorkingMoment(now)
	for range 10_000 {
		start := at(t, dayStartHour)
		avail := t.Sub(start)
		if d <= avail {
			return t.Add(-d)
		}
		d -= avail
		t = lastWorkingMoment(start.Add(-time.Nanosecond))
	}
	return t
}

// lastWorkingMoment returns t when it is in office hours, and otherwise
// the end of the last office day before it.
func lastWorkingMoment(t time.Time) time.Time {
	for range 10 {
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			if end := at(t, dayEndHour); t.After(end) {
				return end
			} else if !t.Before(at(t, dayStartHour)) {
				return t
			}
		}
		t = at(t.AddDate(0, 0, -1), dayEndHour)
	}
	return t
}

// at returns t's day at hour o'clock.
func at(t time.Time, hour int) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, t.Location())
}
