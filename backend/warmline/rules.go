package warmline

import "time"

// The rules engine's domain (issue 5; docs/rules.md): the working calendar,
// contacts, work queues, automatic actions and the agent's day.

// WorkingHours is the working interval of one weekday (ISO: 1 = Monday ...
// 7 = Sunday) as local "HH:MM" times; a weekday without one is a day off.
type WorkingHours struct {
	Weekday int    `json:"weekday" db:"isodow"`
	Opens   string `json:"opens" db:"opens"`
	Closes  string `json:"closes" db:"closes"`
}

// Holiday is a whole day off ("2026-01-07").
type Holiday struct {
	Date string `json:"date" db:"day"`
	Name string `json:"name" db:"name"`
}

// Calendar is an organisation's working time, on which cooling periods count.
type Calendar struct {
	TimeZone string          `json:"time_zone"`
	Hours    []*WorkingHours `json:"hours"`
	Holidays []*Holiday      `json:"holidays"`
}

// CalendarInput replaces the calendar; nil leaves a part as it is.
type CalendarInput struct {
	TimeZone *string         `json:"time_zone"`
	Hours    *[]WorkingHours `json:"hours"`
	Holidays *[]Holiday      `json:"holidays"`
}

// RuleSettings are the organisation-wide settings of the rules engine.
type RuleSettings struct {
	// ContactMinSeconds: a connected call at least this long is a contact,
	// a shorter one an attempt.
	ContactMinSeconds int `json:"contact_min_seconds" db:"contact_min_seconds"`
	// ObjectiveFunnel: a new client's first contact ends in the rejected
	// stage unless the agent picks another outcome within the after-call
	// window (wrap_up_seconds).
	ObjectiveFunnel bool `json:"objective_funnel" db:"objective_funnel"`
	WrapUpSeconds   int  `json:"wrap_up_seconds" db:"wrap_up_seconds"`
}

// RuleSettingsUpdate changes the settings; nil leaves a field as is.
type RuleSettingsUpdate struct {
	ContactMinSeconds *int  `json:"contact_min_seconds"`
	ObjectiveFunnel   *bool `json:"objective_funnel"`
}

// Contact kinds: calls are recorded by the call flow, the others by hand.
const (
	ContactCall    = "call"
	ContactMeeting = "meeting"
	ContactEmail   = "email"
	ContactMessage = "message"
)

// Contact is one touch of a client: a contact (counted) or, for a call that
// did not connect or was too short, an attempt.
type Contact struct {
	ID        int64     `json:"id" db:"id"`
	ClientID  ClientID  `json:"client_id" db:"client_id"`
	Kind      string    `json:"kind" db:"kind"`
	Counted   string    `json:"counted" db:"counted"` // contact or attempt
	CallID    *CallID   `json:"call_id" db:"call_id"`
	UserID    *UserID   `json:"user_id" db:"user_id"`
	UserName  string    `json:"user_name" db:"user_name"`
	Note      string    `json:"note" db:"note"`
	At        time.Time `json:"at" db:"at"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// ContactInput logs a manual contact; At defaults to now.
type ContactInput struct {
	Kind string     `json:"kind"`
	Note string     `json:"note"`
	At   *time.Time `json:"at"`
}

// AfterCallInput is the after-call form's answer: rejected, keep,
// advance (the next open stage) or stage (with stage_id).
type AfterCallInput struct {
	Outcome string   `json:"outcome"`
	StageID *StageID `json:"stage_id"`
}

// AfterCall is the recorded after-call answer, with the client as it is after it.
type AfterCall struct {
	CallID    CallID    `json:"call_id"`
	Outcome   string    `json:"outcome"`
	Client    Client    `json:"client"`
	DecidedAt time.Time `json:"decided_at"`
}

// Work item kinds: the queues.
const (
	WorkCallback    = "callback"     // a callback is due (next action, missed call)
	WorkCoolingSoon = "cooling_soon" // the client cools soon
	WorkCooled      = "cooled"       // the client has cooled
	WorkZombie      = "zombie"       // contact limit reached without progress: a supervisor decides
)

// WorkItemKinds lists the queues in My day's order.
var WorkItemKinds = []string{WorkCallback, WorkCoolingSoon, WorkCooled, WorkZombie}

// WorkItem is one entry of a work queue.
type WorkItem struct {
	ID         int64      `json:"id" db:"id"`
	Kind       string     `json:"kind" db:"kind"`
	ClientID   ClientID   `json:"client_id" db:"client_id"`
	ClientName string     `json:"client_name" db:"client_name"`
	OwnerID    *UserID    `json:"owner_id" db:"owner_id"`
	OwnerName  string     `json:"owner_name" db:"owner_name"`
	Reason     string     `json:"reason" db:"reason"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	ClosedAt   *time.Time `json:"closed_at" db:"closed_at"`
	ClosedBy   *UserID    `json:"closed_by" db:"closed_by"`
	// Decision says how it closed: resolved (the condition passed), keep,
	// handoff, reject (a supervisor's decision on a zombie) or undone.
	Decision *string `json:"decision" db:"decision"`
}

