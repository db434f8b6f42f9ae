package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// FuzzDecodeJSON feeds arbitrary bodies to the strict decoder: it must
// never panic, and every refusal must be a user-facing *warmline.Error.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"Ирина","phones":["8 901 234-56-78"],"owner_id":3}`,
		`{"name":1}`, `{"nmae":"x"}`, `{"name":"a"} {"name":"b"}`, `[`, ``, `null`, `{"phones":[1,2]}`,
		`{"owner_id":1e999}`, `{"notes":"\ud800"}`, strings.Repeat(`[`, 10000),
	} {
		f.Add(s)
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		c := e.NewContext(req, httptest.NewRecorder())
		var in warmline.ClientInput
		if err := decodeJSON(c, &in); err != nil && warmline.ErrorCode(err) == warmline.EINTERNAL {
			t.Fatalf("decode %q: internal error %v", body, err)
		}
	})
}
