package demo

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/warmline/warmline/backend/warmline"
)

// moscow is fixed so that the tests need no time zone database.
var moscow = time.FixedZone("MSK", 3*60*60)

// testNows are a Wednesday afternoon, a Saturday and a Monday morning
// before office hours, the awkward cases of counting office time.
var testNows = []time.Time{
	time.Date(2026, 11, 25, 15, 30, 0, 0, moscow),
	time.Date(2026, 11, 28, 12, 0, 0, 0, moscow),
	time.Date(2026, 11, 30, 7, 45, 0, 0, moscow),
}

func demoClients(seed uint64, now time.Time) []Client {
	return Clients(rand.New(rand.NewPCG(seed, 1)), 300, now)
}

func TestClientsAreDeterministic(t *testing.T) {
	a, b := demoClients(7, testNows[0]), demoClients(7, testNows[0])
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed and now gave different clients")
	}
	if c := demoClients(8, testNows[0]); reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same clients")
	}
	if got := Clients(rand.New(rand.NewPCG(1, 1)), 0, testNows[0]); got != nil {
		t.Errorf("zero clients = %v", got)
	}
}

func TestClientPhonesAreValidForTheirCountryAndUnique(t *testing.T) {
	for seed := range uint64(5) {
		seen := map[string]bool{}
		countries := map[string]int{}
		for _, c := range demoClients(seed, testNows[seed%3]) {
			countries[c.Country]++
			if len(c.Phones) == 0 {
				t.Errorf("%s has no phone", c.Name)
			}
			for _, p := range c.Phones {
				num, err := phonenumbers.Parse(p, "")
				if err != nil || !phonenumbers.IsValidNumber(num) || phonenumbers.GetRegionCodeForNumber(num) != c.Country {
					t.Errorf("%s: %s is not a valid %s number", c.Name, p, c.Country)
				}
				if phonenumbers.Format(num, phonenumbers.E164) != p {
					t.Errorf("%s: %s is not in E.164", c.Name, p)
				}
				if seen[p] {
					t.Errorf("seed %d: %s is used twice", seed, p)
				}
				seen[p] = true
			}
		}
		if countries["RU"] != 240 || countries["GB"]+countries["US"] != 60 || countries["GB"] == 0 || countries["US"] == 0 {
			t.Errorf("seed %d: countries = %v, want 240 RU and 60 GB or US", seed, countries)
		}
	}
}

func TestClientsLookReal(t *testing.T) {
	female := map[string]bool{}
	for _, n := range ruFemale {
		female[n] = true
	}
	channels := map[string]bool{}
	for _, ch := range Channels {
		channels[ch] = true
	}
	emails := map[string]bool{}
	var withNotes, withEmail, unowned, companies int
	for _, c := range demoClients(1, testNows[0]) {
		words := strings.Fields(c.Name)
		if len(words) != 2 {
			t.Errorf("name %q is not a given name and a surname", c.Name)
			continue
		}
		if c.Country == "RU" && female[words[0]] {
			if s := words[1]; strings.HasSuffix(s, "ов") || strings.HasSuffix(s, "ев") || strings.HasSuffix(s, "ёв") ||
				strings.HasSuffix(s, "ин") || strings.HasSuffix(s, "ий") || strings.HasSuffix(s, "ой") {
				t.Errorf("%q: a woman's name with a masculine surname", c.Name)
			}
		}
		if c.Email != "" {
			withEmail++
			if !warmline.ValidEmail(c.Email) || c.Email != strings.ToLower(c.Email) {
				t.Errorf("%s: %q is not a valid e-mail", c.Name, c.Email)
			}
			if emails[c.Email] {
				t.Errorf("%q is used twice", c.Email)
			}
			emails[c.Email] = true
		}
		if !channels[c.Channel] {
			t.Errorf("%s: unknown channel %q", c.Name, c.Channel)
		}
		if c.Owner != NoOwner && (c.Owner < 0 || c.Owner >= Agents) {
			t.Errorf("%s: owner %d", c.Name, c.Owner)
		}
		if c.Owner == NoOwner {
			unowned++
		}
		if c.Notes != "" {
			withNotes++
		}
		if c.Company != "" {
			companies++
			if c.Country == "RU" && !strings.HasPrefix(c.Company, "ООО «") && !strings.HasPrefix(c.Company, "АО «") && !strings.HasPrefix(c.Company, "ИП ") {
				t.Errorf("Russian company %q has no legal form", c.Company)
			}
		}
	}
	for _, check := range []struct {
		what      string
		n, lo, hi int
	}{
		{"with notes", withNotes, 60, 150},
		{"with an e-mail", withEmail, 220, 290},
		{"unowned", unowned, 15, 80},
		{"with a company", companies, 200, 280},
	} {
		if check.n < check.lo || check.n > check.hi {
			t.Errorf("%d of 300 clients %s, want %d to %d", check.n, check.what, check.lo, check.hi)
		}
	}
}