// WorkItemFilter selects work items for the supervisors' queues.
type WorkItemFilter struct {
	Kind    string  // "": every kind
	OwnerID *UserID // nil: any owner
	Open    bool    // only open items
	Limit   int
}

// QueueCount summarises one queue.
type QueueCount struct {
	Kind     string     `json:"kind" db:"kind"`
	Count    int        `json:"count" db:"count"`
	OldestAt *time.Time `json:"oldest_at" db:"oldest_at"`
}

// WorkItemList is a page of work items with every open queue's count.
type WorkItemList struct {
	Items  []*WorkItem   `json:"items"`
	Counts []*QueueCount `json:"counts"`
}

// Zombie decisions a supervisor takes in one click.
const (
	DecisionKeep    = "keep"
	DecisionHandoff = "handoff"
	DecisionReject  = "reject"
)

// RuleAction is one automatic action of the engine (or a supervisor's
// decision on a zombie), with its reason and the state before and after,
// so that a supervisor can undo it.
type RuleAction struct {
	ID         int64          `json:"id" db:"id"`
	ClientID   ClientID       `json:"client_id" db:"client_id"`
	WorkItemID *int64         `json:"work_item_id" db:"work_item_id"`
	Rule       string         `json:"rule" db:"rule"`     // cooling, zombie, objective_funnel
	Action     string         `json:"action" db:"action"` // queue, reassign, move, reject, handoff, keep
	Reason     string         `json:"reason" db:"reason"`
	Before     map[string]any `json:"before" db:"-"`
	After      map[string]any `json:"after" db:"-"`
	ActorID    *UserID        `json:"actor_id" db:"actor_id"`
	CreatedAt  time.Time      `json:"created_at" db:"created_at"`
	UndoneAt   *time.Time     `json:"undone_at" db:"undone_at"`
	UndoneBy   *UserID        `json:"undone_by" db:"undone_by"`
}

// My day sections, in the order the day is worked.
const (
	DayCallback    = "callback"
	DayCoolingSoon = "cooling_soon"
	DayCooled      = "cooled"
	DayInProgress  = "in_progress"
	DayNew         = "new"
)

// MyDayItem is one client on an agent's day, with why it is there.
type MyDayItem struct {
	Section    string `json:"section"`
	WorkItemID *int64 `json:"work_item_id"`
	Reason     string `json:"reason"`
	Client     Client `json:"client"`
}

// MyDay is an agent's day: callbacks and clients cooling soon first, then
// cooled clients, then clients in progress by next-action date, then new ones.
type MyDay struct {
	AgentID UserID       `json:"agent_id"`
	Items   []*MyDayItem `json:"items"`
}
