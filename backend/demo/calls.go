package demo

import (
	"math/rand/v2"
	"sort"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// Call is one demo call record. Client indexes the clients given to Calls
// (NoClient for a caller who is nobody's client yet); Agent indexes the
// agents like Client.Owner (NoOwner: nobody took it).
type Call struct {
	Client       int
	Agent        int
	Direction    warmline.CallDirection
	From, To     string
	At           time.Time // the call record was created (the phone started ringing)
	Answered     bool
	Talk         time.Duration // conversation length when answered
	Outcome      warmline.CallOutcome
	MissedReason warmline.MissedReason
}

// NoClient is the Client of a demo call from an unknown number.
const NoClient = -1

// DemoLine is the demo organisation's phone number (a DID on the demo line).
const DemoLine = "+74951234567"

// Calls returns the call records behind the clients' counters: one
// connected call per contact (the last at LastContactAt) and one
// unanswered call per attempt, placed by the client's owner; then a few
// inbound calls today — missed ones with their reasons, some called back
// and some still waiting — so that the wallboard and the alerts have
// something true to show on a fresh install. Sorted by time.
func Calls(rng *rand.Rand, clients []Client, now time.Time) []Call {
	var out []Call
	agentOf := func(c Client) int {
		if c.Owner != NoOwner {
			return c.Owner
		}
		return rng.IntN(Agents)
	}
	for i, c := range clients {
		agent := agentOf(c)
		call := func(at time.Time, answered bool) Call {
			call := Call{Client: i, Agent: agent, Direction: warmline.CallOutbound, From: DemoLine, To: c.Phones[0], At: at, Answered: answered}
			if answered {
				call.Outcome = warmline.OutcomeAnswered
				call.Talk = time.Duration(40+rng.IntN(420)) * time.Second
			} else {
				call.Outcome = []warmline.CallOutcome{warmline.OutcomeNoAnswer, warmline.OutcomeNoAnswer, warmline.OutcomeBusy}[rng.IntN(3)]
			}
			return call
		}
		if c.Contacts > 0 {
			first, last := *c.FirstContactAt, *c.LastContactAt
			if c.Contacts == 1 {
				first = last // the one contact is the last one
			}
			contacts := []Call{call(first, true)}
			for k := 1; k < c.Contacts-1; k++ {
				contacts = append(contacts, call(officeBetween(rng, first, last, k), true))
			}
			if c.Contacts > 1 {
				contacts = append(contacts, call(last, true))
			}
			if c.Channel == "Входящий звонок" {
				// The first touch of an inbound lead was their own call.
				contacts[0].Direction = warmline.CallInbound
				contacts[0].From, contacts[0].To = c.Phones[0], DemoLine
			}
			out = append(out, contacts...)
		}
		for range c.Attempts {
			out = append(out, call(officeBetween(rng, c.CreatedAt, now, 1), false))
		}
	}
	out = append(out, missedToday(rng, clients, now)...)
	sort.SliceStable(out, func(a, b int) bool { return out[a].At.Before(out[b].At) })
	return out
}

// missedToday makes six inbound calls missed today, each with its reason,
// and calls back half of them; the others wait on the wallboard's "not
// called back".
func missedToday(rng *rand.Rand, clients []Client, now time.Time) []Call {
	open := at(now, dayStartHour)
	var out []Call
	reasons := []warmline.MissedReason{warmline.MissedAllBusy, warmline.MissedNoAnswer, warmline.MissedAbandoned}
	for k := range 6 {
		call := Call{Client: NoClient, Agent: NoOwner, Direction: warmline.CallInbound, To: DemoLine,
			Outcome: warmline.OutcomeMissed}
		// Spread over the morning so far; before opening they were out of hours.
		switch {
		case now.Before(open.Add(time.Hour)):
			call.At = now.Add(-time.Duration(10+20*k) * time.Minute)
		default:
			call.At = open.Add(time.Duration(rng.Float64() * float64(now.Sub(open)-10*time.Minute)))
		}
		weekend := now.Weekday() == time.Saturday || now.Weekday() == time.Sunday
		if weekend || call.At.Before(open) || call.At.After(at(now, dayEndHour)) {
			call.MissedReason = warmline.MissedOutOfHours
		} else {
			call.MissedReason = reasons[rng.IntN(len(reasons))]
		}
		if k < 4 {
			call.Client = rng.IntN(len(clients))
			call.From = clients[call.Client].Phones[0]
		} else {
			call.From = []string{"+79031112233", "+79264445566"}[k-4]
		}
		out = append(out, call)
		if k%2 == 0 && call.Client != NoClient {
			c := clients[call.Client]
			agent := c.Owner
			if agent == NoOwner {
				agent = 0
			}
			out = append(out, Call{Client: call.Client, Agent: agent, Direction: warmline.CallOutbound, From: DemoLine, To: call.From,
				At: call.At.Add(time.Duration(3+rng.IntN(15)) * time.Minute), Answered: true,
				Talk: time.Duration(60+rng.IntN(240)) * time.Second, Outcome: warmline.OutcomeAnswered})
		}
	}
	// Nothing in the future, whatever the hour.
	kept := out[:0]
	for _, c := range out {
		if c.At.Before(now) {
			kept = append(kept, c)
		}
	}
	return kept
}

// officeBetween picks a moment in office hours strictly between from and
// to; when random draws find none (a short span at night), the k-th
// minute before to.
func officeBetween(rng *rand.Rand, from, to time.Time, k int) time.Time {
	for range 20 {
		t := from.Add(time.Duration(rng.Float64() * float64(to.Sub(from))))
		if inOffice(t) && t.After(from) && t.Before(to) {
			return t
		}
	}
	return to.Add(-time.Duration(k) * time.Minute)
}

// inOffice says whether t is in office hours on a working day.
func inOffice(t time.Time) bool {
	wd, h := t.Weekday(), t.Hour()
	return wd != time.Saturday && wd != time.Sunday && h >= dayStartHour && h < dayEndHour
}
