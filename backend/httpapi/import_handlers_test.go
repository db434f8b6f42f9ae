package httpapi_test

import (
	"bytes"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

type importBody struct {
	ID        int64  `json:"id"`
	FileName  string `json:"file_name"`
	Mode      string `json:"mode"`
	Status    string `json:"status"`
	TotalRows int    `json:"total_rows"`
	Processed int    `json:"processed"`
	Created   int    `json:"created"`
	Skipped   int    `json:"skipped"`
	Errors    []struct {
		Line  int    `json:"line"`
		Field string `json:"field"`
		Error string `json:"error"`
		Value string `json:"value"`
	} `json:"errors"`
	Message string `json:"message"`
}

// runImport uploads csv with mapping and mode, waits for the import to
// finish and returns it.
func runImport(t *testing.T, c *account, csv []byte, mapping, mode string) importBody {
	t.Helper()
	var started importBody
	c.apiUpload("/api/v1/imports", "clients.csv", csv, map[string]string{"mapping": mapping, "mode": mode}).must(t, 202).JSON(t, &started)
	if started.Status != "running" || started.Mode != mode || started.FileName != "clients.csv" || started.ID == 0 {
		t.Errorf("started import = %+v", started)
	}
	waitImport(t, c, started.ID)
	var im importBody
	c.api("GET", fmt.Sprintf("/api/v1/imports/%d", started.ID), nil).must(t, 200).JSON(t, &im)
	return im
}

// form posts a multipart form; file is left out when fileName is "".
func (c *client) form(path string, fields map[string]string, fileName string, file []byte) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
		fw.Write(file)
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		mw.WriteField(k, fields[k])
	}
	mw.Close()
	return c.raw(http.MethodPost, path, buf.Bytes(), map[string]string{"Content-Type": mw.FormDataContentType(), "Origin": c.srv.URL})
}

