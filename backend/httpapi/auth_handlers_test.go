package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/warmline/warmline/backend/httpapi"
	"github.com/warmline/warmline/backend/postgres/pgtest"
)

// goodPassword is the password of every account the helpers create.
const goodPassword = "a good long password"

// raw sends body with exactly the headers given (no Origin, no
// Content-Type unless named) and checks the answer against the document.
func (c *client) raw(method, path string, body []byte, header map[string]string) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	r := c.send(req)
	conform(c.t, method, path, r)
	return r
}

// wantError checks that r is an API error with status, code and field.
func wantError(t *testing.T, r response, status int, code, field string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d: %s", r.Status, status, r.Body)
		return
	}
	e := r.Error(t)
	if e.Code != code || e.Field != field {
		t.Errorf("error {code %q field %q}, want {code %q field %q}: %s", e.Code, e.Field, code, field, e.Error)
	}
	if e.Error == "" {
		t.Error("the error has no message")
	}
}

// sessionCookie returns the last warmline_session cookie an answer sets.
func sessionCookie(t *testing.T, r response) *http.Cookie {
	t.Helper()
	var found *http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == httpapi.SessionCookie {
			found = c
		}
	}
	if found == nil {
		t.Fatalf("no %s cookie in %v", httpapi.SessionCookie, r.Header.Values("Set-Cookie"))
	}
	return found
}

// token returns the session token in c's cookie jar ("" when none).
func (c *client) token() string {
	u, _ := url.Parse(c.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == httpapi.SessionCookie {
			return ck.Value
		}
	}
	return ""
}

// withToken is a new browser holding the session token tok.
func (s *testServer) withToken(t *testing.T, tok string) *client {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(s.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: httpapi.SessionCookie, Value: tok, Path: "/"}})
	return &client{t: t, srv: s, http: &http.Client{Jar: jar}}
}

