package warmline

import (
	"context"
	"time"
)

// FunnelStage is one stage's live figures for the wallboard.
type FunnelStage struct {
	StageID StageID   `json:"stage_id" db:"stage_id"`
	Name    string    `json:"name" db:"name"`
	Kind    StageKind `json:"kind" db:"kind"`
	// Clients are in the stage now; Cooled and CoolingSoon of them.
	Clients     int `json:"clients" db:"clients"`
	CoolingSoon int `json:"cooling_soon" db:"cooling_soon"`
	Cooled      int `json:"cooled" db:"cooled"`
	// Entered is how many clients entered the stage since the report's
	// start; Advanced how many of them went on to a later stage.
	Entered  int `json:"entered" db:"entered"`
	Advanced int `json:"advanced" db:"advanced"`
	// Conversion is Advanced/Entered (0 when nobody entered).
	Conversion float64 `json:"conversion" db:"-"`
}

// FunnelReport is the funnel's live state and its conversion per stage.
type FunnelReport struct {
	Since  time.Time      `json:"since"`
	Stages []*FunnelStage `json:"stages"`
}

// ReportService computes the figures supervisors watch.
type ReportService interface {
	// FunnelReport counts clients per stage now and the conversion of each
	// stage to any later one for clients who entered it since `since`.
	FunnelReport(ctx context.Context, since time.Time) (*FunnelReport, error)
	// CallsReport lists the calls in progress and counts today's calls.
	CallsReport(ctx context.Context) (*CallsReport, error)
}

// CallsToday are the organisation's call figures since midnight in its
// time zone.
type CallsToday struct {
	Since    time.Time `json:"since" db:"since"`
	Inbound  int       `json:"inbound" db:"inbound"`
	Outbound int       `json:"outbound" db:"outbound"`
	Answered int       `json:"answered" db:"answered"`
	Missed   int       `json:"missed" db:"missed"`
	// NotCalledBack are missed calls with no later connected call with
	// the caller's number, in either direction: callers still waiting.
	NotCalledBack int `json:"not_called_back" db:"not_called_back"`
}

// CallsReport is the wallboard's calls panel: the calls in progress and
// today's figures.
type CallsReport struct {
	Live  []*Call    `json:"live"`
	Today CallsToday `json:"today"`
}
