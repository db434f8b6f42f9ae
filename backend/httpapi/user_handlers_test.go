package httpapi_test

import (
	"fmt"
	"testing"
)

type userBody struct {
	ID       int64  `json:"id" db:"id"`
	OrgID    int64  `json:"org_id" db:"org_id"`
	Email    string `json:"email" db:"email"`
	Name     string `json:"name" db:"name"`
	Role     string `json:"role" db:"role"`
	Locale   string `json:"locale" db:"locale"`
	TimeZone string `json:"time_zone" db:"time_zone"`
	Active   bool   `json:"active" db:"active"`
}

func TestUsers(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "People Org")
	agent := ts.addUser(t, admin, "agent")
	userPath := func(id int64) string { return fmt.Sprintf("/api/v1/users/%d", id) }
	stored := func(id int64) userBody {
		var u userBody
		if err := ts.DB.Get(&u, `SELECT id, org_id, email, name, role, locale, time_zone, active FROM users WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return u
	}

	var created userBody
	t.Run("the admin creates a user, who gets the organisation's time zone", func(t *testing.T) {
		admin.api("PATCH", "/api/v1/organisation", map[string]string{"time_zone": "Asia/Novosibirsk"}).must(t, 200)
		admin.api("POST", "/api/v1/users", map[string]string{"email": " Olga@Example.com ", "name": "Ольга", "role": "supervisor",
			"password": goodPassword, "locale": "en"}).must(t, 201).JSON(t, &created)
		want := userBody{ID: created.ID, OrgID: admin.OrgID, Email: "olga@example.com", Name: "Ольга", Role: "supervisor", Locale: "en", TimeZone: "Asia/Novosibirsk", Active: true}
		if created != want || stored(created.ID) != want {
			t.Errorf("answer %+v, stored %+v, want %+v", created, stored(created.ID), want)
		}
		ts.newClient(t).api("POST", "/api/v1/auth/login", map[string]string{"email": "olga@example.com", "password": goodPassword}).must(t, 200)
	})

	t.Run("every role lists the users, active first", func(t *testing.T) {
		admin.api("DELETE", userPath(ts.addUser(t, admin, "agent").ID), nil).must(t, 204)
		var l struct{ Items []userBody }
		agent.api("GET", "/api/v1/users", nil).must(t, 200).JSON(t, &l)
		if len(l.Items) != 4 {
			t.Fatalf("%d users, want 4: %+v", len(l.Items), l.Items)
		}
		if l.Items[3].Active || !l.Items[0].Active || !l.Items[2].Active {
			t.Errorf("the deactivated user is not last: %+v", l.Items)
		}
		for _, u := range l.Items {
			if u.OrgID != admin.OrgID {
				t.Errorf("a user of another organisation is listed: %+v", u)
			}
		}
	})

	users := func() int { return count(t, ts, `SELECT count(*) FROM users`) }
	newUser := func(change func(m map[string]any)) map[string]any {
		m := map[string]any{"email": "new@example.com", "name": "New", "role": "agent", "password": goodPassword}
		change(m)
		return m
	}
	for _, c := range []struct {
		name        string
		caller      *account
		body        map[string]any
		status      int
		code, field string
	}{
		{"an e-mail already used is a conflict", admin, newUser(func(m map[string]any) { m["email"] = "OLGA@example.com" }), 409, "conflict", "email"},
		{"an e-mail used in another organisation is a conflict too", admin, newUser(func(m map[string]any) { m["email"] = ts.signUp(t, "Elsewhere").Email }), 409, "conflict", "email"},
		{"an unknown role is refused", admin, newUser(func(m map[string]any) { m["role"] = "owner" }), 400, "invalid", "role"},
		{"a missing role is refused", admin, newUser(func(m map[string]any) { delete(m, "role") }), 400, "invalid", "role"},
		{"a short password is refused", admin, newUser(func(m map[string]any) { m["password"] = "123" }), 400, "invalid", "password"},
		{"a bad e-mail is refused", admin, newUser(func(m map[string]any) { m["email"] = "new@" }), 400, "invalid", "email"},
		{"a missing name is refused", admin, newUser(func(m map[string]any) { delete(m, "name") }), 400, "invalid", "name"},
		{"an unknown locale is refused", admin, newUser(func(m map[string]any) { m["locale"] = "kk" }), 400, "invalid", "locale"},
		{"an unknown time zone is refused", admin, newUser(func(m map[string]any) { m["time_zone"] = "Moscow" }), 400, "invalid", "time_zone"},
		{"an unknown field is refused", admin, newUser(func(m map[string]any) { m["active"] = true }), 400, "invalid", "active"},
		{"a supervisor may not create users", ts.addUser(t, admin, "supervisor"), newUser(func(map[string]any) {}), 403, "forbidden", ""},
		{"an agent may not create users", agent, newUser(func(map[string]any) {}), 403, "forbidden", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := users()
			wantError(t, c.caller.api("POST", "/api/v1/users", c.body), c.status, c.code, c.field)
			if users() != n {
				t.Error("a refused request created a user")
			}
		})
	}

	t.Run("the admin changes a user's role, and it takes effect at once", func(t *testing.T) {
		wantError(t, agent.api("GET", "/api/v1/clients/export", nil), 403, "forbidden", "")
		var u userBody
		admin.api("PATCH", userPath(agent.ID), map[string]string{"role": "supervisor", "name": "Promoted"}).must(t, 200).JSON(t, &u)
		if u.Role != "supervisor" || u.Name != "Promoted" || stored(agent.ID).Role != "supervisor" {
			t.Errorf("answer %+v, stored %+v", u, stored(agent.ID))
		}
		agent.api("GET", "/api/v1/clients/export", nil).must(t, 200)
		admin.api("PATCH", userPath(agent.ID), map[string]string{"role": "agent"}).must(t, 200)
		wantError(t, agent.api("GET", "/api/v1/clients/export", nil), 403, "forbidden", "")
	})

	t.Run("a password set by the admin ends the user's sessions", func(t *testing.T) {
		u := ts.addUser(t, admin, "agent")
		admin.api("PATCH", userPath(u.ID), map[string]string{"password": "set by the admin"}).must(t, 200)
		wantError(t, u.api("GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
		ts.newClient(t).api("POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": "set by the admin"}).must(t, 200)
	})

	t.Run("a deactivated user's session stops working at once", func(t *testing.T) {
		u := ts.addUser(t, admin, "supervisor")
		u.api("GET", "/api/v1/auth/me", nil).must(t, 200)
		admin.api("DELETE", userPath(u.ID), nil).must(t, 204)
		wantError(t, u.api("GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
		if s := stored(u.ID); s.Active {
			t.Error("the user is still active")
		}
		if n := count(t, ts, `SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID); n != 0 {
			t.Errorf("%d sessions left", n)
		}
		// Reactivated, they may log in again.
		admin.api("PATCH", userPath(u.ID), map[string]any{"active": true}).must(t, 200)
		ts.newClient(t).api("POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": goodPassword}).must(t, 200)
	})

	t.Run("the last admin can be neither demoted nor deactivated", func(t *testing.T) {
		wantError(t, admin.api("PATCH", userPath(admin.ID), map[string]string{"role": "supervisor"}), 409, "conflict", "role")
		wantError(t, admin.api("PATCH", userPath(admin.ID), map[string]any{"active": false}), 409, "conflict", "role")
		wantError(t, admin.api("DELETE", userPath(admin.ID), nil), 409, "conflict", "role")
		if s := stored(admin.ID); s.Role != "admin" || !s.Active {
			t.Errorf("the last admin is now %+v", s)
		}
		admin.api("GET", "/api/v1/auth/me", nil).must(t, 200)

		// With a second admin, the first may step down.
		second := ts.addUser(t, admin, "admin")
		admin.api("PATCH", userPath(admin.ID), map[string]string{"role": "supervisor"}).must(t, 200)
		wantError(t, second.api("DELETE", userPath(second.ID), nil), 409, "conflict", "role")
		second.api("PATCH", userPath(admin.ID), map[string]string{"role": "admin"}).must(t, 200)
	})

	for _, c := range []struct {
		name        string
		method      string
		path        string
		body        any
		status      int
		code, field string
	}{
		{"an unknown user is not found", "PATCH", userPath(999999), map[string]string{"name": "x"}, 404, "not_found", ""},
		{"deactivating an unknown user is not found", "DELETE", userPath(999999), nil, 404, "not_found", ""},
		{"a malformed id is invalid", "PATCH", "/api/v1/users/abc", map[string]string{"name": "x"}, 400, "invalid", "id"},
		{"a negative id is invalid", "DELETE", "/api/v1/users/-1", nil, 400, "invalid", "id"},
		{"an unknown role is refused", "PATCH", userPath(agent.ID), map[string]string{"role": "boss"}, 400, "invalid", "role"},
		{"active must be a boolean", "PATCH", userPath(agent.ID), map[string]string{"active": "no"}, 400, "invalid", "active"},
		{"an unknown field is refused", "PATCH", userPath(agent.ID), map[string]string{"email": "x@example.com"}, 400, "invalid", "email"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, admin.api(c.method, c.path, c.body), c.status, c.code, c.field)
		})
	}

	t.Run("only admins change or deactivate users, even themselves", func(t *testing.T) {
		sup := ts.addUser(t, admin, "supervisor")
		wantError(t, sup.api("PATCH", userPath(sup.ID), map[string]string{"role": "admin"}), 403, "forbidden", "")
		wantError(t, agent.api("PATCH", userPath(agent.ID), map[string]string{"name": "Me"}), 403, "forbidden", "")
		wantError(t, sup.api("DELETE", userPath(agent.ID), nil), 403, "forbidden", "")
		if s := stored(sup.ID); s.Role != "supervisor" {
			t.Errorf("the supervisor made themself %s", s.Role)
		}
		if !stored(agent.ID).Active {
			t.Error("a supervisor deactivated an agent")
		}
	})
}
