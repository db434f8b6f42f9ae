package rules

import (
	"testing"
	"time"
)

var moscow, newYork = mustLoc("Europe/Moscow"), mustLoc("America/New_York")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// at is a local time in loc: at(moscow, "2026-11-23 10:00").
func at(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func withHoliday(c *Calendar, days ...string) *Calendar {
	for _, s := range days {
		d, err := ParseDate(s)
		if err != nil {
			panic(err)
		}
		c.Holidays[d] = true
	}
	return c
}

// 2026-11-23 is a Monday.
func TestAddWorkingDays(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cal   *Calendar
		start time.Time
		n     int
		want  time.Time
	}{
		{"five working days from a Monday end the next Monday", Default(moscow), at(moscow, "2026-11-23 10:00"), 5, at(moscow, "2026-11-30 10:00")},
		{"a weekend does not count", Default(moscow), at(moscow, "2026-11-26 15:00"), 5, at(moscow, "2026-12-03 15:00")},
		{"a holiday does not count", withHoliday(Default(moscow), "2026-12-01"), at(moscow, "2026-11-26 15:00"), 5, at(moscow, "2026-12-04 15:00")},
		{"from a Saturday the first working day is Monday", Default(moscow), at(moscow, "2026-11-28 11:00"), 1, at(moscow, "2026-11-30 11:00")},
		{"the organisation's time zone decides the date (Moscow: already Saturday)", Default(moscow), time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC), 1, at(moscow, "2026-11-30 02:30")},
		{"the organisation's time zone decides the date (New York: still Friday)", Default(newYork), time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC), 1, at(newYork, "2026-11-30 18:30")},
		{"zero days is the start itself", Default(moscow), at(moscow, "2026-11-28 11:00"), 0, at(moscow, "2026-11-28 11:00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.cal.AddWorkingDays(tc.start, tc.n)
			if !ok || !got.Equal(tc.want) {
				t.Errorf("AddWorkingDays(%v, %d) = %v %v, want %v", tc.start, tc.n, got, ok, tc.want)
			}
		})
	}
	if _, ok := (&Calendar{Loc: moscow}).AddWorkingDays(at(moscow, "2026-11-23 10:00"), 1); ok {
		t.Error("a calendar without working days gave a deadline")
	}
}

func TestAddWorkingMinutes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cal   *Calendar
		start time.Time
		min   int
		want  time.Time
	}{
		{"within the day", Default(moscow), at(moscow, "2026-11-23 10:00"), 120, at(moscow, "2026-11-23 12:00")},
		{"evenings and the weekend do not count", Default(moscow), at(moscow, "2026-11-27 16:00"), 8 * 60, at(moscow, "2026-11-30 15:00")},
		{"a start before opening counts from opening", Default(moscow), at(moscow, "2026-11-23 07:00"), 60, at(moscow, "2026-11-23 10:00")},
		{"a start on Saturday counts from Monday's opening", Default(moscow), at(moscow, "2026-11-28 10:00"), 60, at(moscow, "2026-11-30 10:00")},
		{"a holiday does not count", withHoliday(Default(moscow), "2026-11-30"), at(moscow, "2026-11-27 17:00"), 120, at(moscow, "2026-12-01 10:00")},
		{"filling the day exactly ends at closing", Default(moscow), at(moscow, "2026-11-23 09:00"), 9 * 60, at(moscow, "2026-11-23 18:00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.cal.AddWorkingMinutes(tc.start, tc.min)
			if !ok || !got.Equal(tc.want) {
				t.Errorf("AddWorkingMinutes(%v, %d) = %v %v, want %v", tc.start, tc.min, got, ok, tc.want)
			}
		})
	}
}

func TestWorkingTimeBetween(t *testing.T) {
	cal := withHoliday(Default(moscow), "2026-12-01")
	for _, tc := range []struct {
		name    string
		a, b    time.Time
		days    int
		minutes float64
	}{
		{"a working week", at(moscow, "2026-11-23 10:00"), at(moscow, "2026-11-30 10:00"), 5, 5 * 540},
		{"one minute short of the fifth day", at(moscow, "2026-11-23 10:00"), at(moscow, "2026-11-30 09:59"), 4, 5*540 - 1},
		{"the holiday is skipped", at(moscow, "2026-11-23 10:00"), at(moscow, "2026-12-02 11:00"), 6, 6*540 + 60},
		{"a weekend alone is nothing", at(moscow, "2026-11-28 10:00"), at(moscow, "2026-11-29 20:00"), 0, 0},
		{"backwards is nothing", at(moscow, "2026-11-30 10:00"), at(moscow, "2026-11-23 10:00"), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cal.WorkingDaysBetween(tc.a, tc.b); got != tc.days {
				t.Errorf("WorkingDaysBetween = %d, want %d", got, tc.days)
			}
			if got := cal.WorkingMinutesBetween(tc.a, tc.b); got != tc.minutes {
				t.Errorf("WorkingMinutesBetween = %v, want %v", got, tc.minutes)
			}
		})
	}
}

