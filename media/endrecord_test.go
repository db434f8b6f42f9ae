package media_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/warmline"
)

// A call record whose end fails for a passing reason is written on a
// later try, with the time the call ended. Here the first attempt waits
// on a row lock and its connection is then killed, as a Postgres restart
// or failover would; once the lock goes, the retry closes the record.
func TestCallRecord_EndWrittenAfterTheDatabaseFailsOnce(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)

	blocker := f.holdCallRow(t, id)
	hungUp := time.Now()
	b.send(map[string]any{"type": "hangup", "call_id": id})
	pc.waitBye(t, 5*time.Second)

	first := f.lockWaiter(t, 0)
	time.Sleep(2 * time.Second) // a retry's own time would now be well after the hang-up
	if _, err := f.db.Exec(`SELECT pg_terminate_backend($1)`, first); err != nil {
		t.Fatal(err)
	}
	b.expectCall("ended")  // the softphone hears of the end once the first attempt is over
	f.lockWaiter(t, first) // the next attempt, on a connection of its own
	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}

	r := f.waitEnded(id)
	if r.Status != "ended" || deref(r.Outcome) != "answered" || deref(r.HangupSide) != "agent" {
		t.Fatalf("record after the retry = %+v", r)
	}
	var endedAt time.Time
	var events int
	if err := f.db.QueryRow(`SELECT ended_at, (SELECT count(*) FROM events WHERE org_id = c.org_id AND type = 'call.ended'
		AND (data->>'id')::bigint = c.id) FROM calls c WHERE id = $1`, id).Scan(&endedAt, &events); err != nil {
		t.Fatal(err)
	}
	if d := endedAt.Sub(hungUp); d < -time.Second || d > time.Second {
		t.Fatalf("ended_at %s, %s after the hang-up: want the hang-up's time, not the retry's", endedAt, d)
	}
	if events != 1 {
		t.Fatalf("%d call.ended events, want 1", events)
	}
}

// holdCallRow locks the call's record in a transaction of the test's
// own, until the caller ends it (Rollback; the test's end does too).
func (f *fixture) holdCallRow(t *testing.T, id warmline.CallID) *sqlx.Tx {
	t.Helper()
	tx, err := f.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	if _, err := tx.Exec(`SELECT 1 FROM calls WHERE id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	return tx
}

// lockWaiter waits until a connection to the test's database, other
// than process not, waits on a lock, and returns its process ID.
func (f *fixture) lockWaiter(t *testing.T, not int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var pids []int
		if err := f.db.Select(&pids, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND pid <> $1`, not); err != nil {
			t.Fatal(err)
		}
		if len(pids) > 0 {
			return pids[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no write of the call record waits on the held row")
	return 0
}

// An answered call whose update at the answer failed still ends with its
// answer time and agent: the end, which is retried, carries them.
func TestCallRecord_AnswerLostThenWrittenWithTheEnd(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	pc, ringing := f.inboundRinging(b, "+79161234567")
	id := callID(ringing)
	if r := f.record(id); r.Status != "ringing" {
		t.Fatalf("record before the answer: %+v", r)
	}

	blocker := f.holdCallRow(t, id)
	answered := time.Now()
	b.send(map[string]any{"type": "answer", "call_id": id})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pc.answered(ctx); err != nil {
		t.Fatalf("the caller's INVITE: %v", err)
	}
	if _, err := f.db.Exec(`SELECT pg_terminate_backend($1)`, f.lockWaiter(t, 0)); err != nil {
		t.Fatal(err)
	}
	b.expectCall("active")
	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}
	if r := f.record(id); r.Answered {
		t.Fatalf("the answer was written after all (%+v): the test lost nothing", r)
	}

	b.send(map[string]any{"type": "hangup", "call_id": id})
	pc.waitBye(t, 5*time.Second)
	r := f.waitEnded(id)
	if r.Status != "ended" || deref(r.Outcome) != "answered" || !r.Answered || deref(r.AgentID) != int64(f.agent.ID) {
		t.Fatalf("record = %+v, want answered by agent %d", r, f.agent.ID)
	}
	var answeredAt time.Time
	if err := f.db.Get(&answeredAt, `SELECT answered_at FROM calls WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if d := answeredAt.Sub(answered); d < -time.Second || d > 2*time.Second {
		t.Fatalf("answered_at %s, %s after the agent answered", answeredAt, d)
	}
}
