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
	// Calls (written by the gateway's store, postgres/call_store.go).
	EventCallRinging  = "call.ringing"
	EventCallAnswered = "call.answered"
	EventCallHeld     = "call.held" // held or resumed: data.held says which
	EventCallEnded    = "call.ended"
	EventCallMissed   = "call.missed" // an inbound call nobody took, with its reason
	EventTrunkChanged = "trunk.changed"
	// The rules engine (postgres/rules_*.go).
	EventWorkItemCreated = "work_item.created"
	EventWorkItemClosed  = "work_item.closed"
	EventRuleAction      = "rule.action"
	EventPlanAlert       = "plan.alert"
	// Integrations and plans (postgres/webhook_store.go, email_store.go,
	// plan_store.go). Their data carries no secret: every user receives it.
	EventWebhookChanged = "webhook.changed"
	EventEmailChanged   = "email_settings.changed"
	EventPlanChanged    = "plan.changed"
)

// Event is a durable, sequenced record of a change.
type Event struct {
	OrgID     OrgID           `json:"-" db:"org_id"`
	Seq       int64           `json:"seq" db:"seq"`
	Type      string          `json:"type" db:"type"`
	Data      json.RawMessage `json:"data" db:"data"`
	CreatedAt time.Time       `json:"created_at" db:"created_at"`
}
