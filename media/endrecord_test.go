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

	blocker := f.holdRow(t, `SELECT 1 FROM calls WHERE id = $1 FOR UPDATE`, id)
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

// holdRow locks the rows lock (a SELECT ... FOR UPDATE) picks in a
// transaction of the test's own, until the caller ends it (the test's
// end rolls it back).
func (f *fixture) holdRow(t *testing.T, lock string, args ...any) *sqlx.Tx {
	t.Helper()
	tx, err := f.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	if _, err := tx.Exec(lock, args...); err != nil {
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
	t.Fatal("nothing waits on the held row")
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

	blocker := f.holdRow(t, `SELECT 1 FROM calls WHERE id = $1 FOR UPDATE`, id)
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

// An agent's state after a call that fails to be written is written on a
// later try, unless the agent chose away (or offline) meanwhile.
func TestAgentState_AfterCallWrittenOnALaterTry(t *testing.T) {
	f := newFixture(t, 0)
	if _, err := f.db.Exec(`UPDATE organisations SET wrap_up_seconds = 0 WHERE id = $1`, f.org.ID); err != nil {
		t.Fatal(err)
	}
	b := f.connectBrowser()
	for _, agentChoosesAway := range []bool{false, true} {
		id, pc := f.outboundCall(b)
		f.waitAgentState(t, warmline.AgentOnCall)

		blocker := f.holdRow(t, `SELECT 1 FROM agent_states WHERE user_id = $1 FOR UPDATE`, f.agent.ID)
		b.send(map[string]any{"type": "hangup", "call_id": id})
		pc.waitBye(t, 5*time.Second)
		first := f.lockWaiter(t, 0) // the write of available after the call
		if _, err := f.db.Exec(`SELECT pg_terminate_backend($1)`, first); err != nil {
			t.Fatal(err)
		}
		f.lockWaiter(t, first) // its retry
		want := warmline.AgentAvailable
		if agentChoosesAway {
			// The agent picks away meanwhile (as the API writes it), and it commits first.
			if _, err := blocker.Exec(`UPDATE agent_states SET state = 'away', reason = 'lunch' WHERE user_id = $1`, f.agent.ID); err != nil {
				t.Fatal(err)
			}
			want = warmline.AgentAway
		}
		if err := blocker.Commit(); err != nil {
			t.Fatal(err)
		}
		f.waitNoLockWaiter(t)
		f.waitAgentState(t, want)
		time.Sleep(300 * time.Millisecond)
		f.waitAgentState(t, want) // and it stays
		if agentChoosesAway {
			return
		}
	}
}

// waitAgentState waits for the fixture's agent to be in st.
func (f *fixture) waitAgentState(t *testing.T, st warmline.AgentState) {
	t.Helper()
	var got warmline.AgentState
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err := f.db.Get(&got, `SELECT state FROM agent_states WHERE user_id = $1`, f.agent.ID); err != nil {
			t.Fatal(err)
		}
		if got == st {
			return
		}
	}
	t.Fatalf("agent %s, want %s", got, st)
}

// waitNoLockWaiter waits until no connection to the test's database waits on a lock.
func (f *fixture) waitNoLockWaiter(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var n int
		if err := f.db.Get(&n, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("a connection still waits on a lock")
}
