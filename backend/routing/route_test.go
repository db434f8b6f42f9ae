package routing_test

import (
	"slices"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/routing"
	"github.com/warmline/warmline/backend/warmline"
)

func TestDecide(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	ag := func(id int64, s warmline.AgentState, since int) routing.Agent {
		return routing.Agent{ID: warmline.UserID(id), State: s, Since: at(since)}
	}
	owner := func(id int64) *warmline.UserID { u := warmline.UserID(id); return &u }
	const (
		off   = warmline.AgentOffline
		avail = warmline.AgentAvailable
		away  = warmline.AgentAway
		call  = warmline.AgentOnCall
		ring  = warmline.AgentRinging
		wrap  = warmline.AgentWrapUp
	)
	for _, tc := range []struct {
		name   string
		s      routing.Snapshot
		agents []warmline.UserID
		missed warmline.MissedReason
	}{
		{"nobody at all is no agents online", routing.Snapshot{}, nil, warmline.MissedNoAgentsOnline},
		{"everyone offline is no agents online",
			routing.Snapshot{Agents: []routing.Agent{ag(1, off, 0), ag(2, off, 5)}}, nil, warmline.MissedNoAgentsOnline},
		{"online but on calls, ringing, in wrap-up or away is all busy",
			routing.Snapshot{Agents: []routing.Agent{ag(1, call, 0), ag(2, ring, 1), ag(3, wrap, 2), ag(4, away, 3), ag(5, off, 0)}}, nil, warmline.MissedAllBusy},
		{"the longest idle available agent rings first",
			routing.Snapshot{Agents: []routing.Agent{ag(1, avail, 9), ag(2, avail, 3), ag(3, call, 0), ag(4, avail, 5)}}, []warmline.UserID{2, 4, 1}, ""},
		{"the caller's available owner rings before longer idle agents",
			routing.Snapshot{Agents: []routing.Agent{ag(1, avail, 1), ag(2, avail, 9)}, OwnerID: owner(2)}, []warmline.UserID{2, 1}, ""},
		{"a busy owner is skipped for the longest idle agent",
			routing.Snapshot{Agents: []routing.Agent{ag(1, avail, 4), ag(2, call, 0), ag(3, avail, 2)}, OwnerID: owner(2)}, []warmline.UserID{3, 1}, ""},
		{"an owner who is not among the agents changes nothing",
			routing.Snapshot{Agents: []routing.Agent{ag(1, avail, 4), ag(3, avail, 2)}, OwnerID: owner(99)}, []warmline.UserID{3, 1}, ""},
		{"agents available since the same moment ring in id order",
			routing.Snapshot{Agents: []routing.Agent{ag(7, avail, 1), ag(5, avail, 1)}}, []warmline.UserID{5, 7}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := routing.Decide(tc.s)
			if !slices.Equal(d.Agents, tc.agents) || d.MissedReason != tc.missed {
				t.Fatalf("Decide = agents %v missed %q, want %v %q", d.Agents, d.MissedReason, tc.agents, tc.missed)
			}
			if len(d.Agents) > 0 && d.RingFor != routing.RingFor {
				t.Fatalf("RingFor = %s, want %s", d.RingFor, routing.RingFor)
			}
		})
	}
}
