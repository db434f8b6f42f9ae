// Package realtime is the hub behind /ws: it pushes every committed event
// of an organisation to its open browsers, in sequence order, and lets a
// reconnecting browser resume exactly where it stopped (docs/realtime.md).
//
// The events table is the truth; Postgres NOTIFY only wakes the hubs, so
// any number of `warmline serve` processes on one database each deliver
// every event to their own connections.
package realtime

import (
	"encoding/json"
	"slices"

	"github.com/warmline/warmline/backend/warmline"
)

// Message types of the protocol besides the event types of warmline/event.go.
const (
	TypeHello  = "hello"
	TypeResync = "resync"
	TypePing   = "ping"
	TypePong   = "pong"
	// TypeSkip stands for an event this user may not see, so that the
	// sequence has no holes and a hole always means something was lost.
	TypeSkip = "skip"
)

// Message is one frame of the protocol.
type Message struct {
	Type string          `json:"type"`
	Seq  int64           `json:"seq"`
	Data json.RawMessage `json:"data,omitempty"`
}

// clientMessage is what a browser may send.
type clientMessage struct {
	Type string `json:"type"`
}

// event is a committed event as the hub keeps it: encoded once for every
// connection, with what filtering needs decoded once too.
type event struct {
	seq   int64
	typ   string
	frame []byte // the encoded Message, framed (frame.go)
	skip  []byte // what goes to a user who may not see it, framed
	// An agent sees the event only when among viewers if it is private
	// (another agent's plan alert), or if it is restricted and the
	// organisation limits agents to their own clients (events about a
	// client: its owner; about a call: its agent and the client's owner).
	restricted, private bool
	viewers             []warmline.UserID
}

func newEvent(e *warmline.Event) (*event, error) {
	payload, err := json.Marshal(Message{Type: e.Type, Seq: e.Seq, Data: e.Data})
	if err != nil {
		return nil, err
	}
	ev := &event{seq: e.Seq, typ: e.Type, frame: textFrame(payload), skip: mustFrame(Message{Type: TypeSkip, Seq: e.Seq})}
	// Only what filtering needs is decoded; a field that is absent or
	// null leaves nobody but supervisors seeing a restricted event.
	var d struct {
		OwnerID       *warmline.UserID `json:"owner_id"`
		AgentID       *warmline.UserID `json:"agent_id"`
		ClientOwnerID *warmline.UserID `json:"client_owner_id"`
		Client        struct {
			OwnerID *warmline.UserID `json:"owner_id"`
		} `json:"client"`
	}
	switch e.Type {
	case warmline.EventClientCreated, warmline.EventClientUpdated:
		_ = json.Unmarshal(e.Data, &d)
		ev.restrict(d.OwnerID)
	case warmline.EventClientMoved:
		_ = json.Unmarshal(e.Data, &d)
		ev.restrict(d.Client.OwnerID)
	case warmline.EventCallRinging, warmline.EventCallAnswered, warmline.EventCallHeld, warmline.EventCallEnded, warmline.EventCallMissed:
		_ = json.Unmarshal(e.Data, &d)
		ev.restrict(d.AgentID, d.ClientOwnerID)
	case warmline.EventWorkItemCreated, warmline.EventWorkItemClosed:
		_ = json.Unmarshal(e.Data, &d)
		ev.restrict(d.OwnerID)
	case warmline.EventRuleAction:
		// It names the client but not its owner; such an agent follows
		// their own clients through work items and client events.
		ev.restrict()
	case warmline.EventPlanAlert:
		_ = json.Unmarshal(e.Data, &d)
		ev.private = true
		ev.restrict(d.AgentID)
	}
	return ev, nil
}

func (ev *event) restrict(viewers ...*warmline.UserID) {
	ev.restricted = true
	for _, v := range viewers {
		if v != nil {
			ev.viewers = append(ev.viewers, *v)
		}
	}
}

// frameFor is what a subscriber gets for ev: the event, or a skip when
// the subscriber may not see it.
func (ev *event) frameFor(s *subscriber, agentsOwnOnly bool) []byte {
	if s.actor.Role != warmline.RoleAgent || !ev.private && !(ev.restricted && agentsOwnOnly) {
		return ev.frame
	}
	if slices.Contains(ev.viewers, s.actor.UserID) {
		return ev.frame
	}
	return ev.skip
}
