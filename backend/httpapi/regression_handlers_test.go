// Regression tests of bugs found by the API tests: each failed before its fix.
package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// An export refused before its first row (a bad sort or cooling filter,
// found by the store) must be a JSON error, not a download: today the CSV
// headers are set before the store is asked, so the browser saves the JSON
// error as clients-DATE.csv.
func TestRegressionExportErrorsAreJSONNotDownloads(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Export Error Org")
	for _, c := range []struct{ query, field string }{
		{"sort=password_hash", "sort"},
		{"cooling=warm", "cooling"},
		{"q=" + strings.Repeat("a", 201), "q"},
	} {
		t.Run(c.query[:min(len(c.query), 20)], func(t *testing.T) {
			r := admin.api("GET", "/api/v1/clients/export?"+c.query, nil)
			wantError(t, r, 400, "invalid", c.field)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if cd := r.Header.Get("Content-Disposition"); cd != "" {
				t.Errorf("Content-Disposition %q: the error is sent as a file download", cd)
			}
		})
	}
}

// An unknown API route is a 404 whatever the method: today only GET and
// HEAD are (the SPA's catch-all answers them); POST, PUT, PATCH and DELETE
// to an unknown /api path answer 405 Method Not Allowed, code invalid, as
// if the route existed. A known route with a wrong method stays 405.
func TestRegressionUnknownAPIRouteIsA404ForEveryMethod(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Unknown Route Org")
	for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		for _, path := range []string{"/api/v1/nope", "/api/v1/clients/1/nope", "/api"} {
			t.Run(method+" "+path, func(t *testing.T) {
				wantError(t, admin.api(method, path, map[string]string{}), 404, "not_found", "")
			})
		}
	}
	t.Run("a known route with a method it does not have is 405", func(t *testing.T) {
		r := admin.api("DELETE", "/api/v1/organisation", nil)
		wantError(t, r, 405, "invalid", "")
		if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") {
			t.Errorf("Allow %q, want GET and PATCH", allow)
		}
	})
}

// A client whose owner has been deactivated (someone left the team) must
// stay editable: today every PATCH re-checks the unchanged owner and is
// refused with 400 owner_id until someone reassigns the client.
func TestRegressionClientOfADeactivatedOwnerStaysEditable(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Leaver Org")
	leaver := ts.addUser(t, admin, "agent")
	c := newClient(t, leaver, map[string]any{"name": "Leaver's client"})
	admin.api("DELETE", fmt.Sprintf("/api/v1/users/%d", leaver.ID), nil).must(t, 204)

	var got clientBody
	admin.api("PATCH", clientPath(c.ID), map[string]any{"notes": "Called, no answer"}).must(t, 200).JSON(t, &got)
	if got.Notes != "Called, no answer" || got.OwnerID == nil || *got.OwnerID != leaver.ID {
		t.Errorf("client = %+v", got)
	}
	// Naming a deactivated owner anew is still refused.
	other := newClient(t, admin, map[string]any{"name": "Someone else's"})
	wantError(t, admin.api("PATCH", clientPath(other.ID), map[string]any{"owner_id": leaver.ID}), 400, "invalid", "owner_id")
}
