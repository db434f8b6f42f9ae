package postgres_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

// backlog gives f's organisation a backlog for the next sweep at
// msk("2026-11-24 12:00"): cooled warm clients and zombies, plus one won
// client, which no rule touches, and answers its id.
func (f *funnel) backlog(t *testing.T, cooled, zombies int) warmline.ClientID {
	t.Helper()
	f.db.MustExec(`INSERT INTO clients (org_id, name, stage_id, stage_entered_at, owner_id)
		SELECT $1, 'Cooled ' || g, $2, $3, $4 FROM generate_series(1, $5) g`,
		f.org.ID, f.stages[3].ID, msk("2026-11-02 10:00"), f.admin.ID, cooled)
	f.db.MustExec(`INSERT INTO clients (org_id, name, stage_id, stage_entered_at, last_contact_at, contacts, stage_contacts, owner_id)
		SELECT $1, 'Zombie ' || g, $2, $3, $3, 7, 7, $4 FROM generate_series(1, $5) g`,
		f.org.ID, f.stages[1].ID, msk("2026-11-24 11:00"), f.admin.ID, zombies)
	won := f.client(t, "Won", 4, msk("2026-11-02 10:00"), 0)
	if err := postgres.RefreshCooling(context.Background(), f.db, f.org.ID); err != nil {
		t.Fatal(err)
	}
	// Statistics, as a live database has them (autovacuum).
	f.db.MustExec(`ANALYZE`)
	return won
}

// state is what the engine made of an organisation: its items, rule
// actions and clients, and its events but those of the won client, in
// order.
func (f *funnel) state(t *testing.T, won warmline.ClientID) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT json_agg(w ORDER BY w.id)::text FROM (SELECT w.id, c.name, w.kind, w.owner_id, w.reason, w.episode_at, w.actions_done,
			w.created_at, w.closed_at, w.decision FROM work_items w JOIN clients c ON c.id = w.client_id) w`,
		`SELECT json_agg(r ORDER BY r.id)::text FROM (SELECT r.id, c.name, r.work_item_id, r.rule, r.action, r.reason, r.before, r.after,
			r.created_at FROM rule_actions r JOIN clients c ON c.id = r.client_id) r`,
		`SELECT json_agg(c ORDER BY c.id)::text FROM (SELECT id, name, stage_id, owner_id, cools_at, handed_off FROM clients) c`,
		`SELECT json_agg(json_build_array(e.type, e.data) ORDER BY e.seq)::text FROM (SELECT seq, type, data FROM events
			WHERE type NOT IN ('user.created', 'client.created')
			AND NOT (type = 'client.updated' AND (data->>'id')::bigint = ` + itoa(int64(won)) + `)) e`,
	} {
		var s string
		if err := f.db.Get(&s, q); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return fmt.Sprint(out)
}

// A sweep that meets a backlog raises it whole, in transactions of a
// bounded size: meanwhile a person's write in the organisation being
// swept, which waits for the organisation's event counter, waits for one
// batch, not for the sweep. The end state is the one a single
// transaction per step makes.
func TestSweep_BacklogInBatchesLetsWritesThrough(t *testing.T) {
	const cooled, zombies, batch = 4000, 500, 100
	now := msk("2026-11-24 12:00")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	whole := newFunnel(t)
	wholeWon := whole.backlog(t, cooled, zombies)
	sw := postgres.NewSweeper(whole.db, log)
	sw.Now, sw.Batch = func() time.Time { return now }, 1<<30
	one, err := sw.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*cooled + 2*zombies; one.Events != want {
		t.Fatalf("unbatched sweep wrote %d events, want %d", one.Events, want)
	}

	f := newFunnel(t)
	won := f.backlog(t, cooled, zombies)
	sw = postgres.NewSweeper(f.db, log)
	sw.Now, sw.Batch = func() time.Time { return now }, batch
	// A person edits a client of the organisation, again and again, while
	// the sweep runs.
	done := make(chan struct{})
	writes := make(chan time.Duration, 10_000)
	go func() {
		defer close(writes)
		clients := postgres.NewClientStore(f.db)
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			t0 := time.Now()
			if _, err := clients.UpdateClient(f.ctx, won, warmline.ClientInput{Notes: ptr(fmt.Sprint("note ", i))}); err != nil {
				t.Error(err)
				return
			}
			writes <- time.Since(t0)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	time.Sleep(20 * time.Millisecond) // the writer is at work
	res, err := sw.Sweep(context.Background())
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var longest time.Duration
	for d := range writes {
		n++
		longest = max(longest, d)
	}
	t.Logf("sweep %v in %d transactions (longest %v; unbatched %v, longest %v); %d writes meanwhile, the slowest %v",
		res.Duration, res.Transactions, res.LongestTx, one.Duration, one.LongestTx, n, longest)
	if res.Events != one.Events {
		t.Errorf("batched sweep wrote %d events, unbatched %d", res.Events, one.Events)
	}
	if least := (cooled + zombies) / batch; res.Transactions < least {
		t.Errorf("%d transactions, want at least %d", res.Transactions, least)
	}
	if n < 10 {
		t.Fatalf("only %d writes during a sweep of %v", n, res.Duration)
	}
	// Unbatched, the longest transaction is nearly the whole sweep; the
	// writes wait for the part of it that holds the event counter (from
	// numbering the events to the commit).
	if res.LongestTx*5 > res.Duration {
		t.Errorf("the longest transaction took %v, more than a fifth of the sweep (%v)", res.LongestTx, res.Duration)
	}
	if longest*5 > res.Duration {
		t.Errorf("a write during the sweep took %v, more than a fifth of the sweep (%v)", longest, res.Duration)
	}
	if got, want := f.state(t, won), whole.state(t, wholeWon); got != want {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		from := max(0, i-300)
		t.Errorf("batched end state differs from the unbatched one at byte %d:\n%q\nwant\n%q", i, got[from:min(len(got), i+300)], want[from:min(len(want), i+300)])
	}
	var seqs struct{ N, Max int }
	f.db.Get(&seqs, `SELECT count(*) AS n, max(seq) AS max FROM events WHERE org_id = $1`, f.org.ID)
	if seqs.N != seqs.Max {
		t.Errorf("%d events numbered up to %d: sequence numbers lost or repeated", seqs.N, seqs.Max)
	}
	if n := f.sweep(t, now); n != 0 {
		t.Errorf("a second sweep wrote %d events", n)
	}
}