func TestClientHistoriesEndAtTheCurrentStageInOrder(t *testing.T) {
	for _, now := range testNows {
		for _, c := range demoClients(3, now) {
			h := c.History
			if len(h) == 0 {
				t.Fatalf("%s has no history", c.Name)
			}
			if h[0].Stage != stageNew || !h[0].At.Equal(c.CreatedAt) {
				t.Errorf("%s: history starts with %+v, created %v", c.Name, h[0], c.CreatedAt)
			}
			if last := h[len(h)-1]; last.Stage != c.Stage || !last.At.Equal(c.StageEnteredAt) {
				t.Errorf("%s: history ends with %+v, want stage %d at %v", c.Name, last, c.Stage, c.StageEnteredAt)
			}
			for i := 1; i < len(h); i++ {
				if !h[i].At.After(h[i-1].At) || h[i].Stage <= h[i-1].Stage {
					t.Errorf("%s: step %d %+v does not follow %+v", c.Name, i, h[i], h[i-1])
				}
			}
			if c.CreatedAt.Before(now.AddDate(0, 0, -30)) || c.StageEnteredAt.After(now) {
				t.Errorf("%s: created %v, entered its stage %v; now is %v", c.Name, c.CreatedAt, c.StageEnteredAt, now)
			}
			if (c.LastContactAt == nil) != (c.Contacts == 0) || (c.FirstContactAt == nil) != (c.Contacts == 0) {
				t.Errorf("%s: %d contacts, first %v, last %v", c.Name, c.Contacts, c.FirstContactAt, c.LastContactAt)
			}
			if c.LastContactAt != nil && (c.LastContactAt.After(now) || c.FirstContactAt.After(*c.LastContactAt) || c.FirstContactAt.Before(c.CreatedAt)) {
				t.Errorf("%s: created %v, first contact %v, last %v", c.Name, c.CreatedAt, *c.FirstContactAt, *c.LastContactAt)
			}
			if c.StageContacts > c.Contacts || c.StageContacts > 0 && c.LastContactAt.Before(c.StageEnteredAt) {
				t.Errorf("%s: %d of %d contacts in the stage, entered %v, last contact %v", c.Name, c.StageContacts, c.Contacts, c.StageEnteredAt, c.LastContactAt)
			}
		}
	}
}

func TestTheFunnelHasARealisticShape(t *testing.T) {
	if len(stageShares) != len(warmline.DefaultFunnel("ru")) {
		t.Fatalf("%d stage shares for a funnel of %d stages", len(stageShares), len(warmline.DefaultFunnel("ru")))
	}
	counts := make([]int, len(stageShares))
	zombies := 0
	for _, c := range demoClients(4, testNows[0]) {
		counts[c.Stage]++
		if c.StageContacts > funnel[c.Stage].ContactLimit {
			zombies++
			if c.StageContacts < 8 || c.StageContacts > 15 || funnel[c.Stage].Kind != warmline.StageOpen {
				t.Errorf("%s: a zombie with %d contacts in stage %d", c.Name, c.StageContacts, c.Stage)
			}
		}
	}
	if won := counts[stageWon]; won == 0 || won >= 30 {
		t.Errorf("%d of 300 won, want a few but under 10%%", won)
	}
	if rejected := counts[stageRejected]; rejected < 30 || rejected > 90 {
		t.Errorf("%d of 300 rejected, want a fair number", rejected)
	}
	if early := counts[0] + counts[1]; early < 120 {
		t.Errorf("%d of 300 in the first two stages, want most", early)
	}
	// New leads are called quickly, so the first contact stage is the
	// fullest; from there the funnel narrows.
	for s := 1; s < stageWon; s++ {
		if counts[s] <= counts[s+1] {
			t.Errorf("stages narrow down the funnel: %v", counts)
		}
	}
	if zombies < 3 || zombies > 15 {
		t.Errorf("%d zombies, want a handful", zombies)
	}
}

// addWorkingDays mirrors wl_add_working_days (migrations/0003): days
// Monday to Friday after start, at the same time of day.
func addWorkingDays(start time.Time, days int) time.Time {
	t := start
	for days > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			days--
		}
	}
	return t
}

// forwardWorking is backWorking the other way: the moment d of office
// time after t.
func forwardWorking(t time.Time, d time.Duration) time.Time {
	for range 10_000 {
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday || !t.Before(at(t, dayEndHour)) {
			t = at(t.AddDate(0, 0, 1), dayStartHour)
			continue
		}
		if t.Before(at(t, dayStartHour)) {
			t = at(t, dayStartHour)
		}
		if left := at(t, dayEndHour).Sub(t); d <= left {
			return t.Add(d)
		} else {
			d -= left
			t = at(t.AddDate(0, 0, 1), dayStartHour)
		}
	}
	return t
}

