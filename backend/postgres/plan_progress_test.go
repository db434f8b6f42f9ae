package postgres_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

// mskTime builds a Moscow time (the organisations' default zone).
func mskTime(t *testing.T, s string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Moscow")
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// addContacts records n contacts of agent at the given moment (what the
// rules engine writes for connected calls).
func addContacts(t *testing.T, db *postgres.DB, ctx context.Context, org warmline.OrgID, agent warmline.UserID, at time.Time, n int) {
	t.Helper()
	cl, err := postgres.NewClientStore(db).CreateClient(ctx, warmline.ClientInput{Name: ptr("Contacted")})
	if err != nil {
		t.Fatal(err)
	}
	const q = `INSERT INTO contacts (org_id, client_id, kind, counted, user_id, at) SELECT $1, $2, 'call', 'contact', $3, $4 FROM generate_series(1, $5)`
	if _, err := db.Exec(q, org, cl.ID, agent, at, n); err != nil {
		t.Fatal(err)
	}
}

func planAlerts(t *testing.T, db *postgres.DB, org warmline.OrgID) []warmline.PlanAlert {
	t.Helper()
	var raw []string
	if err := db.Select(&raw, `SELECT data::text FROM events WHERE org_id = $1 AND type = 'plan.alert' ORDER BY seq`, org); err != nil {
		t.Fatal(err)
	}
	out := make([]warmline.PlanAlert, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal([]byte(r), &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestPlanLagRaisesAlerts(t *testing.T) {
	db := testDB(t)
	for _, tc := range []struct {
		name     string
		startsOn string
		contacts map[string]int // moment → contacts
		now      string
		carried  float64
		expected float64
		actual   int
		alert    bool
	}{
		{"0 contacts by 11:00 against 40 a day: alert", "2026-03-03", nil, "2026-03-03 11:00", 0, 8.9, 0, true},
		{"on pace by 11:00: no alert", "2026-03-03", map[string]int{"2026-03-03 10:30": 9}, "2026-03-03 11:00", 0, 8.9, 9, false},
		{"slightly behind, under the 20 % threshold: no alert", "2026-03-03", map[string]int{"2026-03-03 10:30": 8}, "2026-03-03 11:00", 0, 8.9, 8, false},
		{"lag carried from yesterday: alert first thing", "2026-03-02", map[string]int{"2026-03-02 12:00": 30, "2026-03-03 09:10": 3}, "2026-03-03 09:30", 10, 12.2, 3, true},
		{"yesterday's surplus does not bank ahead", "2026-03-02", map[string]int{"2026-03-02 12:00": 55}, "2026-03-03 11:00", 0, 8.9, 0, true},
		{"a weekend owes nothing", "2026-02-27", map[string]int{"2026-02-27 12:00": 40}, "2026-03-02 09:00", 0, 0, 0, false},
		{"before working hours nothing is due yet", "2026-03-03", nil, "2026-03-03 08:00", 0, 0, 0, false},
		{"out of hours the day's target is all due", "2026-03-03", map[string]int{"2026-03-03 12:00": 20}, "2026-03-03 20:00", 0, 40, 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, org, _ := newOrg(t, db)
			agent := newUser(t, db, ctx, warmline.RoleAgent)
			plans := postgres.NewPlanStore(db)
			plans.Now = func() time.Time { return mskTime(t, tc.now) }
			plan, err := plans.CreatePlan(ctx, warmline.PlanInput{AgentID: &agent.ID, Period: ptr("day"), Contacts: ptr(40), StartsOn: &tc.startsOn})
			if err != nil {
				t.Fatal(err)
			}
			for at, n := range tc.contacts {
				addContacts(t, db, ctx, org.ID, agent.ID, mskTime(t, at), n)
			}
			rep, err := plans.Progress(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Items) != 1 || len(rep.Items[0].Metrics) != 1 || rep.AlertThreshold != 20 {
				t.Fatalf("progress = %+v", rep)
			}
			m := rep.Items[0].Metrics[0]
			if m.Metric != "contacts" || m.Target != 40 || m.Carried != tc.carried || m.Expected != tc.expected || m.Actual != tc.actual || m.Behind != tc.alert {
				t.Errorf("metric = %+v, want carried %v expected %v actual %d behind %v", m, tc.carried, tc.expected, tc.actual, tc.alert)
			}
			// The check runs over every organisation (earlier cases' too).
			if _, err := postgres.CheckPlans(context.Background(), db, mskTime(t, tc.now)); err != nil {
				t.Fatal(err)
			}
			alerts := planAlerts(t, db, org.ID)
			if tc.alert != (len(alerts) == 1) {
				t.Fatalf("events %+v; want alert=%v", alerts, tc.alert)
			}
			if tc.alert {
				a := alerts[0]
				if a.PlanID != plan.ID || a.AgentID != agent.ID || a.Metric != "contacts" || a.Target != 40 || a.Actual != tc.actual || a.Expected != tc.expected || a.Reason == "" {
					t.Errorf("alert = %+v", a)
				}
			}
		})
	}
}

func TestPlanAlertsAtMostOncePerHour(t *testing.T) {
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	plans := postgres.NewPlanStore(db)
	if _, err := plans.CreatePlan(ctx, warmline.PlanInput{AgentID: &agent.ID, Period: ptr("day"), Contacts: ptr(40), NewClients: ptr(5), StartsOn: ptr("2026-03-03")}); err != nil {
		t.Fatal(err)
	}
	// Two processes checking at once, then again the same hour: one alert per metric.
	var wg sync.WaitGroup
	for _, at := range []string{"2026-03-03 11:02", "2026-03-03 11:02"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := postgres.CheckPlans(context.Background(), db, mskTime(t, at)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if _, err := postgres.CheckPlans(context.Background(), db, mskTime(t, "2026-03-03 11:55")); err != nil {
		t.Fatal(err)
	}
	if got := planAlerts(t, db, org.ID); len(got) != 2 {
		t.Fatalf("%d alerts in the hour, want 2 (contacts, new clients): %+v", len(got), got)
	}
	// Still behind the next hour: alerted again.
	if n, _ := postgres.CheckPlans(context.Background(), db, mskTime(t, "2026-03-03 12:05")); n != 2 {
		t.Errorf("raised %d at 12:05, want 2", n)
	}
	// The agent sees only their own plan; another agent sees none.
	other := newUser(t, db, ctx, warmline.RoleAgent)
	if rep, _ := plans.Progress(as(agent)); len(rep.Items) != 1 {
		t.Errorf("agent's own progress: %+v", rep)
	}
	if rep, _ := plans.Progress(as(other)); len(rep.Items) != 0 {
		t.Errorf("another agent sees %+v", rep.Items)
	}
	if _, err := plans.CreatePlan(as(agent), warmline.PlanInput{AgentID: &agent.ID, Period: ptr("week"), Contacts: ptr(1)}); warmline.ErrorCode(err) != warmline.EFORBIDDEN {
		t.Errorf("an agent sets a plan: %v", err)
	}
	if _, err := plans.CreatePlan(ctx, warmline.PlanInput{AgentID: &agent.ID, Period: ptr("day"), Contacts: ptr(1)}); warmline.ErrorCode(err) != warmline.ECONFLICT {
		t.Errorf("a second day plan: %v", err)
	}
}
