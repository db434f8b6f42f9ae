package warmline

import (
	"context"
	"time"
)

// TrunkID identifies a SIP trunk.
type TrunkID int64

// Trunk is how an organisation's calls reach the phone network. Password
// is write-only: it is never sent back to a browser (json:"-"); HasPassword
// says whether one is set.
type Trunk struct {
	ID              TrunkID   `json:"id" db:"id"`
	OrgID           OrgID     `json:"-" db:"org_id"`
	Name            string    `json:"name" db:"name"`
	Host            string    `json:"host" db:"host"`
	Port            int       `json:"port" db:"port"`
	Transport       string    `json:"transport" db:"transport"` // udp, tcp
	AuthMode        string    `json:"auth_mode" db:"auth_mode"` // register, ip
	Username        string    `json:"username" db:"username"`
	Password        string    `json:"-" db:"password"`
	HasPassword     bool      `json:"has_password" db:"-"`
	RegisterExpires int       `json:"register_expires" db:"register_expires"` // seconds
	OutboundProxy   string    `json:"outbound_proxy" db:"outbound_proxy"`     // host[:port], empty: send to Host
	CallerID        string    `json:"caller_id" db:"caller_id"`               // number presented on outbound calls
	Codecs          []string  `json:"codecs" db:"-"`                          // PCMU, PCMA in preference order
	AllowedSources  []string  `json:"allowed_sources" db:"-"`                 // IPs or CIDRs INVITEs may come from, besides Host
	Enabled         bool      `json:"enabled" db:"enabled"`
	CreatedAt       time.Time `json:"created_at" db:"created_at"`
	UpdatedAt       time.Time `json:"updated_at" db:"updated_at"`
}

// Line is one of the organisation's phone numbers (DID), arriving on a
// trunk and attributed to an acquisition channel.
type Line struct {
	ID        int64     `json:"id" db:"id"`
	OrgID     OrgID     `json:"-" db:"org_id"`
	Number    string    `json:"number" db:"number"` // E.164
	Name      string    `json:"name" db:"name"`
	ChannelID *int64    `json:"channel_id" db:"channel_id"`
	TrunkID   *TrunkID  `json:"trunk_id" db:"trunk_id"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// TrunkService manages the caller's organisation's trunks and lines (admins).
type TrunkService interface {
	FindTrunks(ctx context.Context) ([]*Trunk, error)
	CreateTrunk(ctx context.Context, t *Trunk) (*Trunk, error)
	UpdateTrunk(ctx context.Context, t *Trunk) (*Trunk, error)
	DeleteTrunk(ctx context.Context, id TrunkID) error
	FindLines(ctx context.Context) ([]*Line, error)
	CreateLine(ctx context.Context, l *Line) (*Line, error)
	UpdateLine(ctx context.Context, l *Line) (*Line, error)
	DeleteLine(ctx context.Context, id int64) error
}
