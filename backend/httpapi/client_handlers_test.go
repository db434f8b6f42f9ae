package httpapi_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

type clientBody struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Company        string     `json:"company"`
	Phones         []string   `json:"phones"`
	Email          string     `json:"email"`
	Channel        string     `json:"channel"`
	OwnerID        *int64     `json:"owner_id"`
	StageID        int64      `json:"stage_id"`
	StageEnteredAt time.Time  `json:"stage_entered_at"`
	Contacts       int        `json:"contacts"`
	StageContacts  int        `json:"stage_contacts"`
	Notes          string     `json:"notes"`
	CoolingSoonAt  *time.Time `json:"cooling_soon_at"`
	CoolsAt        *time.Time `json:"cools_at"`
	CoolingState   string     `json:"cooling_state"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

type transitionBody struct {
	ID            int64  `json:"id"`
	ClientID      int64  `json:"client_id"`
	FromStageID   *int64 `json:"from_stage_id"`
	ToStageID     int64  `json:"to_stage_id"`
	FromStageName string `json:"from_stage_name"`
	ToStageName   string `json:"to_stage_name"`
	ActorID       *int64 `json:"actor_id"`
	ActorName     string `json:"actor_name"`
	Reason        string `json:"reason"`
}

type pageBody struct {
	Items   []clientBody `json:"items"`
	Total   int          `json:"total"`
	Page    int          `json:"page"`
	PerPage int          `json:"per_page"`
}

func clientPath(id int64) string { return fmt.Sprintf("/api/v1/clients/%d", id) }

// newClient creates a client as c and returns it.
func newClient(t *testing.T, c *account, body map[string]any) clientBody {
	t.Helper()
	var cl clientBody
	c.api("POST", "/api/v1/clients", body).must(t, 201).JSON(t, &cl)
	return cl
}

func getClient(t *testing.T, c *account, id int64) clientBody {
	t.Helper()
	var cl clientBody
	c.api("GET", clientPath(id), nil).must(t, 200).JSON(t, &cl)
	return cl
}

func transitions(t *testing.T, c *account, id int64) []transitionBody {
	t.Helper()
	var l struct{ Items []transitionBody }
	c.api("GET", clientPath(id)+"/transitions", nil).must(t, 200).JSON(t, &l)
	return l.Items
}

// listClients fetches a client page with the query q and returns it.
func listClients(t *testing.T, c *account, q url.Values) pageBody {
	t.Helper()
	var p pageBody
	c.api("GET", "/api/v1/clients?"+q.Encode(), nil).must(t, 200).JSON(t, &p)
	return p
}

func names(p pageBody) []string {
	out := []string{}
	for _, c := range p.Items {
		out = append(out, c.Name)
	}
	return out
}

func TestClientCreate(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Create Client Org")
	agent := ts.addUser(t, admin, "agent")
	st := admin.stages(t)

	t.Run("phones in national format are stored in E.164, deduplicated", func(t *testing.T) {
		c := newClient(t, admin, map[string]any{"name": " Иван Петров ", "company": "ООО Ромашка", "email": " Ivan@Romashka.RU ",
			"phones": []string{"8 (903) 555-01-01", "+7 903 555 01 01", " ", "8 495 123-45-67"}, "channel": "сайт", "notes": "Перезвонить"})
		if c.Name != "Иван Петров" || c.Email != "ivan@romashka.ru" || !slices.Equal(c.Phones, []string{"+79035550101", "+74951234567"}) {
			t.Errorf("client = %+v", c)
		}
		if c.StageID != st[0].ID || c.OwnerID != nil || c.CoolingState != "ok" || c.CoolsAt == nil {
			t.Errorf("an admin's new client: stage %d, owner %v, cooling %s; want the first stage, no owner, ok", c.StageID, c.OwnerID, c.CoolingState)
		}
		var phones []string
		if err := ts.DB.Select(&phones, `SELECT phone FROM client_phones WHERE client_id = $1 ORDER BY phone`, c.ID); err != nil || !slices.Equal(phones, []string{"+74951234567", "+79035550101"}) {
			t.Errorf("client_phones = %v (%v)", phones, err)
		}
		tr := transitions(t, admin, c.ID)
		if len(tr) != 1 || tr[0].FromStageID != nil || tr[0].ToStageID != st[0].ID || tr[0].Reason != "created" || tr[0].ActorName != "Admin of Create Client Org" {
			t.Errorf("first transition = %+v", tr)
		}
	})
	t.Run("an agent owns the clients they create", func(t *testing.T) {
		c := newClient(t, agent, map[string]any{"name": "Agent's lead"})
		if c.OwnerID == nil || *c.OwnerID != agent.ID {
			t.Errorf("owner %v, want the agent %d", c.OwnerID, agent.ID)
		}
		c = newClient(t, agent, map[string]any{"name": "Nobody's lead", "owner_id": 0})
		if c.OwnerID != nil {
			t.Errorf("owner_id 0 should leave it unowned, got %v", *c.OwnerID)
		}
	})
	t.Run("a stage and an owner may be given", func(t *testing.T) {
		c := newClient(t, admin, map[string]any{"name": "Demo booked", "stage_id": st[2].ID, "owner_id": agent.ID})
		if c.StageID != st[2].ID || c.OwnerID == nil || *c.OwnerID != agent.ID {
			t.Errorf("client = %+v", c)
		}
		if c := newClient(t, admin, map[string]any{"name": "Won already", "stage_id": st[4].ID}); c.CoolingState != "none" || c.CoolsAt != nil {
			t.Errorf("a client in a won stage cools: %+v", c)
		}
	})

	other := ts.signUp(t, "Other Client Org")
	gone := ts.addUser(t, admin, "agent")
	admin.api("DELETE", fmt.Sprintf("/api/v1/users/%d", gone.ID), nil).must(t, 204)
	var deletedStage stageBody
	admin.api("POST", "/api/v1/stages", map[string]any{"name": "Soon gone"}).must(t, 201).JSON(t, &deletedStage)
	admin.api("DELETE", stagePath(deletedStage.ID), nil).must(t, 204)
	clients := func() int { return count(t, ts, `SELECT count(*) FROM clients`) }
	for _, c := range []struct {
		name        string
		body        map[string]any
		status      int
		code, field string
	}{
		{"a phone of another client, typed differently, is a conflict", map[string]any{"name": "Copy", "phones": []string{"+7 (903) 555-01-01"}}, 409, "conflict", "phones"},
		{"a missing name is refused", map[string]any{"company": "Nameless"}, 400, "invalid", "name"},
		{"a name over 200 characters is refused", map[string]any{"name": strings.Repeat("я", 201)}, 400, "invalid", "name"},
		{"a phone that is not a number is refused", map[string]any{"name": "X", "phones": []string{"12"}}, 400, "invalid", "phones"},
		{"more than 10 phones are refused", map[string]any{"name": "X", "phones": slices.Repeat([]string{"+79035550199"}, 11)}, 400, "invalid", "phones"},
		{"a bad e-mail is refused", map[string]any{"name": "X", "email": "ivan at romashka"}, 400, "invalid", "email"},
		{"an unknown stage is refused", map[string]any{"name": "X", "stage_id": 999999}, 400, "invalid", "stage_id"},
		{"a deleted stage is refused", map[string]any{"name": "X", "stage_id": deletedStage.ID}, 400, "invalid", "stage_id"},
		{"another organisation's stage is refused", map[string]any{"name": "X", "stage_id": other.stages(t)[0].ID}, 400, "invalid", "stage_id"},
		{"another organisation's user as owner is refused", map[string]any{"name": "X", "owner_id": other.ID}, 400, "invalid", "owner_id"},
		{"a deactivated owner is refused", map[string]any{"name": "X", "owner_id": gone.ID}, 400, "invalid", "owner_id"},
		{"phones must be a list", map[string]any{"name": "X", "phones": "+79035550199"}, 400, "invalid", "phones"},
		{"an unknown field is refused", map[string]any{"name": "X", "priority": 1}, 400, "invalid", "priority"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := clients()
			wantError(t, admin.api("POST", "/api/v1/clients", c.body), c.status, c.code, c.field)
			if clients() != n {
				t.Error("a refused request created a client")
			}
		})
	}
}

func TestClientList(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "List Org")
	agent := ts.addUser(t, admin, "agent")
	st := admin.stages(t)
	ivan := newClient(t, admin, map[string]any{"name": "Иван Петров", "company": "ООО Ромашка", "phones": []string{"+79035550101"},
		"email": "ivan@romashka.ru", "channel": "ads"})
	anna := newClient(t, agent, map[string]any{"name": "anna Smirnova", "company": "Лютик", "phones": []string{"+7 495 123 45 67"}, "channel": "site", "stage_id": st[1].ID})
	boris := newClient(t, admin, map[string]any{"name": "Boris", "company": "100% Sales", "channel": "ads", "stage_id": st[4].ID, "owner_id": agent.ID})
	vera := newClient(t, admin, map[string]any{"name": "Vera", "company": "Zeta_Corp", "stage_id": st[1].ID})
	oleg := newClient(t, admin, map[string]any{"name": "Oleg", "company": "Alpha"})
	// Cooling states, set as if time had passed: Vera cools soon, Oleg has cooled.
	if _, err := ts.DB.Exec(`UPDATE clients SET cooling_soon_at = now() - interval '1 hour', cools_at = now() + interval '1 hour' WHERE id = $1`, vera.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.DB.Exec(`UPDATE clients SET cooling_soon_at = now() - interval '2 hours', cools_at = now() - interval '1 hour' WHERE id = $1`, oleg.ID); err != nil {
		t.Fatal(err)
	}
	all := []string{ivan.Name, anna.Name, boris.Name, vera.Name, oleg.Name}

	t.Run("without filters: every client, oldest first, 50 a page", func(t *testing.T) {
		p := listClients(t, agent, nil)
		if !slices.Equal(names(p), all) || p.Total != 5 || p.Page != 1 || p.PerPage != 50 {
			t.Errorf("page = %q total %d page %d per_page %d", names(p), p.Total, p.Page, p.PerPage)
		}
	})

	for _, c := range []struct {
		name  string
		query url.Values
		want  []string
		as    *account // the caller; the admin when nil
	}{
		{"a phone typed in national format finds the E.164 number", url.Values{"q": {"8 (903) 555-01-01"}}, []string{ivan.Name}, nil},
		{"a phone typed with the country code finds it", url.Values{"q": {"+7 903 555 01 01"}}, []string{ivan.Name}, nil},
		{"a part of a phone finds it", url.Values{"q": {"555-01"}}, []string{ivan.Name}, nil},
		{"a national number typed with the trunk prefix finds a number entered internationally", url.Values{"q": {"8 495 123"}}, []string{anna.Name}, nil},
		{"a part of the company, in another case, finds it", url.Values{"q": {"ромашк"}}, []string{ivan.Name}, nil},
		{"a part of the name finds it, ignoring case", url.Values{"q": {"ANNA"}}, []string{anna.Name}, nil},
		{"a part of the e-mail finds it", url.Values{"q": {"ivan@"}}, []string{ivan.Name}, nil},
		{"a percent sign is matched literally", url.Values{"q": {"%"}}, []string{boris.Name}, nil},
		{"an underscore is matched literally", url.Values{"q": {"_"}}, []string{vera.Name}, nil},
		{"nothing matches nonsense", url.Values{"q": {"zzzz"}}, []string{}, nil},
		{"by stage", url.Values{"stage_id": {fmt.Sprint(st[1].ID)}}, []string{anna.Name, vera.Name}, nil},
		{"by owner: me", url.Values{"owner_id": {"me"}}, []string{anna.Name, boris.Name}, agent},
		{"by owner: me, for a caller who owns none", url.Values{"owner_id": {"me"}}, []string{}, admin},
		{"by owner: none", url.Values{"owner_id": {"none"}}, []string{ivan.Name, vera.Name, oleg.Name}, nil},
		{"by owner id", url.Values{"owner_id": {fmt.Sprint(agent.ID)}}, []string{anna.Name, boris.Name}, nil},
		{"by channel", url.Values{"channel": {"ads"}}, []string{ivan.Name, boris.Name}, nil},
		{"cooling none: the won client", url.Values{"cooling": {"none"}}, []string{boris.Name}, nil},
		{"cooling ok", url.Values{"cooling": {"ok"}}, []string{ivan.Name, anna.Name}, nil},
		{"cooling soon", url.Values{"cooling": {"soon"}}, []string{vera.Name}, nil},
		{"cooling cooled", url.Values{"cooling": {"cooled"}}, []string{oleg.Name}, nil},
		{"filters combine", url.Values{"channel": {"ads"}, "owner_id": {"none"}}, []string{ivan.Name}, nil},
		{"sort by name, ignoring case", url.Values{"sort": {"name"}}, []string{anna.Name, boris.Name, oleg.Name, vera.Name, ivan.Name}, nil},
		{"sort by name descending", url.Values{"sort": {"name"}, "order": {"desc"}}, []string{ivan.Name, vera.Name, oleg.Name, boris.Name, anna.Name}, nil},
		{"sort by company", url.Values{"sort": {"company"}}, []string{boris.Name, oleg.Name, vera.Name, anna.Name, ivan.Name}, nil},
		{"sort by cooling deadline, empty last", url.Values{"sort": {"cools_at"}}, []string{oleg.Name, vera.Name, ivan.Name, anna.Name, boris.Name}, nil},
		{"newest first", url.Values{"order": {"desc"}}, []string{oleg.Name, vera.Name, boris.Name, anna.Name, ivan.Name}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			as := admin
			if c.as != nil {
				as = c.as
			}
			p := listClients(t, as, c.query)
			if !slices.Equal(names(p), c.want) || p.Total != len(c.want) {
				t.Errorf("%s: got %q (total %d), want %q", c.query.Encode(), names(p), p.Total, c.want)
			}
		})
	}
	t.Run("the answer's cooling state matches the filter", func(t *testing.T) {
		for _, state := range []string{"none", "ok", "soon", "cooled"} {
			for _, c := range listClients(t, admin, url.Values{"cooling": {state}}).Items {
				if c.CoolingState != state {
					t.Errorf("%s listed under cooling=%s has cooling_state %s", c.Name, state, c.CoolingState)
				}
			}
		}
	})
	t.Run("pages hold per_page clients and the total counts all", func(t *testing.T) {
		for _, c := range []struct {
			page string
			want []string
		}{
			{"1", all[0:2]}, {"2", all[2:4]}, {"3", all[4:5]}, {"4", []string{}},
		} {
			p := listClients(t, admin, url.Values{"per_page": {"2"}, "page": {c.page}})
			if !slices.Equal(names(p), c.want) || p.Total != 5 || p.PerPage != 2 || fmt.Sprint(p.Page) != c.page {
				t.Errorf("page %s = %q total %d page %d per_page %d; want %q", c.page, names(p), p.Total, p.Page, p.PerPage, c.want)
			}
		}
		if p := listClients(t, admin, url.Values{"per_page": {"200"}}); p.PerPage != 200 || len(p.Items) != 5 {
			t.Errorf("per_page 200: %d items, per_page %d", len(p.Items), p.PerPage)
		}
	})

	for _, c := range []struct {
		name  string
		query string
		field string
	}{
		{"per_page over 200 is refused", "per_page=201", "per_page"},
		{"per_page 0 is refused", "per_page=0", "per_page"},
		{"page 0 is refused", "page=0", "page"},
		{"a page that is not a number is refused", "page=two", "page"},
		{"an unknown sort column is refused", "sort=password_hash", "sort"},
		{"an unknown order is refused", "order=up", "order"},
		{"a stage that is not an id is refused", "stage_id=new", "stage_id"},
		{"an owner that is not an id, me or none is refused", "owner_id=boss", "owner_id"},
		{"an unknown cooling state is refused", "cooling=warm", "cooling"},
		{"search text over 200 characters is refused", "q=" + strings.Repeat("a", 201), "q"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, admin.api("GET", "/api/v1/clients?"+c.query, nil), 400, "invalid", c.field)
		})
	}
	t.Run("without a session it is unauthorized", func(t *testing.T) {
		wantError(t, ts.newClient(t).api("GET", "/api/v1/clients", nil), 401, "unauthorized", "")
	})
}

func TestClientGetUpdateDelete(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Edit Client Org")
	supervisor := ts.addUser(t, admin, "supervisor")
	agent := ts.addUser(t, admin, "agent")
	c := newClient(t, agent, map[string]any{"name": "Original", "company": "Old Co", "phones": []string{"+79035550101"}, "channel": "ads"})
	neighbour := newClient(t, admin, map[string]any{"name": "Neighbour", "phones": []string{"+79035550102"}})

	t.Run("get answers the client", func(t *testing.T) {
		if got := getClient(t, agent, c.ID); got.ID != c.ID || got.Name != "Original" || !slices.Equal(got.Phones, []string{"+79035550101"}) {
			t.Errorf("client = %+v", got)
		}
		wantError(t, agent.api("GET", clientPath(999999), nil), 404, "not_found", "")
		wantError(t, agent.api("GET", "/api/v1/clients/first", nil), 400, "invalid", "id")
		wantError(t, supervisor.api("DELETE", "/api/v1/clients/first", nil), 400, "invalid", "id")
	})

	t.Run("patch changes the given fields and keeps the rest", func(t *testing.T) {
		var got clientBody
		agent.api("PATCH", clientPath(c.ID), map[string]any{"name": "Renamed", "phones": []string{"8 903 555-01-03"}, "notes": "VIP"}).must(t, 200).JSON(t, &got)
		if got.Name != "Renamed" || got.Company != "Old Co" || got.Channel != "ads" || got.Notes != "VIP" || !slices.Equal(got.Phones, []string{"+79035550103"}) {
			t.Errorf("patched client = %+v", got)
		}
		if got.StageID != c.StageID || got.OwnerID == nil || *got.OwnerID != agent.ID || !got.UpdatedAt.After(c.UpdatedAt) {
			t.Errorf("patch changed stage/owner or not updated_at: %+v", got)
		}
		// The old number is free again.
		newClient(t, admin, map[string]any{"name": "Takes the old number", "phones": []string{"+79035550101"}})
	})
	t.Run("owner_id 0 clears the owner", func(t *testing.T) {
		var got clientBody
		admin.api("PATCH", clientPath(c.ID), map[string]any{"owner_id": 0}).must(t, 200).JSON(t, &got)
		if got.OwnerID != nil {
			t.Errorf("owner %d, want none", *got.OwnerID)
		}
		admin.api("PATCH", clientPath(c.ID), map[string]any{"owner_id": agent.ID}).must(t, 200)
	})

	before := getClient(t, admin, c.ID)
	for _, tc := range []struct {
		name        string
		body        map[string]any
		status      int
		code, field string
	}{
		{"stage_id cannot be patched: moves go through /move", map[string]any{"stage_id": admin.stages(t)[2].ID}, 400, "invalid", "stage_id"},
		{"another client's phone is a conflict", map[string]any{"phones": []string{"8 903 555 01 02"}}, 409, "conflict", "phones"},
		{"an empty name is refused", map[string]any{"name": ""}, 400, "invalid", "name"},
		{"a bad e-mail is refused", map[string]any{"email": "@"}, 400, "invalid", "email"},
		{"an unknown owner is refused", map[string]any{"owner_id": 999999}, 400, "invalid", "owner_id"},
		{"an unknown field is refused", map[string]any{"deleted_at": nil}, 400, "invalid", "deleted_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, admin.api("PATCH", clientPath(c.ID), tc.body), tc.status, tc.code, tc.field)
			if after := getClient(t, admin, c.ID); !after.UpdatedAt.Equal(before.UpdatedAt) || after.StageID != before.StageID || !slices.Equal(after.Phones, before.Phones) {
				t.Errorf("a refused patch changed the client: %+v", after)
			}
		})
	}
	t.Run("patching an unknown client is not found", func(t *testing.T) {
		wantError(t, admin.api("PATCH", clientPath(999999), map[string]any{"name": "X"}), 404, "not_found", "")
	})

	t.Run("agents may not delete clients", func(t *testing.T) {
		wantError(t, agent.api("DELETE", clientPath(c.ID), nil), 403, "forbidden", "")
		getClient(t, agent, c.ID)
	})
	t.Run("a supervisor deletes a client: it is gone, its phones are free, its row kept", func(t *testing.T) {
		supervisor.api("DELETE", clientPath(neighbour.ID), nil).must(t, 204)
		wantError(t, admin.api("GET", clientPath(neighbour.ID), nil), 404, "not_found", "")
		wantError(t, admin.api("PATCH", clientPath(neighbour.ID), map[string]any{"name": "Back"}), 404, "not_found", "")
		wantError(t, admin.api("DELETE", clientPath(neighbour.ID), nil), 404, "not_found", "")
		wantError(t, admin.api("GET", clientPath(neighbour.ID)+"/transitions", nil), 404, "not_found", "")
		if slices.Contains(names(listClients(t, admin, nil)), "Neighbour") {
			t.Error("the deleted client is listed")
		}
		if n := count(t, ts, `SELECT count(*) FROM clients WHERE id = $1 AND deleted_at IS NOT NULL`, neighbour.ID); n != 1 {
			t.Error("the client row is not kept as deleted")
		}
		newClient(t, admin, map[string]any{"name": "Takes the freed number", "phones": []string{"+79035550102"}})
	})
}

func TestClientMoveAndTransitions(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Move Org")
	agent := ts.addUser(t, admin, "agent")
	agent.api("PATCH", "/api/v1/auth/me", map[string]string{"name": "Мария Агент"}).must(t, 200)
	st := admin.stages(t)
	c := newClient(t, agent, map[string]any{"name": "Mover"})
	if _, err := ts.DB.Exec(`UPDATE clients SET stage_contacts = 3 WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("a move records a transition with the reason and the actor", func(t *testing.T) {
		var moved clientBody
		agent.api("POST", clientPath(c.ID)+"/move", map[string]any{"stage_id": st[2].ID, "reason": " Booked a demo "}).must(t, 200).JSON(t, &moved)
		if moved.StageID != st[2].ID || moved.StageContacts != 0 || moved.StageEnteredAt.Before(c.StageEnteredAt) || !moved.StageEnteredAt.After(c.StageEnteredAt.Add(-time.Second)) {
			t.Errorf("moved client = %+v", moved)
		}
		admin.api("POST", clientPath(c.ID)+"/move", map[string]any{"stage_id": st[4].ID}).must(t, 200)
		tr := transitions(t, agent, c.ID)
		if len(tr) != 3 {
			t.Fatalf("%d transitions, want 3: %+v", len(tr), tr)
		}
		want := []transitionBody{
			{ClientID: c.ID, FromStageID: nil, ToStageID: st[0].ID, FromStageName: "", ToStageName: st[0].Name, ActorID: &agent.ID, ActorName: "Мария Агент", Reason: "created"},
			{ClientID: c.ID, FromStageID: &st[0].ID, ToStageID: st[2].ID, FromStageName: st[0].Name, ToStageName: st[2].Name, ActorID: &agent.ID, ActorName: "Мария Агент", Reason: "Booked a demo"},
			{ClientID: c.ID, FromStageID: &st[2].ID, ToStageID: st[4].ID, FromStageName: st[2].Name, ToStageName: st[4].Name, ActorID: &admin.ID, ActorName: "Admin of Move Org", Reason: ""},
		}
		for i := range want {
			got := tr[i]
			w := want[i]
			w.ID = got.ID
			if fmt.Sprint(deref64(got.FromStageID), deref64(got.ActorID), got.ClientID, got.ToStageID, got.FromStageName, got.ToStageName, got.ActorName, got.Reason) !=
				fmt.Sprint(deref64(w.FromStageID), deref64(w.ActorID), w.ClientID, w.ToStageID, w.FromStageName, w.ToStageName, w.ActorName, w.Reason) {
				t.Errorf("transition %d = %+v, want %+v", i, got, w)
			}
		}
		if !(tr[0].ID < tr[1].ID && tr[1].ID < tr[2].ID) {
			t.Errorf("transitions are not oldest first: %+v", tr)
		}
		if moved := getClient(t, admin, c.ID); moved.CoolingState != "none" {
			t.Errorf("a client moved to the won stage still cools: %s", moved.CoolingState)
		}
	})
	t.Run("a move to the current stage changes nothing", func(t *testing.T) {
		before := getClient(t, admin, c.ID)
		admin.api("POST", clientPath(c.ID)+"/move", map[string]any{"stage_id": st[4].ID, "reason": "again"}).must(t, 200)
		if n := len(transitions(t, admin, c.ID)); n != 3 {
			t.Errorf("%d transitions, want still 3", n)
		}
		if after := getClient(t, admin, c.ID); !after.StageEnteredAt.Equal(before.StageEnteredAt) {
			t.Error("stage_entered_at changed")
		}
	})

	other := ts.signUp(t, "Other Move Org")
	for _, tc := range []struct {
		name        string
		id          int64
		body        map[string]any
		status      int
		code, field string
	}{
		{"an unknown stage is refused", c.ID, map[string]any{"stage_id": 999999}, 400, "invalid", "stage_id"},
		{"another organisation's stage is refused", c.ID, map[string]any{"stage_id": other.stages(t)[1].ID}, 400, "invalid", "stage_id"},
		{"a missing stage is refused", c.ID, map[string]any{"reason": "no stage"}, 400, "invalid", "stage_id"},
		{"a reason over 500 characters is refused", c.ID, map[string]any{"stage_id": st[1].ID, "reason": strings.Repeat("x", 501)}, 400, "invalid", "reason"},
		{"an unknown field is refused", c.ID, map[string]any{"stage_id": st[1].ID, "at": "now"}, 400, "invalid", "at"},
		{"an unknown client is not found", 999999, map[string]any{"stage_id": st[1].ID}, 404, "not_found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, agent.api("POST", clientPath(tc.id)+"/move", tc.body), tc.status, tc.code, tc.field)
			if n := len(transitions(t, admin, c.ID)); n != 3 {
				t.Errorf("a refused move recorded a transition (%d)", n)
			}
		})
	}
	t.Run("transitions of an unknown client are not found", func(t *testing.T) {
		wantError(t, agent.api("GET", clientPath(999999)+"/transitions", nil), 404, "not_found", "")
		wantError(t, agent.api("GET", "/api/v1/clients/x/transitions", nil), 400, "invalid", "id")
	})
}

