package httpapi_test

import (
	"testing"
)

type orgBody struct {
	ID             int64  `json:"id" db:"id"`
	Name           string `json:"name" db:"name"`
	DefaultCountry string `json:"default_country" db:"default_country"`
	TimeZone       string `json:"time_zone" db:"time_zone"`
	AgentsOwnOnly  bool   `json:"agents_own_clients_only" db:"agents_own_clients_only"`
}

func TestOrganisation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Settings Org")
	supervisor := ts.addUser(t, admin, "supervisor")
	agent := ts.addUser(t, admin, "agent")

	stored := func() orgBody {
		var o orgBody
		if err := ts.DB.Get(&o, `SELECT id, name, default_country, time_zone, agents_own_only AS agents_own_clients_only FROM organisations WHERE id = $1`, admin.OrgID); err != nil {
			t.Fatal(err)
		}
		return o
	}

	t.Run("every role reads the organisation", func(t *testing.T) {
		for _, c := range []*account{admin, supervisor, agent} {
			var o orgBody
			c.api("GET", "/api/v1/organisation", nil).must(t, 200).JSON(t, &o)
			if o != stored() {
				t.Errorf("answer %+v, stored %+v", o, stored())
			}
		}
		wantError(t, ts.newClient(t).api("GET", "/api/v1/organisation", nil), 401, "unauthorized", "")
	})

	t.Run("the admin changes the settings; omitted fields stay", func(t *testing.T) {
		var o orgBody
		admin.api("PATCH", "/api/v1/organisation", map[string]any{"default_country": "KZ", "time_zone": "Asia/Almaty", "agents_own_clients_only": true}).must(t, 200).JSON(t, &o)
		want := orgBody{ID: admin.OrgID, Name: "Settings Org", DefaultCountry: "KZ", TimeZone: "Asia/Almaty", AgentsOwnOnly: true}
		if o != want || stored() != want {
			t.Errorf("answer %+v, stored %+v, want %+v", o, stored(), want)
		}
		admin.api("PATCH", "/api/v1/organisation", map[string]any{"name": " Renamed ", "agents_own_clients_only": false}).must(t, 200).JSON(t, &o)
		want.Name, want.AgentsOwnOnly = "Renamed", false
		if o != want || stored() != want {
			t.Errorf("answer %+v, stored %+v, want %+v", o, stored(), want)
		}
	})

	before := stored()
	for _, c := range []struct {
		name        string
		caller      *account
		body        map[string]any
		status      int
		code, field string
	}{
		{"a supervisor may not change it", supervisor, map[string]any{"name": "Mine"}, 403, "forbidden", ""},
		{"an agent may not change it", agent, map[string]any{"agents_own_clients_only": true}, 403, "forbidden", ""},
		{"an unknown time zone is refused", admin, map[string]any{"time_zone": "Europe/Atlantis"}, 400, "invalid", "time_zone"},
		{"an empty time zone is refused", admin, map[string]any{"time_zone": ""}, 400, "invalid", "time_zone"},
		{"an unknown country is refused", admin, map[string]any{"default_country": "ZZ"}, 400, "invalid", "default_country"},
		{"a country name instead of a code is refused", admin, map[string]any{"default_country": "Russia"}, 400, "invalid", "default_country"},
		{"an empty name is refused", admin, map[string]any{"name": "  "}, 400, "invalid", "name"},
		{"a setting of the wrong type is refused", admin, map[string]any{"agents_own_clients_only": "yes"}, 400, "invalid", "agents_own_clients_only"},
		{"an unknown setting is refused", admin, map[string]any{"plan": "enterprise"}, 400, "invalid", "plan"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, c.caller.api("PATCH", "/api/v1/organisation", c.body), c.status, c.code, c.field)
		})
	}
	if after := stored(); after != before {
		t.Errorf("refused changes changed the organisation: %+v, was %+v", after, before)
	}
}