// count runs a SELECT count(*) (or any one-integer query).
func count(t *testing.T, ts *testServer, q string, args ...any) int {
	t.Helper()
	var n int
	if err := ts.DB.Get(&n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// meOf decodes {user, organisation}.
type meBody struct {
	User struct {
		ID       int64  `json:"id"`
		OrgID    int64  `json:"org_id"`
		Email    string `json:"email"`
		Name     string `json:"name"`
		Role     string `json:"role"`
		Locale   string `json:"locale"`
		TimeZone string `json:"time_zone"`
		Active   bool   `json:"active"`
	} `json:"user"`
	Organisation struct {
		ID             int64  `json:"id"`
		Name           string `json:"name"`
		DefaultCountry string `json:"default_country"`
		TimeZone       string `json:"time_zone"`
		AgentsOwnOnly  bool   `json:"agents_own_clients_only"`
	} `json:"organisation"`
	EventSeq *int64 `json:"event_seq"`
}

type stageBody struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Position      int    `json:"position"`
	Kind          string `json:"kind"`
	CoolingPeriod int    `json:"cooling_period"`
	CoolingUnit   string `json:"cooling_unit"`
	CoolingSoon   int    `json:"cooling_soon"`
	ContactLimit  int    `json:"contact_limit"`
	ClientCount   int    `json:"client_count"`
}

// stages lists the funnel as c sees it.
func (c *client) stages(t *testing.T) []stageBody {
	t.Helper()
	var l struct{ Items []stageBody }
	c.api("GET", "/api/v1/stages", nil).must(t, 200).JSON(t, &l)
	return l.Items
}

func TestSignUp(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)

	t.Run("creates the organisation, its admin and the default funnel, and logs in", func(t *testing.T) {
		c := ts.newClient(t)
		r := c.api("POST", "/api/v1/auth/signup", map[string]string{
			"org_name": "  Ромашка  ", "name": "Анна", "email": "Anna@Example.com", "password": goodPassword}).must(t, 201)
		var me meBody
		r.JSON(t, &me)
		if me.User.Email != "anna@example.com" || me.User.Role != "admin" || me.User.Locale != "ru" || me.User.TimeZone != "Europe/Moscow" || !me.User.Active {
			t.Errorf("user = %+v", me.User)
		}
		if me.Organisation.Name != "Ромашка" || me.Organisation.DefaultCountry != "RU" || me.Organisation.TimeZone != "Europe/Moscow" || me.Organisation.AgentsOwnOnly {
			t.Errorf("organisation = %+v", me.Organisation)
		}
		if me.User.OrgID != me.Organisation.ID {
			t.Errorf("user.org_id %d, organisation %d", me.User.OrgID, me.Organisation.ID)
		}
		ck := sessionCookie(t, r)
		if ck.Value == "" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge <= 0 {
			t.Errorf("session cookie = %+v; want a value, HttpOnly, SameSite=Lax, Path=/, a Max-Age", ck)
		}
		if ck.Secure {
			t.Error("the cookie is Secure over plain http; the browser would drop it")
		}
		c.api("GET", "/api/v1/auth/me", nil).must(t, 200)

		stages := c.stages(t)
		wantNames := []string{"Новый клиент", "Первый контакт", "Демо", "Тёплый клиент", "Сделка", "Отказ"}
		wantKinds := []string{"open", "open", "open", "open", "won", "rejected"}
		if len(stages) != 6 {
			t.Fatalf("%d stages, want the 6 default ones", len(stages))
		}
		for i, s := range stages {
			if s.Name != wantNames[i] || s.Kind != wantKinds[i] || s.Position != i+1 || s.ClientCount != 0 {
				t.Errorf("stage %d = %+v, want %s (%s) at %d", i, s, wantNames[i], wantKinds[i], i+1)
			}
		}
		// Cooling soon comes from cooling_soon_percent (80 %) since the rules engine: cooling_soon is 0.
		if s := stages[1]; s.CoolingPeriod != 3 || s.CoolingUnit != "working_days" || s.CoolingSoon != 0 || s.ContactLimit != 7 {
			t.Errorf("second stage's cooling = %+v, want 3 working days, soon 0 (80 %%), limit 7", s)
		}
		if n := count(t, ts, `SELECT count(*) FROM stages WHERE org_id = $1`, me.Organisation.ID); n != 6 {
			t.Errorf("%d stage rows, want 6", n)
		}
	})

	t.Run("English locale, country and time zone are taken", func(t *testing.T) {
		c := ts.newClient(t)
		r := c.api("POST", "/api/v1/auth/signup", map[string]string{"org_name": "Acme", "name": "Bob", "email": "bob@example.com",
			"password": goodPassword, "locale": "en", "default_country": "GB", "time_zone": "Europe/London"}).must(t, 201)
		var me meBody
		r.JSON(t, &me)
		if me.User.Locale != "en" || me.Organisation.DefaultCountry != "GB" || me.Organisation.TimeZone != "Europe/London" || me.User.TimeZone != "Europe/London" {
			t.Errorf("me = %+v", me)
		}
		if s := c.stages(t); s[0].Name != "New client" || s[5].Name != "Rejected" {
			t.Errorf("English funnel = %+v", s)
		}
	})

	orgs := func() int { return count(t, ts, `SELECT count(*) FROM organisations`) }
	before := orgs()
	valid := func(change func(m map[string]any)) map[string]any {
		m := map[string]any{"org_name": "Org", "name": "Name", "email": "new@example.com", "password": goodPassword}
		change(m)
		return m
	}
	for _, c := range []struct {
		name          string
		body          any
		status        int
		code, field   string
		setsNoSession bool
	}{
		{"an e-mail already registered is a conflict on email", valid(func(m map[string]any) { m["email"] = "anna@example.com" }), 409, "conflict", "email", true},
		{"the e-mail comparison ignores case", valid(func(m map[string]any) { m["email"] = " ANNA@example.COM " }), 409, "conflict", "email", true},
		{"a short password is refused", valid(func(m map[string]any) { m["password"] = "short" }), 400, "invalid", "password", true},
		{"a password of 9 characters is one too short", valid(func(m map[string]any) { m["password"] = "ninechars" }), 400, "invalid", "password", true},
		{"a missing organisation name is refused", valid(func(m map[string]any) { delete(m, "org_name") }), 400, "invalid", "org_name", true},
		{"a blank name is refused", valid(func(m map[string]any) { m["name"] = "   " }), 400, "invalid", "name", true},
		{"a bad e-mail is refused", valid(func(m map[string]any) { m["email"] = "not-an-address" }), 400, "invalid", "email", true},
		{"an unknown locale is refused", valid(func(m map[string]any) { m["locale"] = "de" }), 400, "invalid", "locale", true},
		{"an unknown country is refused", valid(func(m map[string]any) { m["default_country"] = "XX" }), 400, "invalid", "default_country", true},
		{"an unknown time zone is refused", valid(func(m map[string]any) { m["time_zone"] = "Mars/Olympus" }), 400, "invalid", "time_zone", true},
		{"an unknown JSON field is refused by name", valid(func(m map[string]any) { m["plan"] = "pro" }), 400, "invalid", "plan", true},
		{"a field of the wrong type is refused by name", valid(func(m map[string]any) { m["org_name"] = 42 }), 400, "invalid", "org_name", true},
		{"a list where a string belongs is refused by name", valid(func(m map[string]any) { m["email"] = []string{"a@b.c"} }), 400, "invalid", "email", true},
		{"malformed JSON is refused", `{"org_name": "x",`, 400, "invalid", "", true},
		{"two JSON values are refused", `{} {}`, 400, "invalid", "", true},
		{"an empty body is refused", "", 400, "invalid", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := ts.newClient(t)
			var r response
			if s, ok := c.body.(string); ok {
				r = cl.raw("POST", "/api/v1/auth/signup", []byte(s), map[string]string{"Content-Type": "application/json", "Origin": ts.URL})
			} else {
				r = cl.api("POST", "/api/v1/auth/signup", c.body)
			}
			wantError(t, r, c.status, c.code, c.field)
			if len(r.Header.Values("Set-Cookie")) != 0 {
				t.Errorf("a refused sign-up set a cookie: %v", r.Header.Values("Set-Cookie"))
			}
		})
	}

	t.Run("a body that is not application/json is refused", func(t *testing.T) {
		body, _ := json.Marshal(valid(func(map[string]any) {}))
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
			r := ts.newClient(t).raw("POST", "/api/v1/auth/signup", body, map[string]string{"Content-Type": ct, "Origin": ts.URL})
			wantError(t, r, 400, "invalid", "")
		}
		// Parameters of the media type are fine.
		ts.newClient(t).raw("POST", "/api/v1/auth/signup", body, map[string]string{"Content-Type": "application/json; charset=utf-8", "Origin": ts.URL}).must(t, 201)
		before++
	})

	t.Run("a body over 1 MiB is too large", func(t *testing.T) {
		big := `{"org_name": "` + strings.Repeat("x", 1<<20) + `"}`
		r := ts.newClient(t).raw("POST", "/api/v1/auth/signup", []byte(big), map[string]string{"Content-Type": "application/json", "Origin": ts.URL})
		wantError(t, r, 413, "too_large", "")
	})

	if after := orgs(); after != before {
		t.Errorf("refused sign-ups created organisations: %d before, %d after", before, after)
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Login Org")
	login := func(c *client, email, pw string) response {
		return c.api("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": pw})
	}

	t.Run("the right password logs in and answers the user and organisation", func(t *testing.T) {
		c := ts.newClient(t)
		r := login(c, strings.ToUpper(admin.Email), goodPassword).must(t, 200)
		var me meBody
		r.JSON(t, &me)
		if me.User.ID != admin.ID || me.Organisation.ID != admin.OrgID || me.Organisation.Name != "Login Org" {
			t.Errorf("me = %+v", me)
		}
		if ck := sessionCookie(t, r); !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie = %+v", ck)
		}
		c.api("GET", "/api/v1/auth/me", nil).must(t, 200)
	})

	t.Run("a new login rotates the session: the old cookie stops working", func(t *testing.T) {
		c := ts.newClient(t)
		login(c, admin.Email, goodPassword).must(t, 200)
		old := c.token()
		login(c, admin.Email, goodPassword).must(t, 200)
		if c.token() == old || c.token() == "" {
			t.Fatal("the session token did not change")
		}
		wantError(t, ts.withToken(t, old).api("GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
		c.api("GET", "/api/v1/auth/me", nil).must(t, 200)
		// Another browser's session is not touched.
		admin.api("GET", "/api/v1/auth/me", nil).must(t, 200)
	})

	t.Run("a wrong password or an unknown account is refused alike", func(t *testing.T) {
		a := login(ts.newClient(t), admin.Email, "the wrong password")
		b := login(ts.newClient(t), "nobody@example.com", "the wrong password")
		wantError(t, a, 401, "unauthorized", "")
		wantError(t, b, 401, "unauthorized", "")
		if a.Error(t).Error != b.Error(t).Error {
			t.Errorf("the messages tell accounts apart: %q vs %q", a.Error(t).Error, b.Error(t).Error)
		}
		if len(a.Header.Values("Set-Cookie")) != 0 {
			t.Error("a failed login set a cookie")
		}
	})

	t.Run("an empty e-mail or password is invalid", func(t *testing.T) {
		wantError(t, login(ts.newClient(t), "", goodPassword), 400, "invalid", "email")
		wantError(t, login(ts.newClient(t), admin.Email, ""), 400, "invalid", "password")
		wantError(t, ts.newClient(t).api("POST", "/api/v1/auth/login", map[string]string{"email": admin.Email, "password": goodPassword, "remember": "1"}), 400, "invalid", "remember")
	})

	t.Run("after 5 failures the account is throttled, even for the right password", func(t *testing.T) {
		victim := ts.addUser(t, admin, "agent")
		c := ts.newClient(t)
		for i := 1; i <= 5; i++ {
			wantError(t, login(c, victim.Email, fmt.Sprintf("wrong password %d", i)), 401, "unauthorized", "")
		}
		r := login(c, victim.Email, goodPassword)
		wantError(t, r, 429, "too_many", "")
		if !strings.Contains(r.Error(t).Error, "min") {
			t.Errorf("the message does not say how long to wait: %q", r.Error(t).Error)
		}
		if n := count(t, ts, `SELECT count(*) FROM login_failures WHERE email = $1`, victim.Email); n != 5 {
			t.Errorf("%d failures recorded, want 5 (throttled attempts are not checked, so not counted)", n)
		}
		// The victim's open session and other accounts are not affected.
		victim.api("GET", "/api/v1/auth/me", nil).must(t, 200)
		login(ts.newClient(t), admin.Email, goodPassword).must(t, 200)
	})

	t.Run("a deactivated user cannot log in", func(t *testing.T) {
		gone := ts.addUser(t, admin, "agent")
		admin.api("DELETE", fmt.Sprintf("/api/v1/users/%d", gone.ID), nil).must(t, 204)
		wantError(t, login(ts.newClient(t), gone.Email, goodPassword), 401, "unauthorized", "")
	})
}

func TestLoginThrottlesAnAddressTryingManyAccounts(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "IP Org")
	c := ts.newClient(t)
	// 30 failures from one address, spread over accounts so that no
	// account reaches its own limit of 5.
	for i := 0; i < 30; i++ {
		r := c.api("POST", "/api/v1/auth/login", map[string]string{"email": fmt.Sprintf("guess%d@example.com", i%10), "password": "guessed password"})
		wantError(t, r, 401, "unauthorized", "")
	}
	r := c.api("POST", "/api/v1/auth/login", map[string]string{"email": admin.Email, "password": goodPassword})
	wantError(t, r, 429, "too_many", "")
}

