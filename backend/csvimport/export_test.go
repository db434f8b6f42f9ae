package csvimport

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

func exportClients(t *testing.T) []*warmline.Client {
	t.Helper()
	owner := warmline.UserID(7)
	last := time.Date(2026, 11, 20, 14, 30, 0, 0, time.UTC)
	return []*warmline.Client{
		{ID: 1, Name: "Ирина Смирнова", Company: "ООО «Ромашка», филиал \"Север\"", Phones: warmline.Phones{"+79012345678", "+74951234567"},
			Email: "i.smirnova@romashka.ru", Channel: "Яндекс.Директ", OwnerID: &owner, StageID: 2, Contacts: 5, Attempts: 2,
			LastContactAt: &last, CreatedAt: last.Add(-72 * time.Hour), Notes: "Перезвонить после 15:00.\nЛПР — директор; бюджет есть."},
		{ID: 2, Name: "=HYPERLINK(\"http://evil.example\",\"жми\")", Company: "+cmd|' /C calc'!A0", Phones: warmline.Phones{"+442079460123"},
			Channel: "@SUM(1+1)", StageID: 6, CreatedAt: last, Notes: "-2+3"},
		{ID: 3, Name: "John Smith", Phones: nil, StageID: 1, CreatedAt: last},
	}
}

func TestWriteProducesExcelFriendlyCSV(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, exportClients(t), func(id warmline.StageID) string {
		return map[warmline.StageID]string{1: "Новый клиент", 2: "Демо", 6: "Отказ"}[id]
	},
		func(id *warmline.UserID) string {
			if id == nil {
				return ""
			}
			return "agent1@demo.example"
		})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\uFEFFname,company,phones,email,channel,owner_email,stage,contacts,attempts,last_contact_at,created_at,notes\r\n") {
		t.Errorf("export does not start with the BOM and header: %q", out[:min(len(out), 200)])
	}
	for _, want := range []string{
		`"+79012345678, +74951234567"`,
		`,5,2,2026-11-20T14:30:00Z,2026-11-17T14:30:00Z,`,
		`"'=HYPERLINK(""http://evil.example"",""жми"")"`,
		`'+cmd|' /C calc'!A0`,
		`,+442079460123,`,
		`'@SUM(1+1)`,
		`'-2+3`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %s:\n%s", want, out)
		}
	}
}

func TestExportImportsBackUnchanged(t *testing.T) {
	clients := exportClients(t)
	stageNames := map[warmline.StageID]string{1: "Новый клиент", 2: "Демо", 6: "Отказ"}
	var b bytes.Buffer
	err := Write(&b, clients, func(id warmline.StageID) string { return stageNames[id] }, func(id *warmline.UserID) string {
		if id == nil {
			return ""
		}
		return "agent1@demo.example"
	})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}

	p, err := Preview(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatalf("Preview of the export: %v", err)
	}
	wantMapping := map[string]string{"name": "name", "company": "company", "phones": "phone", "email": "email",
		"channel": "channel", "owner_email": "owner_email", "stage": "stage", "notes": "notes",
		"contacts": "", "attempts": "", "last_contact_at": "", "created_at": ""}
	if !reflect.DeepEqual(p.SuggestedMapping, wantMapping) {
		t.Errorf("suggested mapping of the export = %v, want %v", p.SuggestedMapping, wantMapping)
	}
	if p.Encoding != EncodingUTF8 || p.Delimiter != "," {
		t.Errorf("export read as %s with %q", p.Encoding, p.Delimiter)
	}

	rows, errs, err := Parse(bytes.NewReader(b.Bytes()), p.SuggestedMapping, Limits{})
	if err != nil || len(errs) != 0 {
		t.Fatalf("Parse of the export = %v, %v", errs, err)
	}
	if len(rows) != len(clients) {
		t.Fatalf("Parse of the export = %d rows, want %d", len(rows), len(clients))
	}
	line := 2
	for i, c := range clients {
		owner := ""
		if c.OwnerID != nil {
			owner = "agent1@demo.example"
		}
		var phones []string
		if len(c.Phones) > 0 {
			phones = []string(c.Phones)
		}
		want := warmline.ImportRow{Line: line, Name: c.Name, Company: c.Company, Phones: phones, Email: c.Email,
			Channel: c.Channel, OwnerEmail: owner, Stage: stageNames[c.StageID], Notes: c.Notes}
		if !reflect.DeepEqual(rows[i], want) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, rows[i], want)
		}
		line += 1 + strings.Count(c.Notes, "\n")
	}
}

func TestGuardCell(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"an equals sign starts a formula", "=1+1", "'=1+1"},
		{"a plus starts a formula", "+7 (901)", "'+7 (901)"},
		{"a minus starts a formula", "-1", "'-1"},
		{"an at sign starts a formula", "@SUM(A1)", "'@SUM(A1)"},
		{"a leading tab is guarded", "\t=1", "'\t=1"},
		{"plain text is kept", "Ирина", "Ирина"},
		{"a sign later in the text is kept", "a=b", "a=b"},
		{"empty stays empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := guardCell(tt.in); got != tt.want {
				t.Errorf("guardCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPhonesCell(t *testing.T) {
	tests := []struct {
		name   string
		phones []string
		want   string
	}{
		{"E.164 numbers keep their plus", []string{"+79012345678", "+442079460123"}, "+79012345678, +442079460123"},
		{"a non-E.164 value guards the whole cell", []string{"+79012345678", "+1+cmd"}, "'+79012345678, +1+cmd"},
		{"a formula posing as a phone is guarded", []string{"=1+2"}, "'=1+2"},
		{"no phones is an empty cell", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := phonesCell(tt.phones); got != tt.want {
				t.Errorf("phonesCell(%q) = %q, want %q", tt.phones, got, tt.want)
			}
		})
	}
}

func TestAnEmptyExportHasItsHeader(t *testing.T) {
	var b bytes.Buffer
	if err := NewWriter(&b).Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if want := "\uFEFF" + strings.Join(ExportHeader, ",") + "\r\n"; b.String() != want {
		t.Errorf("empty export = %q, want %q", b.String(), want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportsAWriteFailure(t *testing.T) {
	err := Write(failingWriter{}, exportClients(t), func(warmline.StageID) string { return "" }, func(*warmline.UserID) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write to a failing writer = %v, want the failure", err)
	}
}
