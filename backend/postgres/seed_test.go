package postgres_test

import (
	"context"
	"testing"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

func TestSeedDemo_CreatesOnceWithCoolingAndHistory(t *testing.T) {
	db := testDB(t)
	ctx := context.Background()
	created, err := postgres.SeedDemo(ctx, db)
	if err != nil || !created {
		t.Fatalf("first seed: created=%v err=%v", created, err)
	}
	created, err = postgres.SeedDemo(ctx, db)
	if err != nil || created {
		t.Fatalf("second seed must do nothing: created=%v err=%v", created, err)
	}
	s := postgres.NewSessionStore(db, 0)
	u, _, err := s.Login(ctx, "agent1@demo.example", postgres.DemoPassword, "127.0.0.1", "")
	if err != nil {
		t.Fatalf("demo agent cannot log in: %v", err)
	}
	actx := as(u)
	cs := postgres.NewClientStore(db)
	all, err := cs.FindClients(actx, warmline.ClientFilter{Page: 1, PerPage: 10})
	if err != nil || all.Total < 250 {
		t.Fatalf("demo clients: %d (%v)", all.Total, err)
	}
	for _, st := range []warmline.CoolingState{warmline.CoolingCooled, warmline.CoolingSoonSt, warmline.CoolingOK} {
		p, err := cs.FindClients(actx, warmline.ClientFilter{Cooling: st, Page: 1, PerPage: 1})
		if err != nil || p.Total == 0 {
			t.Errorf("the demo should show clients that are %s: %d (%v)", st, p.Total, err)
		}
	}
	hist, err := cs.FindTransitions(actx, all.Items[0].ID)
	if err != nil || len(hist) == 0 || hist[len(hist)-1].ToStageID != all.Items[0].StageID {
		t.Fatalf("history of a demo client ends elsewhere than its stage: %+v (%v)", hist, err)
	}
	// Phones are searchable.
	p, err := cs.FindClients(actx, warmline.ClientFilter{Query: all.Items[0].Phones[0], Page: 1, PerPage: 5})
	if err != nil || p.Total != 1 {
		t.Fatalf("search by a demo phone found %d (%v)", p.Total, err)
	}

	// Every contact and attempt of a demo client is a call record, on the
	// demo line.
	var mismatched int
	if err := db.Get(&mismatched, `
		SELECT count(*) FROM clients c
		WHERE c.org_id = $1 AND (
			c.attempts <> (SELECT count(*) FROM calls WHERE client_id = c.id AND answered_at IS NULL AND outcome <> 'missed')
			OR c.contacts > (SELECT count(*) FROM calls WHERE client_id = c.id AND answered_at IS NOT NULL))`, u.OrgID); err != nil {
		t.Fatal(err)
	}
	if mismatched != 0 {
		t.Errorf("%d demo clients' counters disagree with their call records", mismatched)
	}
	var lines int
	if err := db.Get(&lines, `SELECT count(*) FROM lines WHERE org_id = $1`, u.OrgID); err != nil || lines != 1 {
		t.Errorf("demo lines: %d (%v), want the demo line", lines, err)
	}
}