func deref64(p *int64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestAgentsOwnClientsOnly(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Own Only Org")
	supervisor := ts.addUser(t, admin, "supervisor")
	alice := ts.addUser(t, admin, "agent")
	bob := ts.addUser(t, admin, "agent")
	st := admin.stages(t)
	mine := newClient(t, alice, map[string]any{"name": "Alice's client", "channel": "referral", "stage_id": st[1].ID})
	admin.api("PATCH", "/api/v1/organisation", map[string]any{"agents_own_clients_only": true}).must(t, 200)

	t.Run("another agent sees nothing of it", func(t *testing.T) {
		if p := listClients(t, bob, nil); p.Total != 0 || len(p.Items) != 0 {
			t.Errorf("bob lists %q", names(p))
		}
		wantError(t, bob.api("GET", clientPath(mine.ID), nil), 404, "not_found", "")
		wantError(t, bob.api("PATCH", clientPath(mine.ID), map[string]any{"name": "Mine now"}), 404, "not_found", "")
		wantError(t, bob.api("POST", clientPath(mine.ID)+"/move", map[string]any{"stage_id": st[2].ID}), 404, "not_found", "")
		wantError(t, bob.api("GET", clientPath(mine.ID)+"/transitions", nil), 404, "not_found", "")
		if s := bob.stages(t); s[1].ClientCount != 0 {
			t.Errorf("bob's funnel counts %d clients in the second stage", s[1].ClientCount)
		}
		var ch struct{ Items []struct{ Name string } }
		bob.api("GET", "/api/v1/channels", nil).must(t, 200).JSON(t, &ch)
		if len(ch.Items) != 0 {
			t.Errorf("bob sees channels %+v", ch.Items)
		}
		if got := getClient(t, alice, mine.ID); got.Name != "Alice's client" || got.StageID != st[1].ID {
			t.Errorf("bob changed alice's client: %+v", got)
		}
	})
	t.Run("the owner, supervisors and admins see it", func(t *testing.T) {
		for _, c := range []*account{alice, supervisor, admin} {
			if p := listClients(t, c, nil); !slices.Equal(names(p), []string{"Alice's client"}) {
				t.Errorf("lists %q", names(p))
			}
			getClient(t, c, mine.ID)
		}
		if s := supervisor.stages(t); s[1].ClientCount != 1 {
			t.Errorf("the supervisor's funnel counts %d", s[1].ClientCount)
		}
	})
	t.Run("agents may create only clients they own, and not reassign", func(t *testing.T) {
		wantError(t, bob.api("POST", "/api/v1/clients", map[string]any{"name": "For Alice", "owner_id": alice.ID}), 403, "forbidden", "owner_id")
		wantError(t, bob.api("POST", "/api/v1/clients", map[string]any{"name": "For nobody", "owner_id": 0}), 403, "forbidden", "owner_id")
		wantError(t, alice.api("PATCH", clientPath(mine.ID), map[string]any{"owner_id": bob.ID}), 403, "forbidden", "owner_id")
		own := newClient(t, bob, map[string]any{"name": "Bob's own"})
		if own.OwnerID == nil || *own.OwnerID != bob.ID {
			t.Errorf("bob's client is owned by %v", own.OwnerID)
		}
		supervisor.api("PATCH", clientPath(mine.ID), map[string]any{"owner_id": bob.ID}).must(t, 200)
		getClient(t, bob, mine.ID)
		wantError(t, alice.api("GET", clientPath(mine.ID), nil), 404, "not_found", "")
	})
	t.Run("with the setting off, agents see every client again", func(t *testing.T) {
		admin.api("PATCH", "/api/v1/organisation", map[string]any{"agents_own_clients_only": false}).must(t, 200)
		if p := listClients(t, alice, nil); p.Total != 2 {
			t.Errorf("alice lists %q", names(p))
		}
	})
}

func TestChannels(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Channel Org")
	agent := ts.addUser(t, admin, "agent")
	for _, ch := range []string{"ads", "site", "ads", "", "referral", "site", "ads"} {
		newClient(t, admin, map[string]any{"name": "Client from " + ch, "channel": ch})
	}
	gone := newClient(t, admin, map[string]any{"name": "Deleted", "channel": "referral"})
	admin.api("DELETE", clientPath(gone.ID), nil).must(t, 204)
	other := ts.signUp(t, "Other Channel Org")
	newClient(t, other, map[string]any{"name": "Elsewhere", "channel": "ads"})

	var l struct {
		Items []struct {
			Name    string
			Clients int
		}
	}
	agent.api("GET", "/api/v1/channels", nil).must(t, 200).JSON(t, &l)
	if got := fmt.Sprint(l.Items); got != "[{ads 3} {site 2} {referral 1}]" {
		t.Errorf("channels = %s, want ads 3, site 2, referral 1", got)
	}
	wantError(t, ts.newClient(t).api("GET", "/api/v1/channels", nil), 401, "unauthorized", "")
}
