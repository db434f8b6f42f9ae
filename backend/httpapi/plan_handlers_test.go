package httpapi_test

import (
	"fmt"
	"testing"
	"time"
)

// planJSON is a Plan as the API answers it.
type planJSON struct {
	ID         int64  `json:"id"`
	AgentID    int64  `json:"agent_id"`
	AgentName  string `json:"agent_name"`
	Period     string `json:"period"`
	Contacts   int    `json:"contacts"`
	NewClients int    `json:"new_clients"`
	Advances   int    `json:"advances"`
	Wins       int    `json:"wins"`
	StartsOn   string `json:"starts_on"`
}

// progressJSON is GET /plans/progress.
type progressJSON struct {
	AlertThreshold int `json:"alert_threshold"`
	Items          []struct {
		PlanID  int64   `json:"plan_id"`
		AgentID int64   `json:"agent_id"`
		Period  string  `json:"period"`
		Elapsed float64 `json:"elapsed"`
		Metrics []struct {
			Metric   string  `json:"metric"`
			Target   int     `json:"target"`
			Carried  float64 `json:"carried"`
			Expected float64 `json:"expected"`
			Actual   int     `json:"actual"`
			Lag      float64 `json:"lag"`
			Behind   bool    `json:"behind"`
		} `json:"metrics"`
	} `json:"items"`
}

