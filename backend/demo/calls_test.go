package demo

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

func TestCallsMatchTheClientsCounters(t *testing.T) {
	for _, now := range testNows {
		clients := demoClients(3, now)
		calls := Calls(rand.New(rand.NewPCG(3, 2)), clients, now)
		answered := make([]int, len(clients))
		unanswered := make([]int, len(clients))
		lastAnswered := make([]time.Time, len(clients))
		today := at(now, 0)
		for i, c := range calls {
			if c.At.After(now) {
				t.Fatalf("%v: call %d at %v is in the future", now, i, c.At)
			}
			if i > 0 && c.At.Before(calls[i-1].At) {
				t.Fatalf("%v: calls are not in time order at %d", now, i)
			}
			if c.Outcome == warmline.OutcomeMissed {
				if c.MissedReason == "" || c.At.Before(today) || c.Direction != warmline.CallInbound {
					t.Errorf("%v: missed call %+v: want an inbound call today with a reason", now, c)
				}
				continue
			}
			if c.MissedReason != "" {
				t.Errorf("%v: a %s call has missed reason %s", now, c.Outcome, c.MissedReason)
			}
			if c.Client == NoClient {
				t.Errorf("%v: an answered or outbound call %+v has no client", now, c)
				continue
			}
			cl := clients[c.Client]
			own := cl.LastContactAt != nil && (c.At.Equal(*cl.LastContactAt) || c.At.Equal(*cl.FirstContactAt))
			if !own && !inOffice(c.At) && !c.At.After(today) {
				t.Errorf("%v: %s call at %v is outside office hours", now, c.Direction, c.At)
			}
			if c.Answered != (c.Outcome == warmline.OutcomeAnswered) || (c.Answered && c.Talk < 20*time.Second) {
				t.Errorf("%v: call %+v: answered, outcome and talk time disagree", now, c)
			}
			if c.Answered {
				answered[c.Client]++
				if c.At.After(lastAnswered[c.Client]) {
					lastAnswered[c.Client] = c.At
				}
			} else {
				unanswered[c.Client]++
			}
		}
		// Calls back of today's missed calls are contacts the counters
		// do not hold: count them out.
		extra := map[int]int{}
		for _, c := range calls {
			if c.Answered && c.At.After(today) && c.Direction == warmline.CallOutbound && lastAnswered[c.Client].Equal(c.At) &&
				(clients[c.Client].LastContactAt == nil || !clients[c.Client].LastContactAt.Equal(c.At)) {
				extra[c.Client]++
			}
		}
		for i, c := range clients {
			if got := answered[i] - extra[i]; got != c.Contacts {
				t.Errorf("%v: client %d has %d answered calls, want %d contacts", now, i, got, c.Contacts)
			}
			if unanswered[i] != c.Attempts {
				t.Errorf("%v: client %d has %d unanswered calls, want %d attempts", now, i, unanswered[i], c.Attempts)
			}
			if c.LastContactAt != nil && extra[i] == 0 && !lastAnswered[i].Equal(*c.LastContactAt) {
				t.Errorf("%v: client %d's last answered call at %v, last contact at %v", now, i, lastAnswered[i], *c.LastContactAt)
			}
		}
	}
}

func TestSomeMissedCallsTodayWaitForACallBack(t *testing.T) {
	now := testNows[0] // a Wednesday afternoon
	clients := demoClients(3, now)
	calls := Calls(rand.New(rand.NewPCG(3, 2)), clients, now)
	waiting := 0
	for i, c := range calls {
		if c.Outcome != warmline.OutcomeMissed {
			continue
		}
		calledBack := false
		for _, l := range calls[i+1:] {
			if l.Answered && (l.To == c.From || l.From == c.From) {
				calledBack = true
			}
		}
		if !calledBack {
			waiting++
		}
	}
	if waiting < 2 || waiting > 5 {
		t.Errorf("%d missed calls wait for a call back, want a few", waiting)
	}
}
