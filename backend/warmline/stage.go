package warmline

import (
	"context"
	"time"
)

// StageID identifies a funnel stage.
type StageID int64

// StageKind tells open stages from the terminal ones.
type StageKind string

const (
	StageOpen     StageKind = "open"
	StageWon      StageKind = "won"
	StageRejected StageKind = "rejected"
)

// Valid reports whether k is a known kind.
func (k StageKind) Valid() bool { return k == StageOpen || k == StageWon || k == StageRejected }

// CoolingUnit is how a stage's cooling period is counted.
type CoolingUnit string

const (
	// CoolingWorkingDays counts working days of the organisation's calendar.
	CoolingWorkingDays CoolingUnit = "working_days"
	// CoolingHours counts working hours of the organisation's calendar.
	CoolingHours CoolingUnit = "hours"
)

// Valid reports whether u is a known unit.
func (u CoolingUnit) Valid() bool { return u == CoolingWorkingDays || u == CoolingHours }

// Stage is one step of an organisation's funnel.
type Stage struct {
	ID       StageID   `json:"id" db:"id"`
	OrgID    OrgID     `json:"-" db:"org_id"`
	Name     string    `json:"name" db:"name"`
	Position int       `json:"position" db:"position"`
	Kind     StageKind `json:"kind" db:"kind"`
	// CoolingPeriod is how long a client may stay here without a contact
	// before it has cooled; 0 means the stage never cools.
	CoolingPeriod int         `json:"cooling_period" db:"cooling_period"`
	CoolingUnit   CoolingUnit `json:"cooling_unit" db:"cooling_unit"`
	// CoolingSoon, when > 0, is how long before cooling a client shows as
	// "cooling soon", same unit; 0 uses CoolingSoonPercent.
	CoolingSoon int `json:"cooling_soon" db:"cooling_soon"`
	// ContactLimit is the number of contacts in this stage without progress
	// after which a client is a zombie; 0 means no limit.
	ContactLimit int `json:"contact_limit" db:"contact_limit"`
	// Rules (docs/rules.md). CoolingSoonPercent: a client shows as cooling
	// soon at this share of the period (CoolingSoon > 0 wins when set).
	CoolingSoonPercent int `json:"cooling_soon_percent" db:"cooling_soon_percent"`
	// A cooled client always joins the Cooled queue; besides, its owner is
	// notified, it is reassigned and/or moved to another stage.
	NotifyOwner      bool     `json:"notify_owner" db:"notify_owner"`
	CooledReassignTo *UserID  `json:"cooled_reassign_to" db:"cooled_reassign_to"`
	CooledMoveTo     *StageID `json:"cooled_move_to" db:"cooled_move_to"`
	// ZombieAction at the contact limit: queue (a supervisor decides),
	// reject, or handoff to the channel / e-mail / webhooks below.
	ZombieAction   string    `json:"zombie_action" db:"zombie_action"`
	HandoffChannel string    `json:"handoff_channel" db:"handoff_channel"`
	HandoffEmail   string    `json:"handoff_email" db:"handoff_email"`
	HandoffWebhook bool      `json:"handoff_webhook" db:"handoff_webhook"`
	ClientCount    int       `json:"client_count" db:"client_count"`
	CreatedAt      time.Time `json:"created_at" db:"created_at"`
}

// StageInput creates or changes a stage; nil leaves a field as is on update
// and takes the default on create.
type StageInput struct {
	Name          *string      `json:"name"`
	Kind          *StageKind   `json:"kind"`
	CoolingPeriod *int         `json:"cooling_period"`
	CoolingUnit   *CoolingUnit `json:"cooling_unit"`
	CoolingSoon   *int         `json:"cooling_soon"`
	ContactLimit  *int         `json:"contact_limit"`
	// Rules; for the two references 0 clears them.
	CoolingSoonPercent *int     `json:"cooling_soon_percent"`
	NotifyOwner        *bool    `json:"notify_owner"`
	CooledReassignTo   *UserID  `json:"cooled_reassign_to"`
	CooledMoveTo       *StageID `json:"cooled_move_to"`
	ZombieAction       *string  `json:"zombie_action"`
	HandoffChannel     *string  `json:"handoff_channel"`
	HandoffEmail       *string  `json:"handoff_email"`
	HandoffWebhook     *bool    `json:"handoff_webhook"`
}

// StageService manages the caller's funnel.
type StageService interface {
	FindStages(ctx context.Context) ([]*Stage, error)
	CreateStage(ctx context.Context, in StageInput) (*Stage, error)
	UpdateStage(ctx context.Context, id StageID, in StageInput) (*Stage, error)
	// ReorderStages sets the order of all stages; ids must list each stage once.
	ReorderStages(ctx context.Context, ids []StageID) ([]*Stage, error)
	// DeleteStage deletes an empty stage, or first moves its clients to moveTo when it is non-zero.
	DeleteStage(ctx context.Context, id StageID, moveTo StageID) error
}

// DefaultFunnel is the funnel a new organisation starts with: the seed's
// six stages of a cloud-software seller, with its cooling periods (cooling
// soon at the default 80 %) and the zombie limit of 7 contacts.
func DefaultFunnel(locale string) []Stage {
	names := []string{"Новый клиент", "Первый контакт", "Демо", "Тёплый клиент", "Сделка", "Отказ"}
	if locale == "en" {
		names = []string{"New client", "First contact", "Demo", "Warm client", "Won", "Rejected"}
	}
	return []Stage{
		{Name: names[0], Kind: StageOpen, CoolingPeriod: 1, CoolingUnit: CoolingWorkingDays, CoolingSoon: 0, ContactLimit: 7},
		{Name: names[1], Kind: StageOpen, CoolingPeriod: 3, CoolingUnit: CoolingWorkingDays, CoolingSoon: 0, ContactLimit: 7},
		{Name: names[2], Kind: StageOpen, CoolingPeriod: 3, CoolingUnit: CoolingWorkingDays, CoolingSoon: 0, ContactLimit: 7},
		{Name: names[3], Kind: StageOpen, CoolingPeriod: 5, CoolingUnit: CoolingWorkingDays, CoolingSoon: 0, ContactLimit: 7},
		{Name: names[4], Kind: StageWon},
		{Name: names[5], Kind: StageRejected},
	}
}
