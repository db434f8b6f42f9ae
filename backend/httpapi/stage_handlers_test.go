package httpapi_test

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func stagePath(id int64) string { return fmt.Sprintf("/api/v1/stages/%d", id) }

func stageNames(stages []stageBody) []string {
	out := []string{}
	for _, s := range stages {
		out = append(out, s.Name)
	}
	return out
}

func stageIDs(stages []stageBody) []int64 {
	out := []int64{}
	for _, s := range stages {
		out = append(out, s.ID)
	}
	return out
}

func TestStageListCountsClientsInOrder(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Funnel Org")
	agent := ts.addUser(t, admin, "agent")
	st := admin.stages(t)
	newClient(t, admin, map[string]any{"name": "One"})
	newClient(t, admin, map[string]any{"name": "Two"})
	newClient(t, admin, map[string]any{"name": "Three", "stage_id": st[2].ID})
	gone := newClient(t, admin, map[string]any{"name": "Deleted"})
	admin.api("DELETE", clientPath(gone.ID), nil).must(t, 204)

	got := agent.stages(t)
	want := []int{2, 0, 1, 0, 0, 0}
	for i, s := range got {
		if s.Position != i+1 || s.ClientCount != want[i] {
			t.Errorf("stage %d %q: position %d, client_count %d; want %d, %d", i, s.Name, s.Position, s.ClientCount, i+1, want[i])
		}
	}
	wantError(t, ts.newClient(t).api("GET", "/api/v1/stages", nil), 401, "unauthorized", "")
}

func TestStageCreate(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Create Stage Org")
	supervisor := ts.addUser(t, admin, "supervisor")

	t.Run("an open stage lands before the terminal stages, with defaults", func(t *testing.T) {
		var s stageBody
		admin.api("POST", "/api/v1/stages", map[string]any{"name": "Коммерческое предложение"}).must(t, 201).JSON(t, &s)
		if s.Position != 5 || s.Kind != "open" || s.CoolingPeriod != 0 || s.CoolingUnit != "working_days" || s.CoolingSoon != 0 || s.ContactLimit != 0 || s.ClientCount != 0 {
			t.Errorf("new stage = %+v", s)
		}
		want := []string{"Новый клиент", "Первый контакт", "Демо", "Тёплый клиент", "Коммерческое предложение", "Сделка", "Отказ"}
		if got := stageNames(admin.stages(t)); !slices.Equal(got, want) {
			t.Errorf("funnel = %q, want %q", got, want)
		}
	})
	t.Run("a terminal stage goes last", func(t *testing.T) {
		var s stageBody
		admin.api("POST", "/api/v1/stages", map[string]any{"name": "Lost to a competitor", "kind": "rejected"}).must(t, 201).JSON(t, &s)
		st := admin.stages(t)
		if s.Position != 8 || st[len(st)-1].ID != s.ID {
			t.Errorf("new stage at %d; funnel %q", s.Position, stageNames(st))
		}
	})
	t.Run("all settings are taken", func(t *testing.T) {
		var s stageBody
		admin.api("POST", "/api/v1/stages", map[string]any{"name": "Hot", "cooling_period": 8, "cooling_unit": "hours", "cooling_soon": 2, "contact_limit": 5}).must(t, 201).JSON(t, &s)
		if s.CoolingPeriod != 8 || s.CoolingUnit != "hours" || s.CoolingSoon != 2 || s.ContactLimit != 5 {
			t.Errorf("new stage = %+v", s)
		}
	})

	stages := func() int { return count(t, ts, `SELECT count(*) FROM stages WHERE org_id = $1`, admin.OrgID) }
	for _, c := range []struct {
		name        string
		caller      *account
		body        map[string]any
		status      int
		code, field string
	}{
		{"a name taken in any case is a conflict", admin, map[string]any{"name": "демо"}, 409, "conflict", "name"},
		{"a missing name is refused", admin, map[string]any{"kind": "open"}, 400, "invalid", "name"},
		{"a blank name is refused", admin, map[string]any{"name": " "}, 400, "invalid", "name"},
		{"an unknown kind is refused", admin, map[string]any{"name": "X", "kind": "lost"}, 400, "invalid", "kind"},
		{"an unknown unit is refused", admin, map[string]any{"name": "X", "cooling_unit": "days"}, 400, "invalid", "cooling_unit"},
		{"cooling soon equal to the period is refused", admin, map[string]any{"name": "X", "cooling_period": 3, "cooling_soon": 3}, 400, "invalid", "cooling_soon"},
		{"cooling soon longer than the period is refused", admin, map[string]any{"name": "X", "cooling_period": 3, "cooling_soon": 5}, 400, "invalid", "cooling_soon"},
		{"cooling soon without a period is refused", admin, map[string]any{"name": "X", "cooling_soon": 1}, 400, "invalid", "cooling_soon"},
		{"a negative period is refused", admin, map[string]any{"name": "X", "cooling_period": -1}, 400, "invalid", "cooling_period"},
		{"a contact limit over 1000 is refused", admin, map[string]any{"name": "X", "contact_limit": 1001}, 400, "invalid", "contact_limit"},
		{"a fractional period is refused", admin, map[string]any{"name": "X", "cooling_period": 1.5}, 400, "invalid", "cooling_period"},
		{"an unknown field is refused", admin, map[string]any{"name": "X", "colour": "red"}, 400, "invalid", "colour"},
		{"a supervisor may not create stages", supervisor, map[string]any{"name": "X"}, 403, "forbidden", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := stages()
			wantError(t, c.caller.api("POST", "/api/v1/stages", c.body), c.status, c.code, c.field)
			if stages() != n {
				t.Error("a refused request created a stage")
			}
		})
	}
}

