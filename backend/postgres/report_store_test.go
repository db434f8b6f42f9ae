package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

func TestReportStore_FunnelCountsAndConversion(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)
	stages, _ := postgres.NewStageStore(db).FindStages(ctx)
	// Four new clients: two reach "Demo", one of those is won; one is rejected from "New".
	var ids []warmline.ClientID
	for _, n := range []string{"A", "B", "C", "D"} {
		c, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr(n)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	move := func(id warmline.ClientID, to int) {
		if _, err := cs.MoveClient(ctx, id, stages[to].ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	move(ids[0], 2)
	move(ids[1], 2)
	move(ids[0], 4)
	move(ids[2], 5)
	rep, err := postgres.NewReportStore(db).FunnelReport(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][3]int{}
	for _, s := range rep.Stages {
		got[s.Name] = [3]int{s.Clients, s.Entered, s.Advanced}
	}
	want := map[string][3]int{
		stages[0].Name: {1, 4, 2}, // D stays; A and B advanced, C was rejected (not progress)
		stages[2].Name: {1, 2, 1}, // B stays; A won
		stages[4].Name: {1, 1, 0},
		stages[5].Name: {1, 1, 0},
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: clients/entered/advanced = %v, want %v", name, got[name], w)
		}
	}
	if rep.Stages[0].Conversion != 0.5 {
		t.Errorf("conversion of the first stage = %v, want 0.5", rep.Stages[0].Conversion)
	}
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	_, err = postgres.NewReportStore(db).FunnelReport(as(agent), time.Now())
	wantCode(t, err, warmline.EFORBIDDEN)
}

func TestReportStore_CallsTodayAndLive(t *testing.T) {
	db := testDB(t)
	ctx, org, admin := newOrg(t, db)
	_, other, _ := newOrg(t, db)
	client, err := postgres.NewClientStore(db).CreateClient(ctx, warmline.ClientInput{Name: ptr("ООО Ромашка"), Phones: ptr([]string{"+79161234567"})})
	if err != nil {
		t.Fatal(err)
	}
	// insert writes a call record created `ago` before now; ours carry the
	// client and agent, the other organisation's none.
	insert := func(org warmline.OrgID, direction, from, status, outcome string, ago time.Duration, answered bool) {
		t.Helper()
		var clientID, agentID any
		if org != other.ID {
			clientID, agentID = client.ID, admin.ID
		}
		to := "+74950000000"
		if direction == "outbound" {
			from, to = to, from
		}
		_, err := db.Exec(`
			INSERT INTO calls (org_id, direction, from_number, to_number, status, outcome, created_at, answered_at, ended_at, client_id, agent_id)
			VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), now() - $7 * interval '1 second',
				CASE WHEN $8 THEN now() - $7 * interval '1 second' END,
				CASE WHEN $5 = 'ended' THEN now() - $7 * interval '1 second' END, $9, $10)`,
			org, direction, from, to, status, outcome, ago.Seconds(), answered, clientID, agentID)
		if err != nil {
			t.Fatal(err)
		}
	}
	// Put the organisation where it is about noon now, so that "today"
	// holds the last hour whenever the test runs.
	zone := fmt.Sprintf("Etc/GMT%+d", time.Now().UTC().Hour()-12)
	if _, err := db.Exec(`UPDATE organisations SET time_zone = $2 WHERE id = $1`, org.ID, zone); err != nil {
		t.Fatal(err)
	}
	var sinceMidnight float64
	if err := db.Get(&sinceMidnight, `SELECT extract(epoch FROM now() - (date_trunc('day', now() AT TIME ZONE time_zone) AT TIME ZONE time_zone)) FROM organisations WHERE id = $1`, org.ID); err != nil {
		t.Fatal(err)
	}
	midnight := time.Duration(sinceMidnight * float64(time.Second))
	if midnight < 10*time.Hour || midnight > 14*time.Hour {
		t.Fatalf("%s: %v since midnight, want about noon", zone, midnight)
	}
	insert(org.ID, "inbound", "+79160000001", "ended", "missed", midnight+time.Hour, false) // yesterday: not today's
	insert(org.ID, "inbound", "+79161234567", "ended", "missed", 9*time.Minute, false)      // called back below
	insert(org.ID, "outbound", "+79161234567", "ended", "answered", 8*time.Minute, true)    // the call back
	insert(org.ID, "inbound", "+79162222222", "ended", "missed", 7*time.Minute, false)      // still waiting
	insert(org.ID, "inbound", "+79163333333", "ended", "missed", 6*time.Minute, false)      // an unanswered attempt
	insert(org.ID, "outbound", "+79163333333", "ended", "no_answer", 5*time.Minute, false)  // is no call back
	insert(org.ID, "inbound", "+79164444444", "answered", "", time.Minute, true)            // in progress
	insert(other.ID, "inbound", "+79165555555", "ended", "missed", time.Minute, false)      // another organisation's
	insert(other.ID, "inbound", "+79166666666", "ringing", "", time.Minute, false)

	rep, err := postgres.NewReportStore(db).CallsReport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := warmline.CallsToday{Since: rep.Today.Since, Inbound: 4, Outbound: 2, Answered: 2, Missed: 3, NotCalledBack: 2}
	if rep.Today != want {
		t.Errorf("today = %+v, want %+v", rep.Today, want)
	}
	if len(rep.Live) != 1 || rep.Live[0].From != "+79164444444" || rep.Live[0].ClientName != "ООО Ромашка" ||
		rep.Live[0].AgentName != admin.Name || rep.Live[0].ClientOwnerID != nil && *rep.Live[0].ClientOwnerID != admin.ID {
		t.Errorf("live calls = %+v, want our one answered call with names", rep.Live)
	}
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	_, err = postgres.NewReportStore(db).CallsReport(as(agent))
	wantCode(t, err, warmline.EFORBIDDEN)
}