// lastWednesday is 13:30 in Moscow on the latest Wednesday before today:
// half of a 09:00–18:00 working day gone, and within the year a contact
// may be logged back to.
func lastWednesday() time.Time {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	d := time.Now().In(moscow).AddDate(0, 0, -1)
	for d.Weekday() != time.Wednesday {
		d = d.AddDate(0, 0, -1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 13, 30, 0, 0, moscow)
}

// Plans through the API: supervisors set them, agents read their own,
// every refusal names its field, and progress is what was done against
// what is due by now.
func TestPlanAPI(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Plans Org")
	sup := ts.addUser(t, admin, "supervisor")
	agent := ts.addUser(t, admin, "agent")
	other := ts.addUser(t, admin, "agent")
	stranger := ts.signUp(t, "Other Org")
	wed := lastWednesday()
	ts.API.Plans.Now = func() time.Time { return wed }

	// Create: a day plan for the agent from that Wednesday, a week plan for the other.
	var p planJSON
	sup.api("POST", "/api/v1/plans", map[string]any{"agent_id": agent.ID, "period": "day", "contacts": 40, "wins": 1,
		"starts_on": wed.Format(time.DateOnly)}).must(t, 201).JSON(t, &p)
	if p.ID == 0 || p.AgentID != agent.ID || p.AgentName != "A agent" || p.Period != "day" || p.Contacts != 40 || p.Wins != 1 ||
		p.NewClients != 0 || p.StartsOn != wed.Format(time.DateOnly) {
		t.Fatalf("created %+v", p)
	}
	otherPlan := idOf(t, sup.api("POST", "/api/v1/plans", map[string]any{"agent_id": other.ID, "period": "week", "advances": 5}).must(t, 201))

	// Refusals name the field at fault.
	for _, c := range []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"no agent", map[string]any{"period": "day", "contacts": 1}, 400, "invalid", "agent_id"},
		{"no period", map[string]any{"agent_id": agent.ID, "contacts": 1}, 400, "invalid", "period"},
		{"unknown period", map[string]any{"agent_id": agent.ID, "period": "year", "contacts": 1}, 400, "invalid", "period"},
		{"a negative target", map[string]any{"agent_id": agent.ID, "period": "month", "new_clients": -1}, 400, "invalid", "new_clients"},
		{"a target too large", map[string]any{"agent_id": agent.ID, "period": "month", "advances": 100001}, 400, "invalid", "advances"},
		{"no target at all", map[string]any{"agent_id": agent.ID, "period": "month"}, 400, "invalid", "contacts"},
		{"a start that is no date", map[string]any{"agent_id": agent.ID, "period": "month", "wins": 1, "starts_on": "31.01.2026"}, 400, "invalid", "starts_on"},
		{"a user of another organisation", map[string]any{"agent_id": stranger.ID, "period": "month", "wins": 1}, 400, "invalid", "agent_id"},
		{"a second plan for the same period", map[string]any{"agent_id": agent.ID, "period": "day", "contacts": 5}, 409, "conflict", "period"},
		{"a target that is no number", `{"agent_id": 1, "period": "day", "contacts": "many"}`, 400, "invalid", "contacts"},
		{"an unknown field", map[string]any{"agent_id": agent.ID, "period": "month", "calls": 3}, 400, "invalid", "calls"},
	} {
		t.Run("create refused: "+c.name, func(t *testing.T) {
			wantError(t, sup.api("POST", "/api/v1/plans", c.body), c.status, c.code, c.field)
		})
	}
	wantError(t, agent.api("POST", "/api/v1/plans", map[string]any{"agent_id": agent.ID, "period": "week", "contacts": 1}), 403, "forbidden", "")

	// Lists: supervisors see every plan, agents their own.
	var list struct {
		Items []planJSON `json:"items"`
	}
	sup.api("GET", "/api/v1/plans", nil).must(t, 200).JSON(t, &list)
	if len(list.Items) != 2 {
		t.Errorf("the supervisor sees %d plans, want 2", len(list.Items))
	}
	agent.api("GET", "/api/v1/plans", nil).must(t, 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != p.ID {
		t.Errorf("the agent sees %+v, want only the own plan", list.Items)
	}
	stranger.api("GET", "/api/v1/plans", nil).must(t, 200).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("another organisation sees %+v", list.Items)
	}

	// Change: targets and start; the agent and the period stay.
	path := fmt.Sprintf("/api/v1/plans/%d", p.ID)
	sup.api("PATCH", path, map[string]any{"wins": 0, "new_clients": 2}).must(t, 200).JSON(t, &p)
	if p.Contacts != 40 || p.Wins != 0 || p.NewClients != 2 {
		t.Errorf("after the change %+v", p)
	}
	wantError(t, sup.api("PATCH", path, map[string]any{"period": "week"}), 400, "invalid", "period")
	wantError(t, sup.api("PATCH", path, map[string]any{"agent_id": other.ID}), 400, "invalid", "period")
	wantError(t, sup.api("PATCH", path, map[string]any{"contacts": 0, "new_clients": 0}), 400, "invalid", "contacts")
	wantError(t, sup.api("PATCH", path, map[string]any{"starts_on": "tomorrow"}), 400, "invalid", "starts_on")
	wantError(t, sup.api("PATCH", "/api/v1/plans/999999", map[string]any{"contacts": 3}), 404, "not_found", "")
	wantError(t, sup.api("PATCH", "/api/v1/plans/abc", map[string]any{"contacts": 3}), 400, "invalid", "id")
	wantError(t, agent.api("PATCH", path, map[string]any{"contacts": 1}), 403, "forbidden", "")
	wantError(t, stranger.api("PATCH", path, map[string]any{"contacts": 1}), 404, "not_found", "")

	// Progress at 13:30 on the plan's first day: half of the working day
	// gone, so 20 of 40 contacts are due; the agent logged 5 that morning.
	client := idOf(t, agent.api("POST", "/api/v1/clients", map[string]any{"name": "Plan Client"}).must(t, 201))
	for i := range 5 {
		at := time.Date(wed.Year(), wed.Month(), wed.Day(), 10, i, 0, 0, wed.Location())
		agent.api("POST", fmt.Sprintf("/api/v1/clients/%d/contacts", client), map[string]any{"kind": "meeting", "at": at}).must(t, 201)
	}
	var prog progressJSON
	agent.api("GET", "/api/v1/plans/progress", nil).must(t, 200).JSON(t, &prog)
	if prog.AlertThreshold != 20 || len(prog.Items) != 1 || prog.Items[0].PlanID != p.ID || prog.Items[0].Elapsed != 0.5 {
		t.Fatalf("the agent's progress %+v, want the own day plan half gone", prog)
	}
	m := prog.Items[0].Metrics
	if len(m) != 2 || m[0].Metric != "contacts" || m[0].Target != 40 || m[0].Expected != 20 || m[0].Actual != 5 || m[0].Lag != 15 || !m[0].Behind ||
		m[1].Metric != "new_clients" || m[1].Expected != 1 || m[1].Actual != 0 || !m[1].Behind {
		t.Errorf("the agent's metrics %+v", m)
	}
	other.api("GET", "/api/v1/plans/progress", nil).must(t, 200).JSON(t, &prog)
	if len(prog.Items) != 1 || prog.Items[0].PlanID != otherPlan {
		t.Errorf("the other agent sees %+v, want only the own week plan", prog.Items)
	}
	sup.api("GET", "/api/v1/plans/progress", nil).must(t, 200).JSON(t, &prog)
	if len(prog.Items) != 2 {
		t.Errorf("the supervisor sees %d plans' progress, want 2", len(prog.Items))
	}

	// The alert threshold: admins only, 1 to 100 %; at 80 % a lag of 15
	// of 20 due is no longer behind.
	admin.api("PUT", "/api/v1/plans/settings", map[string]any{"alert_threshold": 80}).must(t, 200)
	wantError(t, admin.api("PUT", "/api/v1/plans/settings", map[string]any{"alert_threshold": 0}), 400, "invalid", "alert_threshold")
	wantError(t, admin.api("PUT", "/api/v1/plans/settings", map[string]any{"alert_threshold": 101}), 400, "invalid", "alert_threshold")
	wantError(t, sup.api("PUT", "/api/v1/plans/settings", map[string]any{"alert_threshold": 50}), 403, "forbidden", "")
	agent.api("GET", "/api/v1/plans/progress", nil).must(t, 200).JSON(t, &prog)
	if prog.AlertThreshold != 80 || len(prog.Items) != 1 || prog.Items[0].Metrics[0].Behind {
		t.Errorf("at 80 %% the progress is %+v", prog)
	}

	// Delete: supervisors only; then it is gone from lists and progress.
	wantError(t, agent.api("DELETE", path, nil), 403, "forbidden", "")
	wantError(t, stranger.api("DELETE", path, nil), 404, "not_found", "")
	sup.api("DELETE", path, nil).must(t, 204)
	wantError(t, sup.api("DELETE", path, nil), 404, "not_found", "")
	agent.api("GET", "/api/v1/plans", nil).must(t, 200).JSON(t, &list)
	agent.api("GET", "/api/v1/plans/progress", nil).must(t, 200).JSON(t, &prog)
	if len(list.Items) != 0 || len(prog.Items) != 0 {
		t.Errorf("after delete the agent still has %+v / %+v", list.Items, prog.Items)
	}
}