func TestStageUpdate(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Update Stage Org")
	// Rules engine: "hours" are working hours; working round the clock
	// makes them clock hours, whatever time the test runs at.
	week := []map[string]any{}
	for d := 1; d <= 7; d++ {
		week = append(week, map[string]any{"weekday": d, "opens": "00:00", "closes": "24:00"})
	}
	admin.api("PUT", "/api/v1/calendar", map[string]any{"hours": week}).must(t, 200)
	var hot stageBody
	admin.api("POST", "/api/v1/stages", map[string]any{"name": "Hot", "cooling_period": 10, "cooling_unit": "hours", "cooling_soon": 2}).must(t, 201).JSON(t, &hot)
	cl := newClient(t, admin, map[string]any{"name": "Warm lead", "stage_id": hot.ID})
	deadlines := func(c clientBody) (soon, cools time.Duration) {
		t.Helper()
		if c.CoolsAt == nil || c.CoolingSoonAt == nil {
			t.Fatalf("client has no cooling deadlines: %+v", c)
		}
		return c.CoolingSoonAt.Sub(c.StageEnteredAt), c.CoolsAt.Sub(c.StageEnteredAt)
	}
	if soon, cools := deadlines(cl); soon != 8*time.Hour || cools != 10*time.Hour || cl.CoolingState != "ok" {
		t.Fatalf("client created in a 10 h stage: soon after %v, cools after %v, state %s", soon, cools, cl.CoolingState)
	}

	t.Run("new cooling settings re-time the stage's clients", func(t *testing.T) {
		var s stageBody
		admin.api("PATCH", stagePath(hot.ID), map[string]any{"cooling_period": 20, "cooling_soon": 5}).must(t, 200).JSON(t, &s)
		if s.CoolingPeriod != 20 || s.CoolingSoon != 5 || s.CoolingUnit != "hours" || s.Name != "Hot" || s.ClientCount != 1 {
			t.Errorf("updated stage = %+v", s)
		}
		if soon, cools := deadlines(getClient(t, admin, cl.ID)); soon != 15*time.Hour || cools != 20*time.Hour {
			t.Errorf("after the change: soon after %v, cools after %v; want 15h, 20h", soon, cools)
		}
	})
	t.Run("a stage that stops cooling clears the deadlines", func(t *testing.T) {
		admin.api("PATCH", stagePath(hot.ID), map[string]any{"cooling_period": 0, "cooling_soon": 0}).must(t, 200)
		c := getClient(t, admin, cl.ID)
		if c.CoolsAt != nil || c.CoolingSoonAt != nil || c.CoolingState != "none" {
			t.Errorf("client of a stage without cooling: %+v", c)
		}
	})
	t.Run("renaming keeps everything else", func(t *testing.T) {
		var s stageBody
		admin.api("PATCH", stagePath(hot.ID), map[string]any{"name": "Very hot"}).must(t, 200).JSON(t, &s)
		if s.Name != "Very hot" || s.Position != hot.Position || s.Kind != "open" {
			t.Errorf("renamed stage = %+v, was %+v", s, hot)
		}
	})

	st := admin.stages(t)
	for _, c := range []struct {
		name        string
		id          int64
		body        map[string]any
		status      int
		code, field string
	}{
		{"cooling soon not shorter than the current period is refused", st[1].ID, map[string]any{"cooling_soon": 3}, 400, "invalid", "cooling_soon"},
		{"a period shorter than the cooling soon is refused", st[1].ID, map[string]any{"cooling_period": 1, "cooling_soon": 1}, 400, "invalid", "cooling_soon"},
		{"another stage's name is a conflict", st[1].ID, map[string]any{"name": "ДЕМО"}, 409, "conflict", "name"},
		{"an unknown kind is refused", st[1].ID, map[string]any{"kind": "closed"}, 400, "invalid", "kind"},
		{"an unknown stage is not found", 999999, map[string]any{"name": "X"}, 404, "not_found", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, admin.api("PATCH", stagePath(c.id), c.body), c.status, c.code, c.field)
		})
	}
	if got := admin.stages(t)[1]; got != st[1] {
		t.Errorf("refused changes changed the stage: %+v, was %+v", got, st[1])
	}
	t.Run("a malformed id is invalid", func(t *testing.T) {
		wantError(t, admin.api("PATCH", "/api/v1/stages/first", map[string]any{"name": "X"}), 400, "invalid", "id")
	})
	t.Run("the last open stage cannot become terminal", func(t *testing.T) {
		for _, s := range admin.stages(t) {
			if s.Kind == "open" && s.ID != st[0].ID {
				admin.api("PATCH", stagePath(s.ID), map[string]any{"kind": "won"}).must(t, 200)
			}
		}
		wantError(t, admin.api("PATCH", stagePath(st[0].ID), map[string]any{"kind": "rejected"}), 409, "conflict", "")
		if k := admin.stages(t)[0].Kind; k != "open" {
			t.Errorf("the last open stage became %s", k)
		}
	})
	t.Run("only admins change stages", func(t *testing.T) {
		wantError(t, ts.addUser(t, admin, "supervisor").api("PATCH", stagePath(st[0].ID), map[string]any{"name": "X"}), 403, "forbidden", "")
	})
}

