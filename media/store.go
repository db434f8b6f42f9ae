// Package media is the WebRTC↔SIP gateway: the agents' browser legs
// (pion/webrtc), the SIP trunk legs (sipgo), the bridge between them and
// the built-in demo phone line.
//
// The boundary with the backend is small on purpose, so that media can
// later run as its own process: the backend calls a *Gateway (serve an
// agent's /ws/phone connection, dial, reload trunks), and the gateway
// calls back through Store (call records, routing, agent states).
package media

import (
	"context"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// Store is what the gateway needs from the rest of Warmline;
// backend/postgres implements it. Every method is scoped by the org it is
// given: the gateway serves every organisation.
type Store interface {
	// LoadTrunks lists every enabled trunk of every organisation, with
	// its secret and lines; the gateway calls it at start and on Reload.
	LoadTrunks(ctx context.Context) ([]TrunkConfig, error)

	// StartCall writes a new call record (status ringing, and a
	// call.ringing event) and returns its id. The gateway calls it before
	// it answers an INVITE with 180/200 or rings an agent, so that a crash
	// never loses a call.
	StartCall(ctx context.Context, c *warmline.Call) (warmline.CallID, error)
	// UpdateCall records progress: who is on it (AgentID, ClientID may be
	// set later, e.g. when an inbound call is answered), answered,
	// held/resumed. Fields left zero in u are kept.
	UpdateCall(ctx context.Context, org warmline.OrgID, id warmline.CallID, u CallUpdate) error
	// EndCall closes a call record with its outcome (and writes call.ended,
	// or call.missed for a missed inbound call). Ending an ended call is a
	// no-op, so the gateway may call it from every path that tears a call down.
	EndCall(ctx context.Context, org warmline.OrgID, id warmline.CallID, e CallEnd) error
	// CloseOrphans ends the calls a previous run of node left open (the
	// process died) as interrupted, and returns how many.
	CloseOrphans(ctx context.Context, node string, at time.Time) (int, error)

	// RouteInbound decides what happens to an inbound call to one of an
	// organisation's lines: which agents ring, or why it is missed.
	RouteInbound(ctx context.Context, in InboundCall) (*Route, error)
	// ClientByPhone finds the live client with this E.164 number (nil, nil
	// when none), for the pop-up and the call record.
	ClientByPhone(ctx context.Context, org warmline.OrgID, phone string) (*warmline.Client, error)
	// SetAgentState records the state the call flow puts an agent in
	// (ringing, on_call, wrap_up, available) with its event.
	SetAgentState(ctx context.Context, org warmline.OrgID, user warmline.UserID, s warmline.AgentState) error
	// SetAgentStateIfReachable is SetAgentState unless the agent is away
	// or offline (states agents choose): for a write retried late.
	SetAgentStateIfReachable(ctx context.Context, org warmline.OrgID, user warmline.UserID, s warmline.AgentState) error
	// PhoneSettings are the organisation's softphone settings.
	PhoneSettings(ctx context.Context, org warmline.OrgID) (*PhoneSettings, error)
}

// TrunkConfig is one trunk as the gateway uses it.
type TrunkConfig struct {
	warmline.Trunk
	Lines []warmline.Line
	// DefaultCountry parses numbers typed without a country code.
	DefaultCountry string
}

// CallUpdate is progress on a call; zero fields are left as they are.
type CallUpdate struct {
	AgentID    warmline.UserID
	ClientID   warmline.ClientID
	SIPCallID  string
	RingingAt  time.Time // the far end rings (180/183) or the agent's softphone rings
	AnsweredAt time.Time
	Held       *bool
}

// CallEnd is how a call ended.
type CallEnd struct {
	At           time.Time
	Outcome      warmline.CallOutcome
	MissedReason warmline.MissedReason // only with OutcomeMissed
	SIPCause     int                   // final SIP status, 0 when none
	Reason       string                // hangup, media_timeout, browser_lost, transferred, interrupted, ...
	Side         warmline.HangupSide
	// An answered call's answer time and the agent who had it, written
	// with the end where the record lacks them: the update that wrote
	// them at the answer may have failed (it is not retried, the end is).
	AnsweredAt *time.Time
	AgentID    warmline.UserID
}

// InboundCall is an INVITE that arrived for one of an organisation's lines.
type InboundCall struct {
	OrgID  warmline.OrgID
	LineID int64
	CallID warmline.CallID
	From   string // the caller's number, E.164 when it parses
	At     time.Time
}

// Route is the backend's decision for an inbound call.
type Route struct {
	// Agents ring in this order (the first alone for now; the routing
	// issue adds ring groups and overflow).
	Agents []warmline.UserID
	// MissedReason is set when nobody can take the call.
	MissedReason warmline.MissedReason
	// Client is the caller's client card, nil for an unknown caller.
	Client *warmline.Client
	// RingFor is how long agents ring before the call is missed.
	RingFor time.Duration
}

// PhoneSettings are an organisation's softphone settings.
type PhoneSettings struct {
	AutoAnswer time.Duration // click-to-call: the softphone answers by itself after this; 0 never
	WrapUp     time.Duration // after-call work before the agent is available again
	// Demo is true when the organisation has no enabled trunk: its calls
	// go to the built-in demo line.
	Demo bool
}

// Agent is the user behind a softphone.
type Agent struct {
	OrgID warmline.OrgID
	ID    warmline.UserID
	Name  string
}
