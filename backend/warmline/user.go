package warmline

import (
	"context"
	"time"
)

// UserID identifies a user.
type UserID int64

// Role is what a user may do in an organisation.
type Role string

const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Rank orders roles: agent < supervisor < admin; unknown roles rank 0.
func (r Role) Rank() int {
	switch r {
	case RoleAgent:
		return 1
	case RoleSupervisor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r.Rank() > 0 }

// User is a person who logs in to an organisation.
type User struct {
	ID        UserID    `json:"id" db:"id"`
	OrgID     OrgID     `json:"org_id" db:"org_id"`
	Email     string    `json:"email" db:"email"`
	Name      string    `json:"name" db:"name"`
	Role      Role      `json:"role" db:"role"`
	Locale    string    `json:"locale" db:"locale"`
	TimeZone  string    `json:"time_zone" db:"time_zone"`
	Active    bool      `json:"active" db:"active"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// NewUser is what an admin gives to create a user.
type NewUser struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	Password string `json:"password"`
	Locale   string `json:"locale"`
	TimeZone string `json:"time_zone"`
}

// UserUpdate changes a user; nil leaves a field as is. Role and Active are
// admin-only; Locale, TimeZone, Name and Password a user may change for themself.
type UserUpdate struct {
	Name     *string `json:"name"`
	Role     *Role   `json:"role"`
	Active   *bool   `json:"active"`
	Locale   *string `json:"locale"`
	TimeZone *string `json:"time_zone"`
	Password *string `json:"password"`
}

// UserService manages the users of the caller's organisation.
type UserService interface {
	FindUsers(ctx context.Context) ([]*User, error)
	FindUser(ctx context.Context, id UserID) (*User, error)
	CreateUser(ctx context.Context, u NewUser) (*User, error)
	UpdateUser(ctx context.Context, id UserID, u UserUpdate) (*User, error)
}

// Locales the UI ships.
var Locales = []string{"ru", "en"}

// ValidLocale reports whether l is a shipped locale.
func ValidLocale(l string) bool { return l == "ru" || l == "en" }