func TestStageReorder(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Reorder Org")
	other := ts.signUp(t, "Other Org")
	st := admin.stages(t)
	ids := stageIDs(st)

	t.Run("a full permutation sets the order", func(t *testing.T) {
		order := []int64{ids[1], ids[0], ids[2], ids[3], ids[5], ids[4]}
		var l struct{ Items []stageBody }
		admin.api("PUT", "/api/v1/stages/order", map[string]any{"ids": order}).must(t, 200).JSON(t, &l)
		if got := stageIDs(l.Items); !slices.Equal(got, order) {
			t.Errorf("answer order %v, want %v", got, order)
		}
		for i, s := range l.Items {
			if s.Position != i+1 {
				t.Errorf("%q at position %d, want %d", s.Name, s.Position, i+1)
			}
		}
		if got := stageIDs(admin.stages(t)); !slices.Equal(got, order) {
			t.Errorf("stored order %v, want %v", got, order)
		}
		admin.api("PUT", "/api/v1/stages/order", map[string]any{"ids": ids}).must(t, 200)
	})

	foreign := other.stages(t)[0].ID
	for _, c := range []struct {
		name string
		ids  any
	}{
		{"a missing stage is refused", ids[:5]},
		{"a stage named twice is refused", []int64{ids[0], ids[0], ids[1], ids[2], ids[3], ids[4]}},
		{"a repeated stage in a list of the right length is refused", append(slices.Clone(ids[:5]), ids[4])},
		{"another organisation's stage is refused", append(slices.Clone(ids[:5]), foreign)},
		{"an unknown stage is refused", append(slices.Clone(ids), 999999)},
		{"an empty list is refused", []int64{}},
		{"no list is refused", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, admin.api("PUT", "/api/v1/stages/order", map[string]any{"ids": c.ids}), 400, "invalid", "ids")
			if got := stageIDs(admin.stages(t)); !slices.Equal(got, ids) {
				t.Errorf("a refused reorder changed the order to %v", got)
			}
		})
	}
	if got := stageIDs(other.stages(t)); got[0] != foreign {
		t.Error("the other organisation's funnel changed")
	}
	t.Run("ids must be numbers", func(t *testing.T) {
		wantError(t, admin.api("PUT", "/api/v1/stages/order", map[string]any{"ids": []string{"a"}}), 400, "invalid", "ids")
	})
	t.Run("only admins reorder", func(t *testing.T) {
		wantError(t, ts.addUser(t, admin, "supervisor").api("PUT", "/api/v1/stages/order", map[string]any{"ids": ids}), 403, "forbidden", "")
	})
}

