package warmline

import (
	"encoding/json"
	"time"
)

// Event types. Every change to an organisation's data writes one event in
// the same transaction; the hub and webhooks read them in sequence order.
const (
	EventClientCreated   = "client.created"
	EventClientUpdated   = "client.updated"
	EventClientDeleted   = "client.deleted"
	EventClientMoved     = "client.moved"
	EventClientsImported = "clients.imported"
	EventStageCreated    = "stage.created"
	EventStageUpdated    = "stage.updated"
	EventStagesReordered = "stages.reordered"
	EventStageDeleted    = "stage.deleted"
	EventUserCreated     = "user.created"
	EventUserUpdated     = "user.updated"
	EventOrgUpdated      = "organisation.updated"
	EventAgentState      = "agent.state_changed"
)

// Event is a durable, sequenced record of a change.
type Event struct {
	OrgID     OrgID           `json:"-" db:"org_id"`
	Seq       int64           `json:"seq" db:"seq"`
	Type      string          `json:"type" db:"type"`
	Data      json.RawMessage `json:"data" db:"data"`
	CreatedAt time.Time       `json:"created_at" db:"created_at"`
}
