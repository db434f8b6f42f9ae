package warmline

import "time"

// EmailSettings is how an organisation's e-mail leaves (SMTP). The password
// is write-only: HasPassword says whether one is set.
type EmailSettings struct {
	Configured     bool       `json:"configured" db:"-"` // false: no SMTP server, no e-mail is sent
	Host           string     `json:"host" db:"host"`
	Port           int        `json:"port" db:"port"`
	Security       string     `json:"security" db:"security"` // none, starttls, tls
	Username       string     `json:"username" db:"username"`
	HasPassword    bool       `json:"has_password" db:"has_password"`
	FromAddress    string     `json:"from_address" db:"from_address"`
	HandoffAddress string     `json:"handoff_address" db:"handoff_address"` // zombie hand-offs go here
	UpdatedAt      *time.Time `json:"updated_at" db:"updated_at"`
}

// EmailSettingsInput sets the SMTP settings; nil leaves a field unchanged
// (all but password are required the first time). An empty password
// removes it.
type EmailSettingsInput struct {
	Host           *string `json:"host"`
	Port           *int    `json:"port"`
	Security       *string `json:"security"`
	Username       *string `json:"username"`
	Password       *string `json:"password"`
	FromAddress    *string `json:"from_address"`
	HandoffAddress *string `json:"handoff_address"`
}

// EmailSecurities are the SMTP security modes.
var EmailSecurities = []string{"none", "starttls", "tls"}

// EmailTest asks for a test e-mail to To.
type EmailTest struct {
	To string `json:"to"`
}

// EmailTestResult says whether the SMTP server took the test e-mail, and
// if not, what it said.
type EmailTestResult struct {
	Sent  bool   `json:"sent"`
	Error string `json:"error"`
}
