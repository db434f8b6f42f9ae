// Package rules holds the rules engine's pure decisions: the working
// calendar's arithmetic, cooling deadlines, the zombie limit and the reasons
// written for every automatic action. The engine itself runs set-based in
// SQL (backend/postgres/rules_engine.go); the SQL functions of migration 0006
// mirror this package, and tests run both on the same cases.
package rules

import (
	"fmt"
	"time"
)

// Span is a working interval of a day, in minutes from local midnight.
type Span struct {
	Opens, Closes int
}

// Calendar is an organisation's working time: one span per weekday (none:
// a day off) and holidays, in a time zone.
type Calendar struct {
	Loc *time.Location
	// Week is indexed by time.Weekday (Sunday = 0); nil is a day off.
	Week     [7]*Span
	Holidays map[Date]bool
}

// Date is a local calendar date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns t's local date in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: %w", s, err)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date {
	t := time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Before(time.Date(e.Year, e.Month, e.Day, 0, 0, 0, 0, time.UTC))
}

// wallClock is what Postgres does for (date + time) AT TIME ZONE tz: the
// wall-clock time on that date, even across a DST change.
func (c *Calendar) wallClock(d Date, tod time.Duration) time.Time {
	h := int(tod / time.Hour)
	m := int(tod % time.Hour / time.Minute)
	ns := int(tod % time.Minute)
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, ns, c.Loc)
}

// Default is Monday to Friday, 09:00 to 18:00, no holidays.
func Default(loc *time.Location) *Calendar {
	c := &Calendar{Loc: loc, Holidays: map[Date]bool{}}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		c.Week[wd] = &Span{Opens: 9 * 60, Closes: 18 * 60}
	}
	return c
}

// Working reports whether d is a working day.
func (c *Calendar) Working(d Date) bool {
	wd := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
	return c.Week[wd] != nil && !c.Holidays[d]
}

// span returns d's working interval, ok false on a day off.
func (c *Calendar) span(d Date) (opens, closes time.Time, ok bool) {
	if !c.Working(d) {
		return time.Time{}, time.Time{}, false
	}
	s := c.Week[time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()]
	return c.wallClock(d, time.Duration(s.Opens)*time.Minute), c.wallClock(d, time.Duration(s.Closes)*time.Minute), true
}

// timeOfDay is t's local wall-clock time since midnight.
func (c *Calendar) timeOfDay(t time.Time) time.Duration {
	l := t.In(c.Loc)
	return time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute +
		time.Duration(l.Second())*time.Second + time.Duration(l.Nanosecond())
}

// AddWorkingDays returns the moment n working days after start: the n-th
// working day after start's local date, at start's local time of day. ok is
// false when the calendar has no working day within reach.
func (c *Calendar) AddWorkingDays(start time.Time, n int) (time.Time, bool) {
	if n <= 0 {
		return start, true
	}
	d0 := DateOf(start, c.Loc)
	for i := 1; i <= n*7+366; i++ {
		d := d0.AddDays(i)
		if c.Working(d) {
			if n--; n == 0 {
				return c.wallClock(d, c.timeOfDay(start)), true
			}
		}
	}
	return time.Time{}, false
}

// AddWorkingMinutes returns the moment m minutes of working time after
// start; time outside working hours, days off and holidays does not count.
func (c *Calendar) AddWorkingMinutes(start time.Time, m int) (time.Time, bool) {
	if m <= 0 {
		return start, true
	}
	left := time.Duration(m) * time.Minute
	d0 := DateOf(start, c.Loc)
	for i := 0; i <= m/60*7+366; i++ {
		opens, closes, ok := c.span(d0.AddDays(i))
		if !ok {
			continue
		}
		from := opens
		if start.After(from) {
			from = start
		}
		avail := closes.Sub(from)
		if avail <= 0 {
			continue
		}
		if avail >= left {
			return from.Add(left), true
		}
		left -= avail
	}
	return time.Time{}, false
}

// WorkingDaysBetween returns the whole working days from a to b: the
// largest n with AddWorkingDays(a, n) <= b.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	if !b.After(a) {
		return 0
	}
	da, db := DateOf(a, c.Loc), DateOf(b, c.Loc)
	n := 0
	for d := da.AddDays(1); !db.Before(d); d = d.AddDays(1) {
		if c.Working(d) && (d != db || c.timeOfDay(a) <= c.timeOfDay(b)) {
			n++
		}
	}
	return n
}

// WorkingMinutesBetween returns the working time from a to b in minutes.
func (c *Calendar) WorkingMinutesBetween(a, b time.Time) float64 {
	if !b.After(a) {
		return 0
	}
	var sum time.Duration
	db := DateOf(b, c.Loc)
	for d := DateOf(a, c.Loc); !db.Before(d); d = d.AddDays(1) {
		opens, closes, ok := c.span(d)
		if !ok {
			continue
		}
		if opens.Before(a) {
			opens = a
		}
		if closes.After(b) {
			closes = b
		}
		if closes.After(opens) {
			sum += closes.Sub(opens)
		}
	}
	return sum.Minutes()
}

// DayMinutes is the average working day's length in minutes: a fraction of
// a working day is that fraction of it.
func (c *Calendar) DayMinutes() float64 {
	var sum, n float64
	for _, s := range c.Week {
		if s != nil {
			sum += float64(s.Closes - s.Opens)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / n
}