func TestStageDelete(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	admin := ts.signUp(t, "Delete Stage Org")
	st := admin.stages(t)

	t.Run("an empty stage is deleted", func(t *testing.T) {
		var extra stageBody
		admin.api("POST", "/api/v1/stages", map[string]any{"name": "Extra"}).must(t, 201).JSON(t, &extra)
		admin.api("DELETE", stagePath(extra.ID), nil).must(t, 204)
		if slices.Contains(stageIDs(admin.stages(t)), extra.ID) {
			t.Error("the deleted stage is still listed")
		}
		if n := count(t, ts, `SELECT count(*) FROM stages WHERE id = $1 AND deleted_at IS NOT NULL`, extra.ID); n != 1 {
			t.Error("the stage row is not marked deleted")
		}
		wantError(t, admin.api("DELETE", stagePath(extra.ID), nil), 404, "not_found", "")
		// Its name is free again.
		admin.api("POST", "/api/v1/stages", map[string]any{"name": "Extra"}).must(t, 201)
	})

	from, to := st[2], st[1]
	a := newClient(t, admin, map[string]any{"name": "Moved A", "stage_id": from.ID})
	b := newClient(t, admin, map[string]any{"name": "Moved B", "stage_id": from.ID})

	t.Run("a stage with clients needs move_to", func(t *testing.T) {
		wantError(t, admin.api("DELETE", stagePath(from.ID), nil), 409, "conflict", "move_to")
		if c := getClient(t, admin, a.ID); c.StageID != from.ID {
			t.Errorf("the client moved to %d", c.StageID)
		}
	})
	for _, c := range []struct {
		name   string
		moveTo string
	}{
		{"move_to the stage itself is refused", fmt.Sprint(from.ID)},
		{"move_to an unknown stage is refused", "999999"},
		{"move_to that is not a number is refused", "next"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, admin.api("DELETE", stagePath(from.ID)+"?move_to="+c.moveTo, nil), 400, "invalid", "move_to")
			if !slices.Contains(stageIDs(admin.stages(t)), from.ID) {
				t.Error("the stage was deleted")
			}
		})
	}

	t.Run("with move_to the clients move first, and their history shows it", func(t *testing.T) {
		admin.api("DELETE", fmt.Sprintf("%s?move_to=%d", stagePath(from.ID), to.ID), nil).must(t, 204)
		for _, id := range []int64{a.ID, b.ID} {
			c := getClient(t, admin, id)
			if c.StageID != to.ID || c.StageContacts != 0 {
				t.Errorf("client %d: stage %d, stage_contacts %d; want %d, 0", id, c.StageID, c.StageContacts, to.ID)
			}
			tr := transitions(t, admin, id)
			if len(tr) != 2 {
				t.Fatalf("client %d has %d transitions, want 2: %+v", id, len(tr), tr)
			}
			last := tr[1]
			if last.FromStageID == nil || *last.FromStageID != from.ID || last.ToStageID != to.ID ||
				last.FromStageName != from.Name || last.ToStageName != to.Name ||
				last.Reason != fmt.Sprintf("stage %q deleted", from.Name) || last.ActorName != "Admin of Delete Stage Org" {
				t.Errorf("the move out of the deleted stage = %+v", last)
			}
		}
		for _, s := range admin.stages(t) {
			if s.ID == to.ID && s.ClientCount != 2 {
				t.Errorf("the target stage counts %d clients, want 2", s.ClientCount)
			}
		}
	})

	t.Run("the last open stage cannot be deleted", func(t *testing.T) {
		var open []stageBody
		for _, s := range admin.stages(t) {
			if s.Kind == "open" {
				open = append(open, s)
			}
		}
		last := open[len(open)-1]
		for _, s := range open[:len(open)-1] {
			path := stagePath(s.ID)
			if s.ClientCount > 0 {
				path += fmt.Sprintf("?move_to=%d", last.ID)
			}
			admin.api("DELETE", path, nil).must(t, 204)
		}
		wantError(t, admin.api("DELETE", stagePath(last.ID), nil), 409, "conflict", "")
		if got := admin.stages(t); len(got) != 3 || got[0].ID != last.ID {
			t.Errorf("funnel after deletions = %q", stageNames(got))
		}
	})

	t.Run("only admins delete stages", func(t *testing.T) {
		wantError(t, ts.addUser(t, admin, "supervisor").api("DELETE", stagePath(st[4].ID), nil), 403, "forbidden", "")
		wantError(t, admin.api("DELETE", "/api/v1/stages/0", nil), 400, "invalid", "id")
	})
}