// The seed's case 1: "Warm client" cools after 5 working days without a
// contact, shows as cooling soon at 80 % (4 working days), and a weekend
// does not count.
func TestDeadlines(t *testing.T) {
	warm := Cooling{Open: true, Period: 5, Unit: WorkingDays, SoonPercent: 80}
	for _, tc := range []struct {
		name       string
		cal        *Calendar
		base       time.Time
		rule       Cooling
		soon, cool time.Time
		ok         bool
	}{
		{"warm client touched on Monday: soon on Friday, cooled the next Monday", Default(moscow), at(moscow, "2026-11-23 10:00"), warm,
			at(moscow, "2026-11-27 10:00"), at(moscow, "2026-11-30 10:00"), true},
		{"touched on Thursday: the weekend does not count", Default(moscow), at(moscow, "2026-11-26 15:00"), warm,
			at(moscow, "2026-12-02 15:00"), at(moscow, "2026-12-03 15:00"), true},
		{"a fraction of a day counts in working hours (80 % of 1 day = 7 h 12 min)", Default(moscow), at(moscow, "2026-11-23 10:00"),
			Cooling{Open: true, Period: 1, Unit: WorkingDays, SoonPercent: 80}, at(moscow, "2026-11-23 17:12"), at(moscow, "2026-11-24 10:00"), true},
		{"the older absolute setting wins", Default(moscow), at(moscow, "2026-11-23 10:00"),
			Cooling{Open: true, Period: 5, Unit: WorkingDays, SoonAbs: 2, SoonPercent: 80}, at(moscow, "2026-11-26 10:00"), at(moscow, "2026-11-30 10:00"), true},
		{"working hours: 24 h from Friday afternoon", Default(moscow), at(moscow, "2026-11-27 16:00"),
			Cooling{Open: true, Period: 24, Unit: WorkingHours, SoonPercent: 75}, at(moscow, "2026-12-01 16:00"), at(moscow, "2026-12-02 13:00"), true},
		{"a terminal stage never cools", Default(moscow), at(moscow, "2026-11-23 10:00"), Cooling{Open: false, Period: 5, Unit: WorkingDays, SoonPercent: 80},
			time.Time{}, time.Time{}, false},
		{"no period never cools", Default(moscow), at(moscow, "2026-11-23 10:00"), Cooling{Open: true, Unit: WorkingDays, SoonPercent: 80},
			time.Time{}, time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			soon, cool, ok := tc.cal.Deadlines(tc.base, tc.rule)
			if ok != tc.ok || !soon.Equal(tc.soon) || !cool.Equal(tc.cool) {
				t.Errorf("Deadlines = %v, %v, %v; want %v, %v, %v", soon, cool, ok, tc.soon, tc.cool, tc.ok)
			}
		})
	}
}

func TestReasons(t *testing.T) {
	cal := Default(moscow)
	base := at(moscow, "2026-11-23 10:00")
	now := at(moscow, "2026-12-01 11:00") // Tuesday: 6 working days later
	if got, want := CooledReason(cal.Elapsed(base, now, WorkingDays), WorkingDays, "Warm client", 5), "cooled: 6 working days in Warm client, limit 5"; got != want {
		t.Errorf("CooledReason = %q, want %q", got, want)
	}
	if got, want := CooledReason(cal.Elapsed(base, at(moscow, "2026-11-24 11:30"), WorkingHours), WorkingHours, "Demo", 8), "cooled: 10.5 working hours in Demo, limit 8"; got != want {
		t.Errorf("CooledReason = %q, want %q", got, want)
	}
	if got, want := ZombieReason(7, "Demo", 7), "zombie: 7 contacts in Demo without progress, limit 7"; got != want {
		t.Errorf("ZombieReason = %q, want %q", got, want)
	}
}

// The seed's case 2: the 7th contact without progress makes a zombie.
func TestIsZombie(t *testing.T) {
	for _, tc := range []struct {
		name            string
		open            bool
		contacts, limit int
		handedOff, want bool
	}{
		{"6th contact is not yet a zombie", true, 6, 7, false, false},
		{"7th contact without progress is a zombie", true, 7, 7, false, true},
		{"more contacts stay a zombie", true, 12, 7, false, true},
		{"no limit, no zombie", true, 50, 0, false, false},
		{"a won or rejected client is no zombie", false, 9, 7, false, false},
		{"a client handed off is no zombie", true, 9, 7, true, false},
	} {
		if got := IsZombie(tc.open, tc.contacts, tc.limit, tc.handedOff); got != tc.want {
			t.Errorf("%s: IsZombie = %v", tc.name, got)
		}
	}
	if IsContact(true, 19.9, 20) || !IsContact(true, 20, 20) || IsContact(false, 300, 20) {
		t.Error("IsContact: a call is a contact when it connected and lasted at least the minimum")
	}
}