func TestLogout(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Logout Org")
	other := ts.newClient(t)
	other.api("POST", "/api/v1/auth/login", map[string]string{"email": admin.Email, "password": goodPassword}).must(t, 200)
	tok := admin.token()

	r := admin.api("POST", "/api/v1/auth/logout", nil).must(t, 204)
	if ck := sessionCookie(t, r); ck.Value != "" || ck.MaxAge >= 0 {
		t.Errorf("logout cookie = %+v, want it cleared (empty, Max-Age=0)", ck)
	}
	if admin.token() != "" {
		t.Error("the browser still holds the session cookie")
	}
	wantError(t, ts.withToken(t, tok).api("GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
	if n := count(t, ts, `SELECT count(*) FROM sessions WHERE user_id = $1`, admin.ID); n != 1 {
		t.Errorf("%d sessions left, want 1 (the other browser's)", n)
	}
	other.api("GET", "/api/v1/auth/me", nil).must(t, 200)
	wantError(t, admin.api("POST", "/api/v1/auth/logout", nil), 401, "unauthorized", "")
}

func TestUnknownSessionCookieIsClearedAndRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.withToken(t, "forged-token").api("GET", "/api/v1/auth/me", nil)
	wantError(t, r, 401, "unauthorized", "")
	if ck := sessionCookie(t, r); ck.MaxAge >= 0 {
		t.Errorf("the dead cookie was not cleared: %+v", ck)
	}
}

func TestCrossOriginRequestsAreRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "CSRF Org")
	clients := func() int { return count(t, ts, `SELECT count(*) FROM clients WHERE org_id = $1`, admin.OrgID) }
	for _, c := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"a foreign Origin is refused", map[string]string{"Origin": "https://evil.example"}, 403},
		{"an Origin with another port is refused", map[string]string{"Origin": strings.Replace(ts.URL, "127.0.0.1:", "127.0.0.1:1", 1)}, 403},
		{"an opaque Origin (null) is refused", map[string]string{"Origin": "null"}, 403},
		{"Sec-Fetch-Site cross-site without Origin is refused", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"Sec-Fetch-Site same-site without Origin is refused", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"a foreign Origin wins over Sec-Fetch-Site same-origin", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"}, 403},
		{"the same origin is allowed", map[string]string{"Origin": ts.URL}, 201},
		{"Sec-Fetch-Site same-origin without Origin is allowed", map[string]string{"Sec-Fetch-Site": "same-origin"}, 201},
		{"a request with neither header (not a browser) is allowed", map[string]string{}, 201},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := clients()
			h := map[string]string{"Content-Type": "application/json"}
			for k, v := range c.header {
				h[k] = v
			}
			r := admin.raw("POST", "/api/v1/clients", []byte(fmt.Sprintf(`{"name": "Client %d"}`, before)), h)
			if c.status == 403 {
				wantError(t, r, 403, "forbidden", "")
				if clients() != before {
					t.Error("a refused request created a client")
				}
			} else {
				r.must(t, c.status)
				if clients() != before+1 {
					t.Error("no client was created")
				}
			}
		})
	}
	t.Run("a cross-origin login or sign-up is refused too (login CSRF)", func(t *testing.T) {
		h := map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}
		wantError(t, ts.newClient(t).raw("POST", "/api/v1/auth/login", []byte(fmt.Sprintf(`{"email":%q,"password":%q}`, admin.Email, goodPassword)), h), 403, "forbidden", "")
		wantError(t, ts.newClient(t).raw("POST", "/api/v1/auth/signup", []byte(`{"org_name":"x","name":"x","email":"x@example.com","password":"a good long password"}`), h), 403, "forbidden", "")
	})
	t.Run("reads are not state-changing and pass with a foreign Origin", func(t *testing.T) {
		admin.raw("GET", "/api/v1/auth/me", nil, map[string]string{"Origin": "https://evil.example"}).must(t, 200)
	})
	t.Run("deletes and patches are checked too", func(t *testing.T) {
		h := map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}
		wantError(t, admin.raw("PATCH", "/api/v1/organisation", []byte(`{"name":"Hijacked"}`), h), 403, "forbidden", "")
		wantError(t, admin.raw("POST", "/api/v1/auth/logout", nil, h), 403, "forbidden", "")
		admin.api("GET", "/api/v1/auth/me", nil).must(t, 200)
		var org struct{ Name string }
		admin.api("GET", "/api/v1/organisation", nil).must(t, 200).JSON(t, &org)
		if org.Name != "CSRF Org" {
			t.Errorf("organisation renamed to %q by a cross-origin request", org.Name)
		}
	})
}

