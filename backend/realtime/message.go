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
	frame []byte // the encoded Message
	skip  []byte // what goes to a user who may not see it
	// owner is the owner of the client the event is about, when it is
	// about a client; agents of an organisation that limits them to their
	// own clients get such events only for their own clients.
	owner    *warmline.UserID
	isClient bool
}

func newEvent(e *warmline.Event) (*event, error) {
	frame, err := json.Marshal(Message{Type: e.Type, Seq: e.Seq, Data: e.Data})
	if err != nil {
		return nil, err
	}
	ev := &event{seq: e.Seq, typ: e.Type, frame: frame, skip: mustFrame(Message{Type: TypeSkip, Seq: e.Seq})}
	switch e.Type {
	case warmline.EventClientCreated, warmline.EventClientUpdated:
		var c struct {
			OwnerID *warmline.UserID `json:"owner_id"`
		}
		_ = json.Unmarshal(e.Data, &c)
		ev.owner, ev.isClient = c.OwnerID, true
	case warmline.EventClientMoved:
		var m struct {
			Client struct {
				OwnerID *warmline.UserID `json:"owner_id"`
			} `json:"client"`
		}
		_ = json.Unmarshal(e.Data, &m)
		ev.owner, ev.isClient = m.Client.OwnerID, true
	}
	return ev, nil
}

// frameFor is what a subscriber gets for ev: the event, or a skip when
// the subscriber may not see it.
func (ev *event) frameFor(s *subscriber, agentsOwnOnly bool) []byte {
	if !ev.isClient || !agentsOwnOnly || s.actor.Role != warmline.RoleAgent {
		return ev.frame
	}
	if ev.owner != nil && *ev.owner == s.actor.UserID {
		return ev.frame
	}
	return ev.skip
}
