package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/media"
)

// burstFixture is an organisation with one client and agents agents.
func burstFixture(t *testing.T, agents int) (*postgres.DB, *warmline.Organisation, *warmline.Client, []warmline.UserID) {
	t.Helper()
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	cl, err := postgres.NewClientStore(db).CreateClient(ctx, warmline.ClientInput{Name: ptr("ООО Ромашка"), Phones: &[]string{"+79161234567"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []warmline.UserID
	if err := db.Select(&ids, `INSERT INTO users (org_id, email, name, role, password_hash)
		SELECT $1, 'burst' || g || '-' || $1::bigint || '@example.com', 'Burst ' || g, 'agent', '-' FROM generate_series(1, $2) g RETURNING id`, org.ID, agents); err != nil {
		t.Fatal(err)
	}
	return db, org, cl, ids
}

// burstResult waits for a burst's writers, fails on the first error
// they sent, and counts the organisation's open calls and the client's
// contacts and attempts.
func burstResult(t *testing.T, wg *sync.WaitGroup, errs chan error, db *postgres.DB, org *warmline.Organisation, cl *warmline.Client) (open, touches int) {
	t.Helper()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Get(&open, `SELECT count(*) FROM calls WHERE org_id = $1 AND status <> 'ended'`, org.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&touches, `SELECT contacts + attempts FROM clients WHERE id = $1`, cl.ID); err != nil {
		t.Fatal(err)
	}
	return open, touches
}

// A floor hanging up at once: many calls to the same client end in
// parallel transactions (each takes the organisation's event row and the
// client's row). Every end succeeds, counts once for the client and
// writes its call.ended, and the agents' after-call states follow.
func TestCallStore_ManyCallsEndAtOnce(t *testing.T) {
	const n = 50
	db, org, cl, agents := burstFixture(t, n)
	cs := postgres.NewCallStore(db)
	bg := context.Background()
	calls := make([]warmline.CallID, n)
	for i := range agents {
		id, err := cs.StartCall(bg, &warmline.Call{OrgID: org.ID, Direction: warmline.CallOutbound, From: "+74950000000", To: "+79161234567",
			AgentID: &agents[i], ClientID: &cl.ID, Node: "burst"})
		if err != nil {
			t.Fatal(err)
		}
		if err := cs.UpdateCall(bg, org.ID, id, media.CallUpdate{AnsweredAt: time.Now().Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		calls[i] = id
	}
	seq := lastSeq(t, db, org.ID)
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range calls {
		wg.Go(func() {
			c, cancel := context.WithTimeout(bg, 10*time.Second)
			defer cancel()
			errs <- cs.EndCall(c, org.ID, calls[i], media.CallEnd{At: time.Now(), Outcome: warmline.OutcomeAnswered, Reason: "hangup", Side: warmline.HangupAgent})
			errs <- cs.SetAgentState(c, org.ID, agents[i], warmline.AgentWrapUp)
		})
	}
	open, touches := burstResult(t, &wg, errs, db, org, cl)
	ended := 0
	for _, e := range eventsOf(t, db, org.ID, seq) {
		if e.Type == warmline.EventCallEnded {
			ended++
		}
	}
	if open != 0 || touches != n || ended != n {
		t.Fatalf("after %d ends: %d calls open, the client counted %d times, %d call.ended events", n, open, touches, ended)
	}
}

// Calls to one client start, are answered and end at the same time, as
// they do when a team works the same client list (and in the gateway's
// load benchmark, where this deadlocked): a new call's row takes a share
// lock on its client, an ending call locks the client to count the
// contact, and both take the organisation's event counter. Every write
// succeeds: no transaction waits for a lock another holds while it
// waits for the counter.
func TestCallStore_CallsStartWhileOthersEnd(t *testing.T) {
	const n = 40
	db, org, cl, agents := burstFixture(t, 2*n)
	cs := postgres.NewCallStore(db)
	bg := context.Background()
	var err error
	start := func(agent warmline.UserID) (warmline.CallID, error) {
		return cs.StartCall(bg, &warmline.Call{OrgID: org.ID, Direction: warmline.CallOutbound, From: "+74950000000", To: "+79161234567",
			AgentID: &agent, ClientID: &cl.ID, Node: "mix"})
	}
	answer := func(id warmline.CallID) error {
		return cs.UpdateCall(bg, org.ID, id, media.CallUpdate{AnsweredAt: time.Now().Add(-time.Minute)})
	}
	calls := make([]warmline.CallID, n)
	for i := range calls {
		if calls[i], err = start(agents[i]); err != nil {
			t.Fatal(err)
		}
		if err := answer(calls[i]); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := range calls {
		wg.Go(func() {
			errs <- cs.EndCall(bg, org.ID, calls[i], media.CallEnd{At: time.Now(), Outcome: warmline.OutcomeAnswered, Reason: "hangup", Side: warmline.HangupAgent})
		})
		wg.Go(func() {
			id, err := start(agents[n+i])
			errs <- err
			if err == nil {
				errs <- answer(id)
				errs <- cs.EndCall(bg, org.ID, id, media.CallEnd{At: time.Now(), Outcome: warmline.OutcomeAnswered, Reason: "hangup", Side: warmline.HangupClient})
			}
		})
	}
	open, touches := burstResult(t, &wg, errs, db, org, cl)
	if open != 0 || touches != 2*n {
		t.Fatalf("after %d calls: %d open, the client counted %d times", 2*n, open, touches)
	}
}