func TestMe(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Me Org")
	agent := ts.addUser(t, admin, "agent")

	t.Run("answers the caller and the organisation", func(t *testing.T) {
		var me meBody
		agent.api("GET", "/api/v1/auth/me", nil).must(t, 200).JSON(t, &me)
		if me.User.ID != agent.ID || me.User.Role != "agent" || me.Organisation.ID != admin.OrgID {
			t.Errorf("me = %+v", me)
		}
	})
	t.Run("without a session it is unauthorized", func(t *testing.T) {
		wantError(t, ts.newClient(t).api("GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
	})
	// The SPA opens its live stream after event_seq: it must be the
	// organisation's last event, neither behind (changes made before the
	// answer would be replayed onto pages that show them) nor ahead (the
	// next change would be skipped).
	t.Run("tells the last event, where the live stream starts", func(t *testing.T) {
		lastOf := func(org int64) int64 {
			var n int64
			if err := ts.DB.Get(&n, `SELECT COALESCE(max(seq), 0) FROM events WHERE org_id = $1`, org); err != nil {
				t.Fatal(err)
			}
			return n
		}
		last := func() int64 { return lastOf(admin.OrgID) }
		var before meBody
		agent.api("GET", "/api/v1/auth/me", nil).must(t, 200).JSON(t, &before)
		if before.EventSeq == nil || *before.EventSeq != last() || *before.EventSeq == 0 {
			t.Fatalf("event_seq = %v, the organisation's last event is %d", before.EventSeq, last())
		}
		admin.do("POST", "/api/v1/clients", map[string]any{"name": "Новый клиент"}).must(t, 201)
		var after meBody
		agent.api("GET", "/api/v1/auth/me", nil).must(t, 200).JSON(t, &after)
		if after.EventSeq == nil || *after.EventSeq <= *before.EventSeq || *after.EventSeq != last() {
			t.Fatalf("after a new client event_seq = %v (before %d), the last event is %d", after.EventSeq, *before.EventSeq, last())
		}
		// Login answers it too, and it is the caller's organisation's.
		var login meBody
		other := ts.signUp(t, "Other Me Org")
		other.do("POST", "/api/v1/clients", map[string]any{"name": "Клиент другой организации"}).must(t, 201)
		other.do("POST", "/api/v1/auth/login", map[string]string{"email": other.Email, "password": "a good long password"}).must(t, 200).JSON(t, &login)
		if login.EventSeq == nil || *login.EventSeq != lastOf(other.OrgID) {
			t.Fatalf("login event_seq = %v, the organisation's last event is %d", login.EventSeq, lastOf(other.OrgID))
		}
	})
	t.Run("changes the caller's locale, name and time zone", func(t *testing.T) {
		var u struct {
			Locale, Name string
			TimeZone     string `json:"time_zone"`
		}
		agent.api("PATCH", "/api/v1/auth/me", map[string]string{"locale": "en", "name": "  Agent Smith ", "time_zone": "Asia/Yekaterinburg"}).must(t, 200).JSON(t, &u)
		if u.Locale != "en" || u.Name != "Agent Smith" || u.TimeZone != "Asia/Yekaterinburg" {
			t.Errorf("answer = %+v", u)
		}
		var locale string
		if err := ts.DB.Get(&locale, `SELECT locale FROM users WHERE id = $1`, agent.ID); err != nil || locale != "en" {
			t.Errorf("stored locale %q (%v), want en", locale, err)
		}
	})
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"an unknown locale is refused", map[string]any{"locale": "fr"}, "locale"},
		{"an unknown time zone is refused", map[string]any{"time_zone": "Nowhere/Else"}, "time_zone"},
		{"an empty name is refused", map[string]any{"name": ""}, "name"},
		{"a short password is refused", map[string]any{"password": "short"}, "password"},
		{"the role cannot be changed here", map[string]any{"role": "admin"}, "role"},
		{"the caller cannot deactivate themself here", map[string]any{"active": false}, "active"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, agent.api("PATCH", "/api/v1/auth/me", c.body), 400, "invalid", c.field)
		})
	}
	var role string
	if err := ts.DB.Get(&role, `SELECT role FROM users WHERE id = $1`, agent.ID); err != nil || role != "agent" {
		t.Errorf("role %q (%v) after refused changes, want agent", role, err)
	}

	t.Run("a new password keeps the caller logged in and ends the other sessions", func(t *testing.T) {
		elsewhere := ts.newClient(t)
		elsewhere.api("POST", "/api/v1/auth/login", map[string]string{"email": agent.Email, "password": goodPassword}).must(t, 200)
		old := agent.token()
		r := agent.api("PATCH", "/api/v1/auth/me", map[string]string{"password": "a brand new password"}).must(t, 200)
		if ck := sessionCookie(t, r); ck.Value == "" || ck.Value == old {
			t.Errorf("no new session cookie after the password change: %+v", ck)
		}
		agent.api("GET", "/api/v1/auth/me", nil).must(t, 200)
		wantError(t, elsewhere.api("GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
		wantError(t, ts.withToken(t, old).api("GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
		if n := count(t, ts, `SELECT count(*) FROM sessions WHERE user_id = $1`, agent.ID); n != 1 {
			t.Errorf("%d sessions, want only the caller's new one", n)
		}
		wantError(t, ts.newClient(t).api("POST", "/api/v1/auth/login", map[string]string{"email": agent.Email, "password": goodPassword}), 401, "unauthorized", "")
		ts.newClient(t).api("POST", "/api/v1/auth/login", map[string]string{"email": agent.Email, "password": "a brand new password"}).must(t, 200)
	})
}

func TestPublicURLDecidesTheOriginAndSecureCookies(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	api := httpapi.NewServer(db, httpapi.Config{PublicURL: "https://crm.example.com/"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	ts := &testServer{Server: srv, API: api, DB: db}
	body := []byte(`{"org_name": "Public", "name": "P", "email": "public@example.com", "password": "a good long password"}`)

	// Behind a proxy the request's own host is not what browsers see.
	r := ts.newClient(t).raw("POST", "/api/v1/auth/signup", body, map[string]string{"Content-Type": "application/json", "Origin": srv.URL})
	wantError(t, r, 403, "forbidden", "")
	r = ts.newClient(t).raw("POST", "/api/v1/auth/signup", body, map[string]string{"Content-Type": "application/json", "Origin": "https://crm.example.com"})
	r.must(t, 201)
	if ck := sessionCookie(t, r); !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie under an https public URL = %+v, want Secure, HttpOnly, SameSite=Lax", ck)
	}
}

// TestEveryRouteGuardsItself walks routes(): without a session every
// non-public route is unauthorized, from a foreign origin every
// state-changing route is forbidden, and every JSON body over 1 MiB is too
// large, whatever the route. A new route is covered without a new case.
func TestEveryRouteGuardsItself(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Guard Org")
	doc := loadDoc(t)
	ops := operations(doc)
	big := []byte(`{"name": "` + strings.Repeat("x", 1<<20) + `"}`)
	for _, r := range ts.API.Routes() {
		path := strings.ReplaceAll(r.Path, ":id", "1")
		key := r.Method + " " + docPath(r.Path)
		t.Run(key, func(t *testing.T) {
			stranger := ts.newClient(t)
			if r.Role != "" {
				wantError(t, stranger.raw(r.Method, path, nil, map[string]string{"Origin": ts.URL}), 401, "unauthorized", "")
			}
			if r.Method != http.MethodGet {
				h := map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}
				wantError(t, admin.raw(r.Method, path, []byte(`{}`), h), 403, "forbidden", "")
				wantError(t, stranger.raw(r.Method, path, []byte(`{}`), h), 403, "forbidden", "")
			}
			if _, json := obj(obj(deref(t, doc, ops[key]["requestBody"])["content"]))["application/json"]; json {
				h := map[string]string{"Content-Type": "application/json", "Origin": ts.URL}
				wantError(t, admin.raw(r.Method, path, big, h), 413, "too_large", "")
			}
		})
	}
	admin.api("GET", "/api/v1/auth/me", nil).must(t, 200)
}
