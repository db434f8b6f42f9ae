package warmline

import "time"

// Plan periods and metrics.
var (
	PlanPeriods = []string{"day", "week", "month", "quarter"}
	PlanMetrics = []string{"contacts", "new_clients", "advances", "wins"}
)

// Plan is an agent's targets per period. Lag accumulates from StartsOn:
// what an agent fell short by in earlier periods is still due.
type Plan struct {
	ID         int64     `json:"id" db:"id"`
	AgentID    UserID    `json:"agent_id" db:"agent_id"`
	AgentName  string    `json:"agent_name" db:"agent_name"`
	Period     string    `json:"period" db:"period"`
	Contacts   int       `json:"contacts" db:"contacts"`       // real touches (calls of meaningful length, meetings...)
	NewClients int       `json:"new_clients" db:"new_clients"` // clients created with the agent as owner
	Advances   int       `json:"advances" db:"advances"`       // moves forward in the funnel (not to rejected)
	Wins       int       `json:"wins" db:"wins"`               // moves to a won stage
	StartsOn   string    `json:"starts_on" db:"starts_on"`     // YYYY-MM-DD, in the organisation's time zone
	CreatedAt  time.Time `json:"created_at" db:"created_at"`
	UpdatedAt  time.Time `json:"updated_at" db:"updated_at"`
}

// PlanInput creates or changes a plan; nil leaves a field unchanged.
type PlanInput struct {
	AgentID    *UserID `json:"agent_id"` // create only
	Period     *string `json:"period"`   // create only
	Contacts   *int    `json:"contacts"`
	NewClients *int    `json:"new_clients"`
	Advances   *int    `json:"advances"`
	Wins       *int    `json:"wins"`
	StartsOn   *string `json:"starts_on"`
}

// PlanSettings are the organisation's plan settings.
type PlanSettings struct {
	// AlertThreshold: an alert is raised when an agent is behind what is
	// due by now by at least this many percent (and by one whole unit).
	AlertThreshold int `json:"alert_threshold"`
}

// PlanMetric is one target's progress in the current period.
type PlanMetric struct {
	Metric   string  `json:"metric"`
	Target   int     `json:"target"`   // per period
	Carried  float64 `json:"carried"`  // lag brought from earlier periods
	Expected float64 `json:"expected"` // due by now: the target's share of working time elapsed, plus Carried
	Actual   int     `json:"actual"`   // done this period
	Lag      float64 `json:"lag"`      // Expected - Actual (negative: ahead)
	Behind   bool    `json:"behind"`   // past the alert threshold
}

// PlanProgress is a plan's current period and its metrics.
type PlanProgress struct {
	PlanID      int64         `json:"plan_id"`
	AgentID     UserID        `json:"agent_id"`
	AgentName   string        `json:"agent_name"`
	Period      string        `json:"period"`
	PeriodStart time.Time     `json:"period_start"`
	PeriodEnd   time.Time     `json:"period_end"`
	Elapsed     float64       `json:"elapsed"` // share of the period's working time gone, 0..1
	Metrics     []*PlanMetric `json:"metrics"`
}

// PlanProgressReport is every visible plan's progress.
type PlanProgressReport struct {
	AlertThreshold int             `json:"alert_threshold"`
	Items          []*PlanProgress `json:"items"`
}

// PlanAlert is the data of a plan.alert event (frontend/src/lib/types.ts PlanAlert).
type PlanAlert struct {
	PlanID   int64   `json:"plan_id"`
	AgentID  UserID  `json:"agent_id"`
	Metric   string  `json:"metric"`
	Target   int     `json:"target"`
	Actual   int     `json:"actual"`
	Expected float64 `json:"expected"`
	Lag      float64 `json:"lag"`
	Reason   string  `json:"reason"`
}