func win1251(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportPreview(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Preview Org")
	supervisor := ts.addUser(t, admin, "supervisor")

	t.Run("a semicolon-separated Windows-1251 file is read and its columns recognised", func(t *testing.T) {
		text := "ФИО;Мобильный телефон;Компания;Источник;Комментарий;Дата\r\n" +
			"Иванов Иван;8 903 555-01-01;ООО \"Ромашка\";Сайт;Первый звонок;01.02.2025\r\n" +
			"Петров Пётр;8 495 123-45-67;Лютик;Реклама;;\r\n"
		for i := 0; i < 6; i++ {
			text += fmt.Sprintf("Клиент %d;+7 900 000-00-0%d;;;;\r\n", i, i)
		}
		file := win1251(t, text)
		var p struct {
			Encoding         string            `json:"encoding"`
			Delimiter        string            `json:"delimiter"`
			Headers          []string          `json:"headers"`
			Rows             [][]string        `json:"rows"`
			SuggestedMapping map[string]string `json:"suggested_mapping"`
		}
		supervisor.apiUpload("/api/v1/imports/preview", "клиенты.csv", file, nil).must(t, 200).JSON(t, &p)
		if p.Encoding != "windows-1251" || p.Delimiter != ";" {
			t.Errorf("encoding %q, delimiter %q; want windows-1251 and ;", p.Encoding, p.Delimiter)
		}
		if want := []string{"ФИО", "Мобильный телефон", "Компания", "Источник", "Комментарий", "Дата"}; !slices.Equal(p.Headers, want) {
			t.Errorf("headers %q, want %q", p.Headers, want)
		}
		if len(p.Rows) != 5 || !slices.Equal(p.Rows[0], []string{"Иванов Иван", "8 903 555-01-01", "ООО \"Ромашка\"", "Сайт", "Первый звонок", "01.02.2025"}) {
			t.Errorf("rows %q, want the first 5", p.Rows)
		}
		want := map[string]string{"ФИО": "name", "Мобильный телефон": "phone", "Компания": "company", "Источник": "channel", "Комментарий": "notes", "Дата": ""}
		if !maps.Equal(p.SuggestedMapping, want) {
			t.Errorf("suggested mapping %v, want %v", p.SuggestedMapping, want)
		}
		if n := count(t, ts, `SELECT (SELECT count(*) FROM imports) + (SELECT count(*) FROM clients)`); n != 0 {
			t.Errorf("a preview stored %d rows", n)
		}
	})
	t.Run("a UTF-8 file with commas and a byte-order mark", func(t *testing.T) {
		var p struct {
			Encoding, Delimiter string
			Headers             []string
		}
		supervisor.apiUpload("/api/v1/imports/preview", "c.csv", []byte("\uFEFFName,Phone\nAnn,+44 20 7946 0018\n"), nil).must(t, 200).JSON(t, &p)
		if p.Encoding != "utf-8" || p.Delimiter != "," || !slices.Equal(p.Headers, []string{"Name", "Phone"}) {
			t.Errorf("preview = %+v", p)
		}
	})
	for _, c := range []struct {
		name   string
		caller *account
		file   []byte
		noFile bool
		status int
		code   string
		field  string
	}{
		{"a missing file is refused", supervisor, nil, true, 400, "invalid", "file"},
		{"an empty file is refused", supervisor, []byte{}, false, 400, "invalid", "file"},
		{"an Excel workbook is refused with advice", supervisor, []byte("PK\x03\x04 workbook"), false, 400, "invalid", "file"},
		{"a binary file is refused", supervisor, []byte("a,b\n\x00\x01\x02"), false, 400, "invalid", "file"},
		{"agents may not preview imports", ts.addUser(t, admin, "agent"), []byte("Name\nA\n"), false, 403, "forbidden", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r response
			if c.noFile {
				r = c.caller.form("/api/v1/imports/preview", map[string]string{"other": "x"}, "", nil)
			} else {
				r = c.caller.apiUpload("/api/v1/imports/preview", "f.csv", c.file, nil)
			}
			wantError(t, r, c.status, c.code, c.field)
		})
	}
	t.Run("a file over 20 MiB is too large", func(t *testing.T) {
		big := append([]byte("Name\n"), bytes.Repeat([]byte("x\n"), 10<<20)...)
		wantError(t, supervisor.apiUpload("/api/v1/imports/preview", "big.csv", big, nil), 413, "too_large", "file")
		wantError(t, supervisor.apiUpload("/api/v1/imports", "big.csv", big, map[string]string{"mapping": `{"Name":"name"}`, "mode": "skip_bad_rows"}), 413, "too_large", "file")
		if n := count(t, ts, `SELECT count(*) FROM imports`); n != 0 {
			t.Errorf("%d imports recorded", n)
		}
	})
	t.Run("a body that is not multipart is refused", func(t *testing.T) {
		r := supervisor.raw("POST", "/api/v1/imports/preview", []byte(`{"file": "Name\nA"}`), map[string]string{"Content-Type": "application/json", "Origin": ts.URL})
		wantError(t, r, 400, "invalid", "file")
	})
}

