package warmline

import (
	"context"
	"time"
)

// CallID identifies a call record.
type CallID int64

// CallDirection says who placed a call.
type CallDirection string

const (
	CallInbound  CallDirection = "inbound"  // a caller rang one of the organisation's lines
	CallOutbound CallDirection = "outbound" // an agent called out (click-to-call or the dial pad)
)

// CallStatus is where a call record is in its life.
type CallStatus string

const (
	CallRinging  CallStatus = "ringing" // the agent's softphone or the client's phone rings
	CallAnswered CallStatus = "answered"
	CallEnded    CallStatus = "ended"
)

// CallOutcome is how a call ended.
type CallOutcome string

const (
	OutcomeAnswered  CallOutcome = "answered"  // a conversation happened
	OutcomeMissed    CallOutcome = "missed"    // inbound, nobody took it (see MissedReason)
	OutcomeNoAnswer  CallOutcome = "no_answer" // outbound, the client did not pick up
	OutcomeBusy      CallOutcome = "busy"
	OutcomeDeclined  CallOutcome = "declined" // the agent declined, or the far end rejected
	OutcomeCancelled CallOutcome = "cancelled"
	OutcomeFailed    CallOutcome = "failed" // the network or the trunk refused the call
)

// MissedReason says why an inbound call was missed; a missed call has
// exactly one.
type MissedReason string

const (
	MissedOutOfHours     MissedReason = "out_of_hours"
	MissedNoAgentsOnline MissedReason = "no_agents_online"
	MissedAllBusy        MissedReason = "all_busy"
	MissedNoAnswer       MissedReason = "no_answer"
	MissedOverload       MissedReason = "overload"
	MissedAbandoned      MissedReason = "abandoned" // the caller hung up while it rang
)

// HangupSide says who ended a call.
type HangupSide string

const (
	HangupAgent  HangupSide = "agent"
	HangupClient HangupSide = "client"
	HangupSystem HangupSide = "system" // timeout, media loss, shutdown
)

// Call is one call record.
type Call struct {
	ID         CallID        `json:"id" db:"id"`
	OrgID      OrgID         `json:"-" db:"org_id"`
	Direction  CallDirection `json:"direction" db:"direction"`
	From       string        `json:"from" db:"from_number"`
	To         string        `json:"to" db:"to_number"`
	TrunkID    *int64        `json:"trunk_id" db:"trunk_id"`
	LineID     *int64        `json:"line_id" db:"line_id"`
	AgentID    *UserID       `json:"agent_id" db:"agent_id"`
	AgentName  string        `json:"agent_name" db:"agent_name"`
	ClientID   *ClientID     `json:"client_id" db:"client_id"`
	ClientName string        `json:"client_name" db:"client_name"`
	// ClientOwnerID is told of a missed call, besides supervisors.
	ClientOwnerID *UserID       `json:"client_owner_id" db:"client_owner_id"`
	SIPCallID     string        `json:"-" db:"sip_call_id"`
	Status        CallStatus    `json:"status" db:"status"`
	Held          bool          `json:"held" db:"held"`
	CreatedAt     time.Time     `json:"created_at" db:"created_at"`
	RingingAt     *time.Time    `json:"ringing_at" db:"ringing_at"`
	AnsweredAt    *time.Time    `json:"answered_at" db:"answered_at"`
	EndedAt       *time.Time    `json:"ended_at" db:"ended_at"`
	Outcome       *CallOutcome  `json:"outcome" db:"outcome"`
	MissedReason  *MissedReason `json:"missed_reason" db:"missed_reason"`
	SIPCause      *int          `json:"sip_cause" db:"sip_cause"`
	EndReason     string        `json:"end_reason" db:"end_reason"`
	HangupSide    *HangupSide   `json:"hangup_side" db:"hangup_side"`
	Node          string        `json:"-" db:"node"`
}

// CallFilter selects call records; zero fields match everything.
type CallFilter struct {
	ClientID ClientID
	AgentID  UserID
	// Open lists only calls that have not ended (the wallboard's live calls).
	Open  bool
	Limit int
}

// CallService reads call records. The gateway writes them through
// media.Store so that a call's row exists before it is answered.
type CallService interface {
	FindCalls(ctx context.Context, f CallFilter) ([]*Call, error)
	FindCall(ctx context.Context, id CallID) (*Call, error)
}
