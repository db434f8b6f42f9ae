package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

func TestPresenceStore_StatesLogAndSweep(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	ps := postgres.NewPresenceStore(db)

	_, err := ps.SetState(as(agent), warmline.AgentOnCall, "")
	wantCode(t, err, warmline.EINVALID)
	p, err := ps.SetState(as(agent), warmline.AgentAway, "обед")
	if err != nil || p.State != warmline.AgentAway || p.Reason != "обед" {
		t.Fatalf("away: %+v %v", p, err)
	}
	if p, err = ps.SetState(as(agent), warmline.AgentAvailable, "ignored"); err != nil || p.Reason != "" {
		t.Fatalf("available: %+v %v", p, err)
	}
	var logged int
	db.Get(&logged, `SELECT count(*) FROM agent_state_log WHERE user_id = $1`, agent.ID)
	if logged != 2 { // offline → away, away → available
		t.Fatalf("%d log rows, want 2", logged)
	}
	evs, _ := postgres.NewEventStore(db).EventsAfter(ctx, 0, 100)
	if last := evs[len(evs)-1]; last.Type != warmline.EventAgentState {
		t.Fatalf("last event %s", last.Type)
	}

	// Seen recently: the sweep leaves the agent alone; unseen: offline.
	if n, err := ps.SweepOffline(context.Background(), time.Minute); err != nil || n != 0 {
		t.Fatalf("sweep of a fresh agent: %d %v", n, err)
	}
	db.Exec(`UPDATE agent_states SET seen_at = now() - interval '1 minute' WHERE user_id = $1`, agent.ID)
	if err := ps.Heartbeat(context.Background(), []warmline.UserID{agent.ID}); err != nil {
		t.Fatal(err)
	}
	if n, _ := ps.SweepOffline(context.Background(), 30*time.Second); n != 0 {
		t.Fatalf("a heartbeat did not keep the agent online")
	}
	db.Exec(`UPDATE agent_states SET seen_at = now() - interval '1 minute' WHERE user_id = $1`, agent.ID)
	if n, err := ps.SweepOffline(context.Background(), 30*time.Second); err != nil || n != 1 {
		t.Fatalf("sweep of a stale agent: %d %v", n, err)
	}
	list, _ := ps.FindPresence(ctx)
	for _, p := range list {
		if p.UserID == agent.ID && p.State != warmline.AgentOffline {
			t.Fatalf("stale agent is %s", p.State)
		}
	}
}
