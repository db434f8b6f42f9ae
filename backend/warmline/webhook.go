package warmline

import "time"

// Webhook is an endpoint that receives the organisation's events. The
// secret signs every request; it is shown once, in the answer that creates
// the endpoint (Secret), and never again.
type Webhook struct {
	ID          int64     `json:"id" db:"id"`
	OrgID       OrgID     `json:"-" db:"org_id"`
	URL         string    `json:"url" db:"url"`
	Description string    `json:"description" db:"description"`
	EventTypes  []string  `json:"event_types" db:"-"` // empty: every event
	Enabled     bool      `json:"enabled" db:"enabled"`
	Secret      string    `json:"secret,omitempty" db:"-"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
	UpdatedAt   time.Time `json:"updated_at" db:"updated_at"`
}

// WebhookInput creates or changes an endpoint; nil leaves a field unchanged.
type WebhookInput struct {
	URL         *string   `json:"url"`
	Description *string   `json:"description"`
	EventTypes  *[]string `json:"event_types"`
	Enabled     *bool     `json:"enabled"`
}

// Webhook delivery states.
const (
	DeliveryPending   = "pending"   // waiting for its first or next attempt
	DeliveryDelivered = "delivered" // the endpoint answered 2xx
	DeliveryFailed    = "failed"    // every attempt failed; a user may resend it
)

// WebhookTestEvent is the type of the event "send test event" delivers.
const WebhookTestEvent = "webhook.test"

// WebhookDelivery is one event's delivery to one endpoint, as the delivery
// log shows it.
type WebhookDelivery struct {
	ID            int64      `json:"id" db:"id"`
	WebhookID     int64      `json:"webhook_id" db:"webhook_id"`
	EventSeq      *int64     `json:"event_seq" db:"event_seq"` // null for a test event
	EventType     string     `json:"event_type" db:"event_type"`
	Status        string     `json:"status" db:"status"`
	Attempts      int        `json:"attempts" db:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at" db:"next_attempt_at"` // null once delivered or failed
	LastAttemptAt *time.Time `json:"last_attempt_at" db:"last_attempt_at"`
	LastStatus    *int       `json:"last_status" db:"last_status"` // HTTP status; null when no answer came
	LastError     string     `json:"last_error" db:"last_error"`
	LastResponse  string     `json:"last_response" db:"last_response"` // the answer's first 200 bytes
	LastLatencyMS *int       `json:"last_latency_ms" db:"last_latency_ms"`
	DeliveredAt   *time.Time `json:"delivered_at" db:"delivered_at"`
	CreatedAt     time.Time  `json:"created_at" db:"created_at"`
}

// WebhookPayload is the JSON body POSTed to an endpoint. ID is the
// idempotency key ("<org>-<seq>"): a receiver that has seen it may drop a
// repeat, since delivery is at least once.
type WebhookPayload struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Seq       int64     `json:"seq"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}

// EventTypes lists every event type, in event.go's order, for webhook
// filters (webhook_test.go keeps it complete).
var EventTypes = []string{
	EventClientCreated, EventClientUpdated, EventClientDeleted, EventClientMoved, EventClientsImported,
	EventStageCreated, EventStageUpdated, EventStagesReordered, EventStageDeleted,
	EventUserCreated, EventUserUpdated, EventOrgUpdated, EventAgentState,
	EventCallRinging, EventCallAnswered, EventCallHeld, EventCallEnded, EventCallMissed, EventTrunkChanged,
	EventWorkItemCreated, EventWorkItemClosed, EventRuleAction, EventPlanAlert,
	EventWebhookChanged, EventEmailChanged, EventPlanChanged,
}
