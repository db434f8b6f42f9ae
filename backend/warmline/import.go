package warmline

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"time"
)

// Import modes: all rows or none, or the good rows with a report of the bad.
const (
	ImportAllOrNothing = "all_or_nothing"
	ImportSkipBadRows  = "skip_bad_rows"
)

// Import statuses.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// Import is a CSV import of clients, polled for progress.
type Import struct {
	ID         int64        `json:"id" db:"id"`
	FileName   string       `json:"file_name" db:"file_name"`
	Mode       string       `json:"mode" db:"mode"`
	Status     string       `json:"status" db:"status"`
	TotalRows  int          `json:"total_rows" db:"total_rows"`
	Processed  int          `json:"processed" db:"processed"`
	Created    int          `json:"created" db:"created"`
	Skipped    int          `json:"skipped" db:"skipped"`
	Errors     ImportErrors `json:"errors" db:"errors"`
	Message    string       `json:"message" db:"message"`
	CreatedAt  time.Time    `json:"created_at" db:"created_at"`
	FinishedAt *time.Time   `json:"finished_at" db:"finished_at"`
}

// ImportError says why one line of a CSV file was not imported. Line counts
// from 1 and includes the header line, as a spreadsheet shows it.
type ImportError struct {
	Line  int    `json:"line"`
	Field string `json:"field"`
	Error string `json:"error"`
	Value string `json:"value,omitempty"`
}

// ImportRow is one data line of a CSV file after column mapping; values are
// as written in the file (phones not yet normalised).
type ImportRow struct {
	Line       int
	Name       string
	Company    string
	Phones     []string
	Email      string
	Channel    string
	OwnerEmail string
	Stage      string
	Notes      string
}

// ImportService runs CSV imports for the caller's organisation.
type ImportService interface {
	// StartImport validates rows and imports them in the background; the
	// returned Import is polled with FindImport.
	StartImport(ctx context.Context, fileName, mode string, rows []ImportRow, parseErrors []ImportError) (*Import, error)
	FindImport(ctx context.Context, id int64) (*Import, error)
}

// ImportErrors is stored as a JSON array.
type ImportErrors []ImportError

// Scan implements sql.Scanner for a jsonb column.
func (e *ImportErrors) Scan(src any) error { return scanJSON(src, (*[]ImportError)(e)) }

// Value implements driver.Valuer.
func (e ImportErrors) Value() (driver.Value, error) {
	if e == nil {
		e = ImportErrors{}
	}
	b, err := json.Marshal([]ImportError(e))
	return string(b), err
}

// MarshalJSON never writes null.
func (e ImportErrors) MarshalJSON() ([]byte, error) {
	if e == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]ImportError(e))
}
