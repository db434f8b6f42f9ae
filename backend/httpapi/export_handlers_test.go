package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/csvimport"
)

// exportCSV downloads the export with query q and returns its records,
// checking the file's form: BOM, header, CRLF, attachment.
func exportCSV(t *testing.T, c *account, q string) [][]string {
	t.Helper()
	r := c.api("GET", "/api/v1/clients/export?"+q, nil).must(t, 200)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="clients-\d{4}-\d{2}-\d{2}\.csv"$`).MatchString(cd) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !bytes.HasPrefix(r.Body, []byte("\uFEFF")) {
		t.Fatalf("the file does not start with a UTF-8 byte-order mark: %q", r.Body[:min(len(r.Body), 10)])
	}
	if !bytes.Contains(r.Body, []byte("\r\n")) {
		t.Error("lines do not end with CRLF")
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, r.Body)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], csvimport.ExportHeader) {
		t.Fatalf("header %q, want %q", recs, csvimport.ExportHeader)
	}
	return recs[1:]
}

func column(recs [][]string, name string) []string {
	i := slices.Index(csvimport.ExportHeader, name)
	out := []string{}
	for _, r := range recs {
		out = append(out, r[i])
	}
	return out
}

func TestClientsExport(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Export Org")
	supervisor := ts.addUser(t, admin, "supervisor")
	agent := ts.addUser(t, admin, "agent")
	st := admin.stages(t)

	t.Run("with no clients the file still has its header", func(t *testing.T) {
		if recs := exportCSV(t, supervisor, ""); len(recs) != 0 {
			t.Errorf("rows %q", recs)
		}
	})

	ivan := newClient(t, agent, map[string]any{"name": "Иван Петров", "company": "ООО Ромашка", "phones": []string{"8 903 555-01-01", "+74951234567"},
		"email": "ivan@romashka.ru", "channel": "сайт", "notes": "Звонить после обеда"})
	newClient(t, admin, map[string]any{"name": "=HYPERLINK(\"http://evil.example\")", "company": "-2+3", "stage_id": st[4].ID})
	newClient(t, admin, map[string]any{"name": "Третий", "company": "Лютик", "stage_id": st[2].ID})

	t.Run("every client, in list order, with stage names and owner e-mails", func(t *testing.T) {
		recs := exportCSV(t, supervisor, "")
		if len(recs) != 3 {
			t.Fatalf("%d rows, want 3: %q", len(recs), recs)
		}
		want := []string{"Иван Петров", "ООО Ромашка", "+79035550101, +74951234567", "ivan@romashka.ru", "сайт", agent.Email, st[0].Name, "0", "0", "", ivan.CreatedAt.Format(time.RFC3339), "Звонить после обеда"}
		if !slices.Equal(recs[0], want) {
			t.Errorf("first row\n%q\nwant\n%q", recs[0], want)
		}
		if got := column(recs, "stage"); !slices.Equal(got, []string{st[0].Name, st[4].Name, st[2].Name}) {
			t.Errorf("stages %q", got)
		}
	})
	t.Run("cells a spreadsheet would run as formulas are guarded", func(t *testing.T) {
		recs := exportCSV(t, admin, "")
		if recs[1][0] != `'=HYPERLINK("http://evil.example")` || recs[1][1] != "'-2+3" {
			t.Errorf("guarded cells %q", recs[1][:2])
		}
	})
	for _, c := range []struct {
		name  string
		query string
		want  []string
	}{
		{"search filters the export", "q=ромашк", []string{"Иван Петров"}},
		{"a stage filters the export", fmt.Sprintf("stage_id=%d", st[2].ID), []string{"Третий"}},
		{"the owner filters the export", "owner_id=none", []string{`'=HYPERLINK("http://evil.example")`, "Третий"}},
		{"the sort applies", "sort=name&order=desc", []string{"Третий", "Иван Петров", `'=HYPERLINK("http://evil.example")`}},
		{"paging does not cut the export", "per_page=1&page=2", []string{"Иван Петров", `'=HYPERLINK("http://evil.example")`, "Третий"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := column(exportCSV(t, supervisor, c.query), "name"); !slices.Equal(got, c.want) {
				t.Errorf("names %q, want %q", got, c.want)
			}
		})
	}
	t.Run("agents may not export", func(t *testing.T) {
		r := agent.api("GET", "/api/v1/clients/export", nil)
		wantError(t, r, 403, "forbidden", "")
		if r.Header.Get("Content-Disposition") != "" {
			t.Error("the refusal is sent as a download")
		}
		wantError(t, ts.newClient(t).api("GET", "/api/v1/clients/export", nil), 401, "unauthorized", "")
	})
	t.Run("a bad paging parameter is a JSON error", func(t *testing.T) {
		wantError(t, supervisor.api("GET", "/api/v1/clients/export?per_page=500", nil), 400, "invalid", "per_page")
	})

	t.Run("the export imports back into another organisation unchanged", func(t *testing.T) {
		r := supervisor.api("GET", "/api/v1/clients/export?owner_id=none", nil).must(t, 200)
		other := ts.signUp(t, "Import Back Org")
		var p struct {
			SuggestedMapping map[string]string `json:"suggested_mapping"`
		}
		other.apiUpload("/api/v1/imports/preview", "export.csv", r.Body, nil).must(t, 200).JSON(t, &p)
		mapping, _ := json.Marshal(p.SuggestedMapping)
		id := idOf(t, other.apiUpload("/api/v1/imports", "export.csv", r.Body, map[string]string{"mapping": string(mapping), "mode": "all_or_nothing"}).must(t, 202))
		if im := waitImport(t, other, id); im["status"] != "done" || im["created"] != float64(2) {
			t.Fatalf("import back = %v", im)
		}
		back := listClients(t, other, nil)
		if got := names(back); !slices.Equal(got, []string{`=HYPERLINK("http://evil.example")`, "Третий"}) {
			t.Errorf("imported back %q", got)
		}
		if back.Items[0].Company != "-2+3" || back.Items[0].StageID != other.stages(t)[4].ID {
			t.Errorf("imported back %+v", back.Items[0])
		}
		if !strings.HasPrefix(string(r.Body), "\uFEFFname,") {
			t.Errorf("export starts %q", r.Body[:10])
		}
	})
}