func TestImport(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Import Org")
	supervisor := ts.addUser(t, admin, "supervisor")
	agent := ts.addUser(t, admin, "agent")
	existing := newClient(t, admin, map[string]any{"name": "Already here", "phones": []string{"+79035550199"}})
	clients := func() int { return count(t, ts, `SELECT count(*) FROM clients WHERE org_id = $1`, admin.OrgID) }
	const mapping = `{"ФИО":"name","Телефон":"phone","Компания":"company","Этап":"stage","Менеджер":"owner_email","Источник":"channel"}`
	header := "ФИО;Телефон;Компания;Этап;Менеджер;Источник\n"

	t.Run("all or nothing: one bad line fails the import and nothing is created", func(t *testing.T) {
		before := clients()
		file := win1251(t, header+
			"Анна;8 903 555-01-01;Альфа;;;\n"+
			"Борис;not a phone;Бета;;;\n"+
			"Вера;8 903 555-01-03;Гамма;;;\n")
		im := runImport(t, supervisor, file, mapping, "all_or_nothing")
		if im.Status != "failed" || im.Created != 0 || im.TotalRows != 3 || im.Skipped != 3 || im.Processed != 3 {
			t.Errorf("import = %+v", im)
		}
		if len(im.Errors) != 1 || im.Errors[0].Line != 3 || im.Errors[0].Field != "phone" || im.Errors[0].Value != "not a phone" {
			t.Errorf("errors = %+v, want line 3, field phone", im.Errors)
		}
		if im.Message == "" {
			t.Error("a failed import has no message")
		}
		if clients() != before {
			t.Errorf("%d clients created by a failed all-or-nothing import", clients()-before)
		}
	})

	t.Run("all or nothing: a phone already in the database fails the import", func(t *testing.T) {
		before := clients()
		im := runImport(t, supervisor, win1251(t, header+"Анна;8 903 555-01-01;;;;\nДубль;8 (903) 555-01-99;;;;\n"), mapping, "all_or_nothing")
		if im.Status != "failed" || im.Created != 0 || len(im.Errors) != 1 || im.Errors[0].Line != 3 || im.Errors[0].Field != "phone" {
			t.Errorf("import = %+v", im)
		}
		if !strings.Contains(im.Message, "Line 3") {
			t.Errorf("message %q does not name the line", im.Message)
		}
		if clients() != before {
			t.Error("clients were created")
		}
	})

	t.Run("skip bad rows: the good lines are created, the bad ones reported by line and field", func(t *testing.T) {
		before := clients()
		st := admin.stages(t)
		file := win1251(t, header+
			"Анна;8 903 555-01-01;Альфа;Демо;"+agent.Email+";Сайт\n"+
			"Борис;12;Бета;;;\n"+
			"Вера;8 903 555-01-03, 8 495 123-45-67;Гамма;;;\n"+
			"Дубль;+7 903 555-01-99;;;;\n"+
			"Повтор;8 903 555-01-01;;;;\n"+
			";8 903 555-01-05;Без имени;;;\n"+
			"Галина;8 903 555-01-06;;Космос;;\n"+
			"Дарья;8 903 555-01-07;;;nobody@example.com;\n"+
			"Короткая строка\n")
		im := runImport(t, supervisor, file, mapping, "skip_bad_rows")
		if im.Status != "done" || im.TotalRows != 9 || im.Created != 2 || im.Skipped != 7 || im.Processed != 9 || im.Message != "" {
			t.Errorf("import = %+v", im)
		}
		type lineField struct {
			Line  int
			Field string
		}
		var got []lineField
		for _, e := range im.Errors {
			got = append(got, lineField{e.Line, e.Field})
			if e.Error == "" {
				t.Errorf("line %d: no message", e.Line)
			}
		}
		want := []lineField{{3, "phone"}, {5, "phone"}, {6, "phone"}, {7, "name"}, {8, "stage"}, {9, "owner_email"}, {10, ""}}
		if !slices.Equal(got, want) {
			t.Errorf("errors (line, field) = %v, want %v\n%+v", got, want, im.Errors)
		}
		for _, e := range im.Errors {
			switch e.Line {
			case 5:
				if !strings.Contains(e.Error, "already belongs") || !strings.Contains(e.Error, fmt.Sprint(existing.ID)) {
					t.Errorf("the duplicate of a client in the database is reported as %q", e.Error)
				}
			case 6:
				if !strings.Contains(e.Error, "line 2") {
					t.Errorf("the duplicate of line 2 is reported as %q", e.Error)
				}
			}
		}
		if clients() != before+2 {
			t.Errorf("%d clients created, want 2", clients()-before)
		}
		p := listClients(t, admin, map[string][]string{"q": {"Анна"}})
		if len(p.Items) != 1 {
			t.Fatalf("Анна not imported: %q", names(p))
		}
		anna := p.Items[0]
		if anna.StageID != st[2].ID || anna.OwnerID == nil || *anna.OwnerID != agent.ID || anna.Company != "Альфа" || anna.Channel != "Сайт" || !slices.Equal(anna.Phones, []string{"+79035550101"}) {
			t.Errorf("imported client = %+v", anna)
		}
		if tr := transitions(t, admin, anna.ID); len(tr) != 1 || tr[0].Reason != "imported" || tr[0].ToStageID != st[2].ID {
			t.Errorf("imported client's history = %+v", tr)
		}
		vera := listClients(t, admin, map[string][]string{"q": {"Вера"}}).Items[0]
		if !slices.Equal(vera.Phones, []string{"+79035550103", "+74951234567"}) || vera.OwnerID != nil || vera.StageID != st[0].ID {
			t.Errorf("imported client = %+v", vera)
		}
	})

	other := ts.signUp(t, "Other Import Org")
	otherImport := runImport(t, other, []byte("Name\nSomeone\n"), `{"Name":"name"}`, "skip_bad_rows")
	mine := runImport(t, supervisor, []byte("Name\nSomeone\n"), `{"Name":"name"}`, "skip_bad_rows")
	t.Run("imports are read by id, within the organisation", func(t *testing.T) {
		admin.api("GET", fmt.Sprintf("/api/v1/imports/%d", mine.ID), nil).must(t, 200)
		wantError(t, admin.api("GET", fmt.Sprintf("/api/v1/imports/%d", otherImport.ID), nil), 404, "not_found", "")
		wantError(t, admin.api("GET", "/api/v1/imports/999999", nil), 404, "not_found", "")
		wantError(t, admin.api("GET", "/api/v1/imports/last", nil), 400, "invalid", "id")
		wantError(t, agent.api("GET", fmt.Sprintf("/api/v1/imports/%d", mine.ID), nil), 403, "forbidden", "")
	})

	good := []byte("Name,Phone\nA,+79035550150\n")
	for _, c := range []struct {
		name     string
		caller   *account
		fields   map[string]string
		fileName string
		file     []byte
		status   int
		code     string
		field    string
	}{
		{"a missing file is refused", supervisor, map[string]string{"mapping": `{"Name":"name"}`, "mode": "skip_bad_rows"}, "", nil, 400, "invalid", "file"},
		{"an unknown mode is refused", supervisor, map[string]string{"mapping": `{"Name":"name"}`, "mode": "best_effort"}, "a.csv", good, 400, "invalid", "mode"},
		{"a missing mode is refused", supervisor, map[string]string{"mapping": `{"Name":"name"}`}, "a.csv", good, 400, "invalid", "mode"},
		{"a mapping that is not JSON is refused", supervisor, map[string]string{"mapping": `Name=name`, "mode": "skip_bad_rows"}, "a.csv", good, 400, "invalid", "mapping"},
		{"a missing mapping is refused", supervisor, map[string]string{"mode": "skip_bad_rows"}, "a.csv", good, 400, "invalid", "mapping"},
		{"a mapping without a name column is refused", supervisor, map[string]string{"mapping": `{"Phone":"phone"}`, "mode": "skip_bad_rows"}, "a.csv", good, 400, "invalid", "mapping"},
		{"a mapping to an unknown field is refused", supervisor, map[string]string{"mapping": `{"Name":"name","Phone":"mobile"}`, "mode": "skip_bad_rows"}, "a.csv", good, 400, "invalid", "mapping"},
		{"a mapping of a column not in the file is refused", supervisor, map[string]string{"mapping": `{"Name":"name","Email":"email"}`, "mode": "skip_bad_rows"}, "a.csv", good, 400, "invalid", "mapping"},
		{"a file with only a header is refused", supervisor, map[string]string{"mapping": `{"Name":"name"}`, "mode": "skip_bad_rows"}, "a.csv", []byte("Name,Phone\n"), 400, "invalid", "file"},
		{"agents may not import", agent, map[string]string{"mapping": `{"Name":"name"}`, "mode": "skip_bad_rows"}, "a.csv", good, 403, "forbidden", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := count(t, ts, `SELECT count(*) FROM imports`)
			wantError(t, c.caller.form("/api/v1/imports", c.fields, c.fileName, c.file), c.status, c.code, c.field)
			if count(t, ts, `SELECT count(*) FROM imports`) != before {
				t.Error("a refused import was recorded")
			}
		})
	}
}
