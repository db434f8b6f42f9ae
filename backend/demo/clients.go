package demo

import (
	"math/rand/v2"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// Client is one demo client, with indexes where the database has ids.
type Client struct {
	Name    string
	Company string   // "" for a private person
	Phones  []string // E.164, valid for Country; the first is the main one
	Country string   // RU, GB or US
	Email   string   // "" for some
	Channel string   // one of Channels
	// Stage indexes warmline.DefaultFunnel.
	Stage int
	// Owner indexes the agents of Users (Owner i is Users()[2+i]); NoOwner
	// when the client is unassigned.
	Owner          int
	StageEnteredAt time.Time
	FirstContactAt *time.Time // nil when never contacted
	LastContactAt  *time.Time // nil when never contacted
	Contacts       int        // real touches in all stages
	StageContacts  int        // touches since entering Stage
	Attempts       int        // calls that did not connect
	Notes          string
	CreatedAt      time.Time
	// History is the client's way through the funnel, oldest first: it
	// starts in the first stage at CreatedAt and ends in Stage at
	// StageEnteredAt.
	History []Step
}

// Step is a client's entry into a stage.
type Step struct {
	Stage int
	At    time.Time
}

// NoOwner is the Owner of an unassigned client.
const NoOwner = -1

// Channels are the demo's source channels.
var Channels = []string{"Яндекс.Директ", "Сайт", "Рекомендация", "Холодный обзвон", "Выставка", "2GIS", "Авито", "Входящий звонок"}

var channelWeights = []int{20, 22, 12, 18, 6, 8, 6, 8}

var notes = []string{
	"Просил перезвонить после 15:00.",
	"ЛПР — генеральный директор, секретарь не соединяет.",
	"Отправили КП на почту, ждём ответа.",
	"Интересует тариф на 10 пользователей.",
	"Сравнивают с конкурентом, важна цена.",
	"Бюджет появится в следующем квартале.",
	"Нужна интеграция с 1С.",
	"Демо назначено, подключится главбух.",
	"Говорит, что пока всё устраивает, но номер оставил.",
	"Был на выставке, брал буклет.",
	"Хочет скидку за годовую оплату.",
	"Звонить только на мобильный.",
	"В отпуске до конца месяца.",
	"Перезвонить через неделю, сейчас отчётный период.",
	"Просит счёт на юрлицо.",
	"Нужен договор с отсрочкой платежа.",
	"Работают в две смены, звонить до обеда.",
	"Рекомендовал клиент из «Альфа-Сервиса».",
	"Не берёт трубку, писать в мессенджер.",
	"Уточнить количество операторов.",
}

// demoWindow bounds how far back the demo's history goes: 20 working
// days, four weeks of office time.
const demoWindow = 20.0

// Clients returns n demo clients as of now, whose location is the
// organisation's time zone. The same source and now give the same clients.
// About four in five are Russian people and companies, the rest British
// and American; the stages follow a realistic funnel (few won, a fair
// number refused); a few clients of every open stage have cooled or cool
// soon under the default funnel's periods; and one in forty is a "zombie",
// called 8 to 15 times without progress.
func Clients(rng *rand.Rand, n int, now time.Time) []Client {
	if n <= 0 {
		return nil
	}
	stages := stageQuota(rng, n)
	zombie := make([]bool, n)
	zombies := max(1, n/40)
	for _, i := range rng.Perm(n) {
		if zombies > 0 && stages[i] >= 1 && stages[i] <= 3 {
			zombie[i], zombies = true, zombies-1
		}
	}
	countries := make([]string, n)
	for i := range countries {
		switch {
		case i < n*4/5:
			countries[i] = "RU"
		case i%2 == 0:
			countries[i] = "GB"
		default:
			countries[i] = "US"
		}
	}
	rng.Shuffle(n, func(i, j int) { countries[i], countries[j] = countries[j], countries[i] })

	g := &generator{rng: rng, now: now, phones: map[string]bool{}, emails: map[string]bool{}}
	out := make([]Client, n)
	for i := range out {
		out[i] = g.client(stages[i], countries[i], zombie[i])
	}
	return out
}

// generator holds what must stay unique across clients.
type generator struct {
	rng    *rand.Rand
	now    time.Time
	phones map[string]bool
	emails map[string]bool
}

func (g *generator) client(stage int, country string, zombie bool) Client {
	rng := g.rng
	c := Client{Stage: stage, Country: country, Channel: Channels[pickWeighted(rng, channelWeights)]}

	russian := country == "RU"
	var p person
	var co company
	if russian {
		p = russianPerson(rng)
		if rng.IntN(5) > 0 { // one in five buys as a private person
			co = russianCompany(rng, p)
		}
	} else {
		p = englishPerson(rng)
		if rng.IntN(7) > 0 {
			co = englishCompany(rng, p, country)
		}
	}
	c.Name, c.Company = p.name(), co.name

	first, second := mobile, office
	if co.domain != "" && rng.IntN(4) == 0 {
		first, second = office, mobile // reached through the office line
	}
	c.Phones = []string{newPhone(rng, country, first, g.phones)}
	if co.name != "" && rng.IntN(5) == 0 {
		c.Phones = append(c.Phones, newPhone(rng, country, second, g.phones))
	}
	if rng.IntN(100) < 85 {
		c.Email = uniqueEmail(emailFor(rng, p, co, russian), g.emails)
	}
	if rng.IntN(100) < 35 {
		c.Notes = pick(rng, notes)
	}

	c.Owner = pickWeighted(rng, []int{40, 35, 25})
	if (stage == stageNew && rng.IntN(2) == 0) || rng.IntN(20) == 0 {
		c.Owner = NoOwner
	}

	g.times(&c, zombie)
	return c
}

// times sets a client's counters, contact times and history. Times are
// counted back from now in office time: first the idle time since the
// last touch (which decides cooling), then the time spent in the stage,
// then the earlier stages, all within demoWindow.
func (g *generator) times(c *Client, zombie bool) {
	rng := g.rng
	st := funnel[c.Stage]
	between := func(lo, hi float64) float64 { return lo + rng.Float64()*(hi-lo) }

	contacted := c.Stage != stageNew || rng.IntN(5) < 2
	switch {
	case zombie:
		c.StageContacts = 8 + rng.IntN(8)
	case c.Stage == stageNew && contacted:
		c.StageContacts = 1 + rng.IntN(2) // reached, but not the decision maker yet
	case st.Kind == warmline.StageOpen && c.Stage != stageNew:
		c.StageContacts = pickWeighted(rng, []int{30, 30, 20, 12, 8})
	}

	// Idle time since the last touch.
	var idle float64
	if st.Kind == warmline.StageOpen && st.CoolingPeriod > 0 {
		target := coolingTarget(pickWeighted(rng, []int{55, 20, 25}))
		if zombie && target == targetCooled {
			target = targetOK // a zombie is called all the time
		}
		idle = idleDays(rng, st, target)
	} else {
		idle = between(0.1, 10)
	}
	// Time in the stage: a gap before each contact made in it.
	inStage := 0.0
	for range c.StageContacts {
		inStage += between(0.1, 0.8)
	}
	if idle+inStage > demoWindow-2 {
		inStage = demoWindow - 2 - idle
	}
	lastTouch := backWorking(g.now, workingDays(idle))
	c.StageEnteredAt = backWorking(g.now, workingDays(idle+inStage))
	if c.StageContacts > 0 {
		c.LastContactAt = ptr(lastTouch)
	} else if contacted {
		// Moved right after the call that got it here.
		c.LastContactAt = ptr(lastTouch.Add(-time.Duration(1+rng.IntN(15)) * time.Minute))
	}

	// Earlier stages, each a few days before the next, squeezed into the window.
	steps := path(rng, c.Stage)
	gaps := make([]float64, len(steps)-1)
	total := 0.0
	for i := range gaps {
		gaps[i] = between(0.3, 3)
		total += gaps[i]
	}
	if room := demoWindow - idle - inStage; total > room {
		for i := range gaps {
			gaps[i] *= room / total
		}
	}
	c.History = make([]Step, len(steps))
	back := idle + inStage
	for i := len(steps) - 1; i >= 0; i-- {
		c.History[i] = Step{Stage: steps[i], At: backWorking(g.now, workingDays(back))}
		if i > 0 {
			back += gaps[i-1]
		}
	}
	c.History[len(steps)-1].At = c.StageEnteredAt
	c.CreatedAt = c.History[0].At

	// Each move was earned by one to three contacts; the first of them,
	// for a client that left the first stage, was the call that did it.
	c.Contacts = c.StageContacts
	for range len(steps) - 1 {
		c.Contacts += 1 + pickWeighted(rng, []int{60, 30, 10})
	}
	switch {
	case c.Contacts == 0:
	case len(steps) > 1:
		c.FirstContactAt = ptr(c.History[1].At.Add(-time.Duration(1+rng.IntN(15)) * time.Minute))
	case c.StageContacts == 1:
		c.FirstContactAt = c.LastContactAt
	default:
		c.FirstContactAt = ptr(c.StageEnteredAt.Add(c.LastContactAt.Sub(c.StageEnteredAt) / 3))
	}
	if c.FirstContactAt != nil && c.FirstContactAt.After(*c.LastContactAt) {
		c.FirstContactAt = c.LastContactAt // one call both moved it on and was the last
	}
	c.Attempts = pickWeighted(rng, []int{45, 25, 15, 10, 5})
}

func ptr[T any](v T) *T { return &v }
