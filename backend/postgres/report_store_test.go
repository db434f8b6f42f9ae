package postgres_test

import (
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
