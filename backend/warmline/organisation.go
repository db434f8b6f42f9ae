package warmline

import (
	"context"
	"time"
)

// OrgID identifies an organisation (a tenant).
type OrgID int64

// Organisation is one company using Warmline.
type Organisation struct {
	ID             OrgID     `json:"id" db:"id"`
	Name           string    `json:"name" db:"name"`
	DefaultCountry string    `json:"default_country" db:"default_country"` // ISO 3166 alpha-2, for parsing national phone numbers
	TimeZone       string    `json:"time_zone" db:"time_zone"`             // IANA name; cooling periods count working days here
	AgentsOwnOnly  bool      `json:"agents_own_clients_only" db:"agents_own_only"`
	CreatedAt      time.Time `json:"created_at" db:"created_at"`

	// Phone (issue 3): click-to-call auto-answer delay and after-call work,
	// in seconds; DemoLine is true while no trunk is enabled.
	AutoAnswerSeconds int  `json:"auto_answer_seconds" db:"auto_answer_seconds"`
	WrapUpSeconds     int  `json:"wrap_up_seconds" db:"wrap_up_seconds"`
	DemoLine          bool `json:"demo_line" db:"demo_line"`
}

// OrganisationUpdate holds the settings an admin may change; nil leaves a field as is.
type OrganisationUpdate struct {
	Name           *string `json:"name"`
	DefaultCountry *string `json:"default_country"`
	TimeZone       *string `json:"time_zone"`
	AgentsOwnOnly  *bool   `json:"agents_own_clients_only"`

	// Phone (issue 3).
	AutoAnswerSeconds *int `json:"auto_answer_seconds"` // 0-60
	WrapUpSeconds     *int `json:"wrap_up_seconds"`     // 0-3600
}

// SignUp is what a new organisation gives when it registers.
type SignUp struct {
	OrgName  string `json:"org_name"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"`
	Locale   string `json:"locale"`
	Country  string `json:"default_country"`
	TimeZone string `json:"time_zone"`
}

// OrganisationService manages the caller's organisation.
type OrganisationService interface {
	// SignUp creates an organisation with the default funnel and its first admin.
	SignUp(ctx context.Context, s SignUp) (*Organisation, *User, error)
	FindOrganisation(ctx context.Context) (*Organisation, error)
	UpdateOrganisation(ctx context.Context, u OrganisationUpdate) (*Organisation, error)
}
