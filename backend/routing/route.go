// Package routing decides what happens to an inbound call: which agents
// ring, in which order, or why the call is missed. Decisions are pure
// functions over a snapshot (no database, no clock of their own), so
// they are table-tested; postgres.CallStore.RouteInbound builds the
// snapshot and the gateway carries the decision out.
package routing

import (
	"cmp"
	"slices"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// RingFor is how long agents ring before an inbound call is missed.
const RingFor = 30 * time.Second

// Agent is one user who could take the call, with the state they are in
// and since when.
type Agent struct {
	ID    warmline.UserID
	State warmline.AgentState
	Since time.Time
}

// Snapshot is what a decision looks at.
type Snapshot struct {
	// Agents are the organisation's active users who take calls.
	Agents []Agent
	// OwnerID is the caller's client's owner agent; nil for an unknown
	// caller or a client nobody owns.
	OwnerID *warmline.UserID
}

// Decision is who rings, or why nobody does.
type Decision struct {
	// Agents ring in this order; empty when the call is missed.
	Agents []warmline.UserID
	// MissedReason is set when Agents is empty.
	MissedReason warmline.MissedReason
	// RingFor is how long to ring before the call is missed.
	RingFor time.Duration
}

// Decide picks the agents for an inbound call: the caller's owner first
// when available (the client knows them), then every other available
// agent, longest idle first (the state's Since is when they became
// available), so that calls spread evenly. With nobody online the call
// is missed as no_agents_online; with agents online but none available,
// as all_busy.
func Decide(s Snapshot) Decision {
	var avail []Agent
	online := false
	for _, a := range s.Agents {
		if a.State != warmline.AgentOffline {
			online = true
		}
		if a.State == warmline.AgentAvailable {
			avail = append(avail, a)
		}
	}
	if len(avail) == 0 {
		reason := warmline.MissedAllBusy
		if !online {
			reason = warmline.MissedNoAgentsOnline
		}
		return Decision{MissedReason: reason}
	}
	owner := func(a Agent) bool { return s.OwnerID != nil && a.ID == *s.OwnerID }
	slices.SortStableFunc(avail, func(a, b Agent) int {
		switch {
		case owner(a) != owner(b):
			if owner(a) {
				return -1
			}
			return 1
		case !a.Since.Equal(b.Since):
			return a.Since.Compare(b.Since)
		}
		return cmp.Compare(a.ID, b.ID) // deterministic when both became available at once
	})
	ids := make([]warmline.UserID, len(avail))
	for i, a := range avail {
		ids[i] = a.ID
	}
	return Decision{Agents: ids, RingFor: RingFor}
}
