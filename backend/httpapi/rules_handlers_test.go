package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
)

// The rules engine through the API: the calendar and settings, a client
// that cools, My day in the seed's order, the supervisors' queues and
// bulk reassignment, a zombie decided in one click and undone, the
// after-call outcome.
func TestRulesAPI_Journey(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Rules Org")
	agent := ts.addUser(t, admin, "agent")
	sup := ts.addUser(t, admin, "supervisor")
	st := admin.stages(t) // 0 new, 1 first contact, 2 demo, 3 warm, 4 won, 5 rejected

	// The calendar: Monday to Friday, 09:00 to 18:00 by default.
	var cal struct {
		TimeZone string `json:"time_zone"`
		Hours    []struct {
			Weekday int    `json:"weekday"`
			Opens   string `json:"opens"`
			Closes  string `json:"closes"`
		} `json:"hours"`
	}
	agent.api("GET", "/api/v1/calendar", nil).must(t, 200).JSON(t, &cal)
	if cal.TimeZone != "Europe/Moscow" || len(cal.Hours) != 5 || cal.Hours[0].Opens != "09:00" || cal.Hours[4].Weekday != 5 {
		t.Fatalf("default calendar %+v", cal)
	}
	admin.api("PUT", "/api/v1/calendar", map[string]any{"holidays": []map[string]string{{"date": "2027-01-07", "name": "Рождество"}}}).must(t, 200)
	wantError(t, admin.api("PUT", "/api/v1/calendar", map[string]any{"hours": []map[string]any{{"weekday": 8, "opens": "09:00", "closes": "18:00"}}}), 400, "invalid", "hours")
	wantError(t, admin.api("PUT", "/api/v1/calendar", map[string]any{"time_zone": "Mars/Olympus"}), 400, "invalid", "time_zone")
	wantError(t, agent.api("PUT", "/api/v1/calendar", map[string]any{}), 403, "forbidden", "")
	admin.api("PATCH", "/api/v1/rules/settings", map[string]any{"contact_min_seconds": 30}).must(t, 200)
	wantError(t, agent.api("PATCH", "/api/v1/rules/settings", map[string]any{"objective_funnel": false}), 403, "forbidden", "")
	var rs map[string]any
	agent.api("GET", "/api/v1/rules/settings", nil).must(t, 200).JSON(t, &rs)
	if rs["contact_min_seconds"] != float64(30) || rs["objective_funnel"] != true {
		t.Errorf("settings %v", rs)
	}
	var warm map[string]any
	admin.api("PATCH", stagePath(st[3].ID), map[string]any{"cooling_soon_percent": 60, "zombie_action": "queue"}).must(t, 200).JSON(t, &warm)
	if warm["cooling_soon_percent"] != float64(60) || warm["notify_owner"] != true {
		t.Errorf("stage rules %v", warm)
	}
	wantError(t, admin.api("PATCH", stagePath(st[3].ID), map[string]any{"zombie_action": "ignore"}), 400, "invalid", "zombie_action")

	// The agent's clients: one cooled long ago, one new, one with a
	// callback due, one in progress.
	mk := func(name string, stage int64) int64 {
		return idOf(t, agent.api("POST", "/api/v1/clients", map[string]any{"name": name, "stage_id": stage}).must(t, 201))
	}
	cooled, fresh, callback, busy := mk("Cooled Co", st[3].ID), mk("Fresh Co", st[0].ID), mk("Callback Co", st[1].ID), mk("Busy Co", st[2].ID)
	ts.DB.MustExec(`UPDATE clients SET stage_entered_at = now() - interval '60 days' WHERE id = $1`, cooled)
	admin.api("PUT", "/api/v1/calendar", map[string]any{}).must(t, 200) // re-times and re-evaluates the organisation
	agent.api("PUT", fmt.Sprintf("/api/v1/clients/%d/next-action", callback), map[string]any{"next_action_at": time.Now().Add(-time.Hour)}).must(t, 200)
	agent.api("POST", fmt.Sprintf("/api/v1/clients/%d/contacts", busy), map[string]any{"kind": "meeting", "note": "demo done"}).must(t, 201)
	var day struct {
		Items []struct {
			Section string `json:"section"`
			Reason  string `json:"reason"`
			Client  struct {
				ID int64 `json:"id"`
			} `json:"client"`
		} `json:"items"`
	}
	agent.api("GET", "/api/v1/my-day", nil).must(t, 200).JSON(t, &day)
	want := []struct {
		section string
		id      int64
	}{{"callback", callback}, {"cooled", cooled}, {"in_progress", busy}, {"new", fresh}}
	if len(day.Items) != len(want) {
		t.Fatalf("my day %+v", day.Items)
	}
	for i, w := range want {
		if day.Items[i].Section != w.section || day.Items[i].Client.ID != w.id {
			t.Errorf("my day item %d = %s #%d, want %s #%d", i, day.Items[i].Section, day.Items[i].Client.ID, w.section, w.id)
		}
	}
	if r := day.Items[1].Reason; len(r) < 10 || r[:8] != "cooled: " {
		t.Errorf("cooled reason %q", r)
	}
	wantError(t, agent.api("GET", fmt.Sprintf("/api/v1/my-day?agent_id=%d", sup.ID), nil), 403, "forbidden", "agent_id")
	sup.api("GET", fmt.Sprintf("/api/v1/my-day?agent_id=%d", agent.ID), nil).must(t, 200)

	// Supervisors see the queues with counts, and reassign in bulk.
	var queues struct {
		Items []struct {
			ID       int64  `json:"id"`
			Kind     string `json:"kind"`
			ClientID int64  `json:"client_id"`
		} `json:"items"`
		Counts []struct {
			Kind  string `json:"kind"`
			Count int    `json:"count"`
		} `json:"counts"`
	}
	sup.api("GET", "/api/v1/work-items?kind=cooled", nil).must(t, 200).JSON(t, &queues)
	if len(queues.Items) != 1 || queues.Items[0].ClientID != cooled || len(queues.Counts) != 4 || queues.Counts[0].Count != 1 || queues.Counts[2].Count != 1 {
		t.Fatalf("queues %+v", queues)
	}
	wantError(t, agent.api("GET", "/api/v1/work-items", nil), 403, "forbidden", "")
	wantError(t, sup.api("GET", "/api/v1/work-items?kind=lost", nil), 400, "invalid", "kind")
	sup.api("POST", "/api/v1/work-items/reassign", map[string]any{"ids": []int64{queues.Items[0].ID}, "owner_id": sup.ID}).must(t, 200)
	if c := getClient(t, sup, cooled); c.OwnerID == nil || *c.OwnerID != sup.ID {
		t.Errorf("reassigned client's owner %v, want %d", c.OwnerID, sup.ID)
	}

	// A zombie: the 7th contact in Demo; the supervisor rejects it in one
	// click, then undoes it.
	ts.DB.MustExec(`UPDATE clients SET stage_contacts = 6 WHERE id = $1`, busy)
	agent.api("POST", fmt.Sprintf("/api/v1/clients/%d/contacts", busy), map[string]any{"kind": "call", "note": "call me next week"}).must(t, 201)
	sup.api("GET", "/api/v1/work-items?kind=zombie", nil).must(t, 200).JSON(t, &queues)
	if len(queues.Items) != 1 || queues.Items[0].ClientID != busy {
		t.Fatalf("zombies %+v", queues.Items)
	}
	wantError(t, agent.api("POST", fmt.Sprintf("/api/v1/work-items/%d/decision", queues.Items[0].ID), map[string]any{"decision": "reject"}), 403, "forbidden", "")
	sup.api("POST", fmt.Sprintf("/api/v1/work-items/%d/decision", queues.Items[0].ID), map[string]any{"decision": "reject"}).must(t, 200)
	wantError(t, sup.api("POST", fmt.Sprintf("/api/v1/work-items/%d/decision", queues.Items[0].ID), map[string]any{"decision": "keep"}), 409, "conflict", "")
	if c := getClient(t, sup, busy); c.StageID != st[5].ID {
		t.Errorf("rejected zombie in stage %d", c.StageID)
	}
	var actions struct {
		Items []struct {
			ID     int64  `json:"id"`
			Rule   string `json:"rule"`
			Action string `json:"action"`
			Reason string `json:"reason"`
		} `json:"items"`
	}
	agent.api("GET", fmt.Sprintf("/api/v1/clients/%d/actions", busy), nil).must(t, 200).JSON(t, &actions)
	if len(actions.Items) != 2 || actions.Items[1].Action != "reject" || actions.Items[1].Reason != "zombie: 7 contacts in Демо without progress, limit 7" {
		t.Fatalf("actions %+v", actions.Items)
	}
	wantError(t, agent.api("POST", fmt.Sprintf("/api/v1/rule-actions/%d/undo", actions.Items[1].ID), nil), 403, "forbidden", "")
	sup.api("POST", fmt.Sprintf("/api/v1/rule-actions/%d/undo", actions.Items[1].ID), nil).must(t, 200)
	wantError(t, sup.api("POST", fmt.Sprintf("/api/v1/rule-actions/%d/undo", actions.Items[1].ID), nil), 409, "conflict", "")
	if c := getClient(t, sup, busy); c.StageID != st[2].ID {
		t.Errorf("after undo the client is in stage %d, want Demo %d", c.StageID, st[2].ID)
	}
	var contacts struct {
		Items []map[string]any `json:"items"`
	}
	agent.api("GET", fmt.Sprintf("/api/v1/clients/%d/contacts", busy), nil).must(t, 200).JSON(t, &contacts)
	if len(contacts.Items) != 2 || contacts.Items[0]["note"] != "call me next week" || contacts.Items[0]["counted"] != "contact" {
		t.Errorf("contacts %v", contacts.Items)
	}
	wantError(t, agent.api("POST", fmt.Sprintf("/api/v1/clients/%d/contacts", busy), map[string]any{"kind": "telepathy"}), 400, "invalid", "kind")

	// The after-call form: the agent's call to the fresh client, answered in one keystroke.
	var call int64
	ts.DB.Get(&call, `INSERT INTO calls (org_id, direction, agent_id, client_id, status, answered_at, ended_at, outcome)
		VALUES ($1, 'outbound', $2, $3, 'ended', now() - interval '1 minute', now(), 'answered') RETURNING id`, admin.OrgID, agent.ID, fresh)
	other := ts.addUser(t, admin, "agent")
	wantError(t, other.api("POST", fmt.Sprintf("/api/v1/calls/%d/outcome", call), map[string]any{"outcome": "keep"}), 404, "not_found", "")
	wantError(t, agent.api("POST", fmt.Sprintf("/api/v1/calls/%d/outcome", call), map[string]any{"outcome": "stage"}), 400, "invalid", "stage_id")
	var out struct {
		Outcome string `json:"outcome"`
		Client  struct {
			StageID int64 `json:"stage_id"`
		} `json:"client"`
	}
	agent.api("POST", fmt.Sprintf("/api/v1/calls/%d/outcome", call), map[string]any{"outcome": "advance"}).must(t, 200).JSON(t, &out)
	if out.Client.StageID != st[1].ID {
		t.Errorf("advance took the client to %d, want %d", out.Client.StageID, st[1].ID)
	}
	wantError(t, agent.api("POST", fmt.Sprintf("/api/v1/calls/%d/outcome", call), map[string]any{"outcome": "rejected"}), 409, "conflict", "")

	// The sweep over the whole installation finds nothing left to do.
	sw := postgres.NewSweeper(ts.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if res, err := sw.Sweep(context.Background()); err != nil || res.Events != 0 {
		t.Errorf("sweep after the incremental runs: %+v %v", res, err)
	}
}
