package warmline

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// ClientID identifies a client.
type ClientID int64

// CoolingState says where a client stands against its stage's cooling period.
type CoolingState string

const (
	CoolingNone   CoolingState = "none"   // the stage does not cool (terminal, or no period)
	CoolingOK     CoolingState = "ok"     // contacted recently enough
	CoolingSoonSt CoolingState = "soon"   // will cool within the stage's "cooling soon" threshold
	CoolingCooled CoolingState = "cooled" // no contact for longer than the cooling period
)

// Valid reports whether s is a known state.
func (s CoolingState) Valid() bool {
	return s == CoolingNone || s == CoolingOK || s == CoolingSoonSt || s == CoolingCooled
}

// Client is a company or person being sold to.
type Client struct {
	ID             ClientID     `json:"id" db:"id"`
	OrgID          OrgID        `json:"-" db:"org_id"`
	Name           string       `json:"name" db:"name"`
	Company        string       `json:"company" db:"company"`
	Phones         Phones       `json:"phones" db:"phones"` // E.164, first is main
	Email          string       `json:"email" db:"email"`
	Channel        string       `json:"channel" db:"channel"` // source channel: ads, site, referral, cold...
	OwnerID        *UserID      `json:"owner_id" db:"owner_id"`
	StageID        StageID      `json:"stage_id" db:"stage_id"`
	StageEnteredAt time.Time    `json:"stage_entered_at" db:"stage_entered_at"`
	FirstContactAt *time.Time   `json:"first_contact_at" db:"first_contact_at"`
	LastContactAt  *time.Time   `json:"last_contact_at" db:"last_contact_at"`
	Contacts       int          `json:"contacts" db:"contacts"`             // real touches, all stages
	StageContacts  int          `json:"stage_contacts" db:"stage_contacts"` // touches since entering the stage
	Attempts       int          `json:"attempts" db:"attempts"`             // calls that did not connect
	Notes          string       `json:"notes" db:"notes"`
	CoolingSoonAt  *time.Time   `json:"cooling_soon_at" db:"cooling_soon_at"`
	CoolsAt        *time.Time   `json:"cools_at" db:"cools_at"`
	CoolingState   CoolingState `json:"cooling_state" db:"cooling_state"`
	// NextActionAt is when the agent means to act next (a callback falls
	// due then); HandedOff: the zombie rule handed it to another channel.
	NextActionAt *time.Time `json:"next_action_at" db:"next_action_at"`
	HandedOff    bool       `json:"handed_off" db:"handed_off"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at" db:"updated_at"`
}

// ClientInput creates or changes a client; nil leaves a field as is on
// update and takes the default on create. Phones may be in any format; they
// are stored in E.164 using the organisation's default country.
type ClientInput struct {
	Name    *string   `json:"name"`
	Company *string   `json:"company"`
	Phones  *[]string `json:"phones"`
	Email   *string   `json:"email"`
	Channel *string   `json:"channel"`
	OwnerID *UserID   `json:"owner_id"` // 0 clears the owner
	StageID *StageID  `json:"stage_id"` // create only; use MoveClient to change
	Notes   *string   `json:"notes"`
}

// ClientFilter selects and orders clients for a list.
type ClientFilter struct {
	Query   string       // name, company, e-mail or phone in any format
	StageID StageID      // 0: any
	OwnerID *UserID      // nil: any; pointer to 0: unowned
	Channel string       // "": any
	Cooling CoolingState // "": any
	Sort    string       // one of ClientSorts
	Desc    bool
	Page    int // from 1
	PerPage int // at most MaxPerPage
}

// ClientSorts are the columns a client list may be sorted by.
var ClientSorts = []string{"name", "company", "created_at", "updated_at", "stage_entered_at", "last_contact_at", "cools_at", "contacts"}

// MaxPerPage bounds a list page.
const MaxPerPage = 200

// ClientPage is one page of a client list with the total count.
type ClientPage struct {
	Items   []*Client `json:"items"`
	Total   int       `json:"total"`
	Page    int       `json:"page"`
	PerPage int       `json:"per_page"`
	// EventSeq is the organisation's last event as of this page: events
	// up to it are in Items and Total, events after it are not.
	EventSeq int64 `json:"event_seq"`
}

// ClientService manages the clients the caller may see.
type ClientService interface {
	FindClients(ctx context.Context, f ClientFilter) (*ClientPage, error)
	FindClient(ctx context.Context, id ClientID) (*Client, error)
	CreateClient(ctx context.Context, in ClientInput) (*Client, error)
	UpdateClient(ctx context.Context, id ClientID, in ClientInput) (*Client, error)
	DeleteClient(ctx context.Context, id ClientID) error
	// MoveClient puts a client in another stage and records the transition.
	MoveClient(ctx context.Context, id ClientID, to StageID, reason string) (*Client, error)
	FindTransitions(ctx context.Context, id ClientID) ([]*Transition, error)
}

// Transition is one recorded move of a client between stages.
type Transition struct {
	ID          int64     `json:"id" db:"id"`
	ClientID    ClientID  `json:"client_id" db:"client_id"`
	FromStageID *StageID  `json:"from_stage_id" db:"from_stage_id"`
	ToStageID   StageID   `json:"to_stage_id" db:"to_stage_id"`
	FromStage   string    `json:"from_stage_name" db:"from_stage_name"` // names as of now; kept for deleted stages
	ToStage     string    `json:"to_stage_name" db:"to_stage_name"`
	ActorID     *UserID   `json:"actor_id" db:"actor_id"` // nil when the product moved it
	ActorName   string    `json:"actor_name" db:"actor_name"`
	Reason      string    `json:"reason" db:"reason"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
}

// Phones is a client's list of numbers in E.164, stored as a JSON array.
type Phones []string

// Scan implements sql.Scanner for a jsonb column.
func (p *Phones) Scan(src any) error { return scanJSON(src, (*[]string)(p)) }

// Value implements driver.Valuer.
func (p Phones) Value() (driver.Value, error) {
	if p == nil {
		p = Phones{}
	}
	b, err := json.Marshal([]string(p))
	return string(b), err
}

// MarshalJSON never writes null.
func (p Phones) MarshalJSON() ([]byte, error) {
	if p == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(p))
}

// scanJSON decodes a jsonb column into dst; NULL leaves dst empty.
func scanJSON(src, dst any) error {
	switch v := src.(type) {
	case nil:
		return nil
	case []byte:
		return json.Unmarshal(v, dst)
	case string:
		return json.Unmarshal([]byte(v), dst)
	}
	return fmt.Errorf("scan json: unexpected %T", src)
}

// ChannelCount is a source channel in use and how many clients came from it.
type ChannelCount struct {
	Name    string `json:"name" db:"name"`
	Clients int    `json:"clients" db:"clients"`
}
