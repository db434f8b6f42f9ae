package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/warmline"
)

// Hubs are woken after the commit of events, not by a NOTIFY inside the
// writing transaction. Postgres (15, the version here) serialises the commits
// of all transactions that NOTIFY on one database-wide lock, held from
// before the commit record to the end of its flush: with the NOTIFY in
// every write, every write of every organisation committed one after the
// other, each waiting for its own WAL flush, and a writer descheduled while
// holding that lock stalled all the others (40 samples of pg_locks during
// the hub load benchmark: 77 backends found waiting on it, about two at
// any moment). Now the writes commit side by side (their flushes can be
// shared), and each process sends the NOTIFYs for the organisations whose
// events committed meanwhile, in one statement that does not wait for a
// flush.
//
// What the NOTIFY still means is unchanged: "there are events to read".
// If this process dies between a commit and its NOTIFY, the hubs find the
// events at their next poll (realtime.Config.PollEvery): later, never lost.

// txWakes are the organisations each open transaction wrote events for,
// by transaction: the statements that write events record them here
// (appendEvent, the rules engine), and DB.inTx takes them after the commit.
// Keyed by the transaction so that the many helpers taking a *sqlx.Tx need
// not carry anything more.
var txWakes = struct {
	sync.Mutex
	m map[any][]warmline.OrgID
}{m: map[any][]warmline.OrgID{}}

// wakeAfterCommit records that tx wrote events of orgs. tx must be a
// transaction of DB.inTx, which takes the record when it ends (the
// package's TestMain checks that none is left behind).
func wakeAfterCommit(tx any, orgs ...warmline.OrgID) {
	if len(orgs) == 0 {
		return
	}
	txWakes.Lock()
	txWakes.m[tx] = append(txWakes.m[tx], orgs...)
	txWakes.Unlock()
}

// takeWakes forgets tx and returns the organisations it recorded.
func takeWakes(tx any) []warmline.OrgID {
	txWakes.Lock()
	defer txWakes.Unlock()
	orgs := txWakes.m[tx]
	delete(txWakes.m, tx)
	return orgs
}

// wakeOrgs is a column of organisation ids, as the engine's statements
// answer the organisations they wrote events for.
func wakeOrgs(a pq.Int64Array) []warmline.OrgID {
	orgs := make([]warmline.OrgID, len(a))
	for i, o := range a {
		orgs[i] = warmline.OrgID(o)
	}
	return orgs
}

// notifySQL wakes the hubs of every node for some organisations, without
// waiting for its commit record to reach the disk: a lost notification
// only delays events until the next poll.
const notifySQL = `SELECT set_config('synchronous_commit', 'off', true), count(pg_notify($1, o::text))
	FROM unnest($2::bigint[]) o`

// waker sends a DB's NOTIFYs. Organisations that commit events while the
// NOTIFY statements run are taken by the next, so under load one statement
// wakes many organisations and at rest each wake costs one round trip. A
// few statements may run at once: one alone was a queue of its own when
// the machine was busy (every wake-up waited for the statement before).
type waker struct {
	db    *DB
	stmts *stmts // notifySQL, prepared: one round trip, no planning

	mu      sync.Mutex
	pending map[warmline.OrgID]struct{}
	senders int // goroutines sending; each stops when nothing is pending
}

// maxSenders bounds the NOTIFY statements running at once.
const maxSenders = 4

// wake has the hubs woken for orgs, without waiting.
func (w *waker) wake(orgs []warmline.OrgID) {
	if len(orgs) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, o := range orgs {
		w.pending[o] = struct{}{}
	}
	if w.senders < maxSenders {
		w.senders++
		go w.send()
	}
}

// send notifies for whatever is pending until nothing is. A failed
// statement is retried a few times, then given up (the hubs' poll covers
// it): it must not spin against a database that is gone.
func (w *waker) send() {
	failures := 0
	for {
		w.mu.Lock()
		if len(w.pending) == 0 {
			w.senders--
			w.mu.Unlock()
			return
		}
		batch := make(pq.Int64Array, 0, len(w.pending))
		for o := range w.pending {
			batch = append(batch, int64(o))
		}
		clear(w.pending)
		w.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		st, err := w.stmts.prepared(ctx, notifySQL)
		if err == nil {
			_, err = st.ExecContext(ctx, EventsChannel, batch)
		}
		cancel()
		if err == nil {
			failures = 0
			continue
		}
		if failures++; failures > 3 {
			w.mu.Lock()
			clear(w.pending)
			w.senders--
			w.mu.Unlock()
			return
		}
		time.Sleep(100 * time.Millisecond)
		w.mu.Lock() // still sending: the batch goes back for the next try
		for _, o := range batch {
			w.pending[warmline.OrgID(o)] = struct{}{}
		}
		w.mu.Unlock()
	}
}