func TestSomeClientsHaveCooledAndSomeCoolSoon(t *testing.T) {
	for _, now := range testNows {
		state := map[string]int{}
		perStage := map[int]map[string]int{}
		for _, c := range demoClients(5, now) {
			st := funnel[c.Stage]
			if st.Kind != warmline.StageOpen {
				continue
			}
			base := c.StageEnteredAt // as refreshCooling: the later of entry and last contact
			if c.LastContactAt != nil && c.LastContactAt.After(base) {
				base = *c.LastContactAt
			}
			s := "ok"
			switch {
			case !now.Before(addWorkingDays(base, st.CoolingPeriod)):
				s = "cooled"
			case !now.Before(forwardWorking(base, workingDays(float64(st.CoolingPeriod)-soonDays(st)))):
				s = "soon"
			}
			state[s]++
			if perStage[c.Stage] == nil {
				perStage[c.Stage] = map[string]int{}
			}
			perStage[c.Stage][s]++
		}
		open := state["ok"] + state["soon"] + state["cooled"]
		if state["cooled"] < open/8 || state["soon"] < open/20 || state["ok"] < open/3 {
			t.Errorf("now %v: cooling states %v of %d open clients", now, state, open)
		}
		for s := 0; s < 4; s++ {
			if perStage[s]["cooled"] == 0 || perStage[s]["ok"] == 0 || (s > 0 && perStage[s]["soon"] == 0) {
				t.Errorf("now %v: stage %d has cooling states %v", now, s, perStage[s])
			}
		}
	}
}

func TestUsers(t *testing.T) {
	users := Users()
	want := []struct {
		email string
		role  warmline.Role
	}{
		{"admin@demo.example", warmline.RoleAdmin},
		{"supervisor@demo.example", warmline.RoleSupervisor},
		{"agent1@demo.example", warmline.RoleAgent},
		{"agent2@demo.example", warmline.RoleAgent},
		{"agent3@demo.example", warmline.RoleAgent},
	}
	if len(users) != len(want) || len(users) != 2+Agents {
		t.Fatalf("%d users, want %d", len(users), len(want))
	}
	for i, w := range want {
		u := users[i]
		if u.Email != w.email || u.Role != w.role || !warmline.ValidLocale(u.Locale) || u.TimeZone == "" {
			t.Errorf("user %d = %+v, want %s as %s", i, u, w.email, w.role)
		}
		if i == 0 && u.Name != "Администратор" {
			t.Errorf("admin is named %q", u.Name)
		}
		if i > 0 && len(strings.Fields(u.Name)) != 2 {
			t.Errorf("%s is named %q, want a full Russian name", u.Email, u.Name)
		}
	}
}

func TestFeminine(t *testing.T) {
	tests := []struct{ name, male, female string }{
		{"-ов takes -а", "Смирнов", "Смирнова"},
		{"-ёв takes -а", "Соловьёв", "Соловьёва"},
		{"-ин takes -а", "Ильин", "Ильина"},
		{"-ский becomes -ская", "Покровский", "Покровская"},
		{"-цкий becomes -цкая", "Троицкий", "Троицкая"},
		{"-ой becomes -ая", "Толстой", "Толстая"},
		{"-енко does not change", "Шевченко", "Шевченко"},
		{"-ых does not change", "Черных", "Черных"},
		{"a foreign surname does not change", "Ким", "Ким"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := feminine(tt.male); got != tt.female {
				t.Errorf("feminine(%q) = %q, want %q", tt.male, got, tt.female)
			}
		})
	}
}

func TestTranslit(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ирина", "irina"}, {"Сергей", "sergey"}, {"Щербаков", "shcherbakov"}, {"Юлия", "yuliya"},
		{"Журавлёв", "zhuravlev"}, {"Хлебный дом", "khlebnyy dom"}, {"ТехноСнаб", "tekhnosnab"},
	}
	for _, tt := range tests {
		if got := translit(tt.in); got != tt.want {
			t.Errorf("translit(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBackWorking(t *testing.T) {
	at := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, moscow) } // 23rd is a Monday
	tests := []struct {
		name string
		now  time.Time
		back time.Duration
		want time.Time
	}{
		{"a working day back from Tuesday noon is Monday noon", at(24, 12, 0), workingDay, at(23, 12, 0)},
		{"a working day back from Monday noon is Friday noon", at(23, 12, 0), workingDay, at(20, 12, 0)},
		{"two hours back from Saturday is Friday 17:00", at(28, 15, 0), 2 * time.Hour, at(27, 17, 0)},
		{"an hour back from Monday before work is Friday 18:00", at(30, 7, 45), time.Hour, at(27, 18, 0)},
		{"an hour back from Tuesday night is Tuesday 18:00", at(24, 23, 0), time.Hour, at(24, 18, 0)},
		{"nothing back in office hours is now", at(25, 10, 30), 0, at(25, 10, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backWorking(tt.now, tt.back); !got.Equal(tt.want) {
				t.Errorf("backWorking(%v, %v) = %v, want %v", tt.now, tt.back, got, tt.want)
			}
		})
	}
}
