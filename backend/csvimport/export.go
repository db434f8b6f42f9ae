package csvimport

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// ExportHeader is the header of the client export. Preview suggests each
// column back to its field (or to "" for the counters and dates), so an
// export imports back as it is.
var ExportHeader = []string{"name", "company", "phones", "email", "channel", "owner_email", "stage",
	"contacts", "attempts", "last_contact_at", "created_at", "notes"}

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula (OWASP "CSV injection"): "=", "+", "-", "@", and tab
// and carriage return, which some programs skip before looking.
const formulaStarts = "=+-@\t\r"

// Writer writes the client export: UTF-8 with a byte-order mark (without
// it Excel reads Cyrillic as Windows-1251), comma-separated, with
// ExportHeader first. It buffers; call Flush at the end.
type Writer struct {
	out     io.Writer
	cw      *csv.Writer
	started bool
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Excel writes and RFC 4180 asks for
	return &Writer{out: w, cw: cw}
}

// header writes the byte-order mark and the header line, once.
func (w *Writer) header() error {
	if w.started {
		return nil
	}
	w.started = true
	if _, err := io.WriteString(w.out, "\uFEFF"); err != nil {
		return fmt.Errorf("write csv byte-order mark: %w", err)
	}
	if err := w.cw.Write(ExportHeader); err != nil {
		return fmt.Errorf("write csv header: %w", err)
	}
	return nil
}

// Row writes one client, with its stage's name and its owner's e-mail
// ("" when unowned). The header is written before the first row.
func (w *Writer) Row(c *warmline.Client, stage, ownerEmail string) error {
	if err := w.header(); err != nil {
		return err
	}
	last := ""
	if c.LastContactAt != nil {
		last = c.LastContactAt.Format(time.RFC3339)
	}
	rec := []string{
		guardCell(c.Name),
		guardCell(c.Company),
		phonesCell(c.Phones),
		guardCell(c.Email),
		guardCell(c.Channel),
		guardCell(ownerEmail),
		guardCell(stage),
		strconv.Itoa(c.Contacts),
		strconv.Itoa(c.Attempts),
		last,
		c.CreatedAt.Format(time.RFC3339),
		guardCell(c.Notes),
	}
	if err := w.cw.Write(rec); err != nil {
		return fmt.Errorf("write csv row for client %d: %w", c.ID, err)
	}
	return nil
}

// Flush writes what is buffered; an export of no clients still gets its
// header.
func (w *Writer) Flush() error {
	if err := w.header(); err != nil {
		return err
	}
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return fmt.Errorf("flush csv: %w", err)
	}
	return nil
}

// Write exports clients to w; stageName and ownerEmail resolve a client's
// stage and owner (ownerEmail gets nil for an unowned client).
func Write(w io.Writer, clients []*warmline.Client, stageName func(warmline.StageID) string, ownerEmail func(*warmline.UserID) string) error {
	ew := NewWriter(w)
	for _, c := range clients {
		if err := ew.Row(c, stageName(c.StageID), ownerEmail(c.OwnerID)); err != nil {
			return err
		}
	}
	return ew.Flush()
}

// guardCell keeps a spreadsheet from running a value as a formula by
// prefixing an apostrophe, which Excel and LibreOffice read as "text".
// Parse removes it again.
func guardCell(s string) string {
	if s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// phonesCell joins phones with ", ". Numbers in E.164 begin with "+"
// legitimately and cannot carry a formula, so they are left as they are;
// anything else is guarded.
func phonesCell(phones []string) string {
	joined := strings.Join(phones, ", ")
	for _, p := range phones {
		if !isE164(p) {
			return guardCell(joined)
		}
	}
	return joined
}

// isE164 reports whether s is "+" and 2 to 15 digits, not starting with 0
// (ITU-T E.164).
func isE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
