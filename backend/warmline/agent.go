package warmline

import (
	"context"
	"time"
)

// AgentState is what an agent is doing, as the wallboard shows it.
type AgentState string

const (
	AgentOffline   AgentState = "offline"
	AgentAvailable AgentState = "available"
	AgentRinging   AgentState = "ringing"
	AgentOnCall    AgentState = "on_call"
	AgentWrapUp    AgentState = "wrap_up" // after-call work
	AgentAway      AgentState = "away"    // with a reason
)

// Valid reports whether s is a known state.
func (s AgentState) Valid() bool {
	switch s {
	case AgentOffline, AgentAvailable, AgentRinging, AgentOnCall, AgentWrapUp, AgentAway:
		return true
	}
	return false
}

// SetByAgent reports whether an agent may choose s; the others are set by
// the call flow.
func (s AgentState) SetByAgent() bool {
	return s == AgentOffline || s == AgentAvailable || s == AgentAway
}

// Presence is one user's current state.
type Presence struct {
	UserID UserID     `json:"user_id" db:"user_id"`
	Name   string     `json:"name" db:"name"`
	Role   Role       `json:"role" db:"role"`
	State  AgentState `json:"state" db:"state"`
	Reason string     `json:"reason" db:"reason"`
	Since  time.Time  `json:"since" db:"since"`
}

// PresenceService keeps agents' states.
type PresenceService interface {
	// FindPresence lists every active user of the organisation with their state.
	FindPresence(ctx context.Context) ([]*Presence, error)
	// SetState changes the caller's own state.
	SetState(ctx context.Context, state AgentState, reason string) (*Presence, error)
}
