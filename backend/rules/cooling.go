package rules

import (
	"fmt"
	"math"
	"time"
)

// Unit is how a stage's cooling period is counted (warmline.CoolingUnit).
type Unit string

const (
	WorkingDays  Unit = "working_days"
	WorkingHours Unit = "hours"
)

// Cooling is a stage's cooling rule.
type Cooling struct {
	Open   bool // only open stages cool
	Period int  // 0: never cools
	Unit   Unit
	// SoonAbs, when > 0, shows a client as cooling soon this many units
	// before it cools (the older setting); else at SoonPercent % of the period.
	SoonAbs     int
	SoonPercent int
}

// Deadlines returns when a client last touched at base shows as cooling
// soon and when it has cooled; ok is false when the stage does not cool (or
// the calendar has no working time in reach). Mirrors wl_deadlines.
func (c *Calendar) Deadlines(base time.Time, r Cooling) (soon, cools time.Time, ok bool) {
	if !r.Open || r.Period <= 0 {
		return time.Time{}, time.Time{}, false
	}
	var ok1, ok2 bool
	switch {
	case r.Unit == WorkingHours && r.SoonAbs > 0:
		soon, ok1 = c.AddWorkingMinutes(base, (r.Period-r.SoonAbs)*60)
	case r.Unit == WorkingHours:
		soon, ok1 = c.AddWorkingMinutes(base, int(math.Round(float64(r.Period*60*r.SoonPercent)/100)))
	case r.SoonAbs > 0:
		soon, ok1 = c.AddWorkingDays(base, r.Period-r.SoonAbs)
	default:
		x := float64(r.Period*r.SoonPercent) / 100
		whole := math.Floor(x)
		var day time.Time
		if day, ok1 = c.AddWorkingDays(base, int(whole)); ok1 {
			soon, ok1 = c.AddWorkingMinutes(day, int(math.Round((x-whole)*c.DayMinutes())))
		}
	}
	if r.Unit == WorkingHours {
		cools, ok2 = c.AddWorkingMinutes(base, r.Period*60)
	} else {
		cools, ok2 = c.AddWorkingDays(base, r.Period)
	}
	return soon, cools, ok1 && ok2
}

// Elapsed is how much working time, in the rule's unit, has passed from
// base to now: whole working days, or working hours to one decimal.
func (c *Calendar) Elapsed(base, now time.Time, u Unit) float64 {
	if u == WorkingHours {
		return math.Round(c.WorkingMinutesBetween(base, now)/6) / 10
	}
	return float64(c.WorkingDaysBetween(base, now))
}

// unitWords names a unit in a reason.
func unitWords(u Unit) string {
	if u == WorkingHours {
		return "working hours"
	}
	return "working days"
}

// CooledReason is the reason recorded when a client cools:
// "cooled: 6 working days in Warm client, limit 5".
func CooledReason(elapsed float64, u Unit, stage string, period int) string {
	return fmt.Sprintf("cooled: %s %s in %s, limit %d", number(elapsed), unitWords(u), stage, period)
}

// SoonReason is the reason of a cooling-soon item:
// "cooling soon: 4 working days in Warm client, cools at 5".
func SoonReason(elapsed float64, u Unit, stage string, period int) string {
	return fmt.Sprintf("cooling soon: %s %s in %s, cools at %d", number(elapsed), unitWords(u), stage, period)
}

// number writes 6 as "6" and 6.5 as "6.5" (Postgres' float8 text the same way).
func number(x float64) string {
	return fmt.Sprintf("%g", x)
}
