package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/warmline"
)

// sweepLock is the advisory lock key of the sweep: one process sweeps at a
// time, the others skip their turn.
const sweepLock = 0x776c_7377_6565_70 // "wlsweep"

// analyzeAfter is the number of events of a step after which the sweep
// analyzes work_items before its next step. The steps' anti-joins on
// work_items are planned on its statistics; a first sweep fills the table
// from empty in seconds, long before autovacuum looks, and the next
// statements planned for an empty table (a nested loop over a table
// scan) took seconds at 100 000 clients.
const analyzeAfter = 2000

// sweepBatch is the default number of clients a sweep step acts on in one
// transaction. A step writes at most a few rows per client (an item, a
// rule action, their events); at 100–120 µs per item raised, a batch of
// 2 000 commits within a few tenths of a second (0.26–0.49 s the longest
// at 100 000 and 1 000 000 clients), which bounds how long it holds the
// event counters of the organisations it writes events for (every write
// in those organisations waits for them).
const sweepBatch = 2000

// Sweeper runs the rules engine over every client of every organisation as
// time passes (cooling, callbacks falling due, after-call defaults).
type Sweeper struct {
	db  *DB
	log *slog.Logger
	// Now is the sweep's clock (tests pin it).
	Now func() time.Time
	// Batch is the number of clients a step acts on per transaction.
	Batch int
}

// NewSweeper returns a Sweeper on db.
func NewSweeper(db *DB, log *slog.Logger) *Sweeper {
	return &Sweeper{db: db, log: log, Now: time.Now, Batch: sweepBatch}
}

// SweepResult says what one sweep did.
type SweepResult struct {
	// Skipped: another process held the sweep lock.
	Skipped bool
	// Events is the number of events written (0 when nothing changed).
	Events   int
	Duration time.Duration
	// Transactions is the number of writing transactions (batches), and
	// LongestTx the longest of them: the longest time the sweep held the
	// row locks it took, among them the event counters of the
	// organisations it wrote events for.
	Transactions int
	LongestTx    time.Duration
}

// Sweep evaluates every client once, unless another process is sweeping.
// Each step first finds the clients it may act on (one read-only query
// over all of them), then acts on them in batches of s.Batch clients, one
// transaction each: a backlog (a first sweep over old data raises hundreds
// of thousands of items) is raised whole in this one call, but no
// transaction holds its row locks — an organisation's event counter above
// all — for more than a batch. A batch checks its clients again (they may
// have changed since the step found them), locks clients before
// organisations, as the API's writes do, and commits its items, rule
// actions, moves and events together; a batch that loses a deadlock is
// retried by the next sweep. Every step is idempotent.
func (s *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	start := time.Now()
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return SweepResult{}, fmt.Errorf("sweep connection: %w", err)
	}
	defer conn.Close()
	var got bool
	if err := conn.GetContext(ctx, &got, `SELECT pg_try_advisory_lock($1)`, int64(sweepLock)); err != nil {
		return SweepResult{}, fmt.Errorf("sweep lock: %w", err)
	}
	if !got {
		return SweepResult{Skipped: true}, nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(sweepLock))
	res, err := s.steps(ctx, conn, s.Now(), scope{})
	res.Duration = time.Since(start)
	return res, err
}

// reevaluate runs the engine over an organisation, or one of its stages,
// once a change of its rules or calendar has committed: the sweep's steps
// over that scope, in the sweep's batches. Run inside the change's own
// transaction, the engine's steps locked clients after the statement
// before had taken the organisation's event counter, while every client
// edit takes the client then the counter: an edit at the wrong moment made
// the change fail on a deadlock (seen adding a holiday to an organisation
// of 10 000 clients while one was being edited), and the whole
// organisation's writes waited for the change. A client locked by a writer
// meanwhile is skipped, and the next sweep takes it (SKIP LOCKED). A
// failure is logged, not returned: the change is saved, and the next sweep
// (a minute at most) applies it; answering an error would say otherwise.
func reevaluate(ctx context.Context, db *DB, now time.Time, sc scope) {
	log := slog.Default()
	conn, err := db.Connx(ctx)
	if err == nil {
		defer conn.Close()
		_, err = (&Sweeper{db: db, log: log, Batch: sweepBatch}).steps(ctx, conn, now, sc)
	}
	if err != nil {
		log.Error("rules re-evaluation after a change failed; the next sweep applies it", "org", sc.org, "stage", sc.stage, "err", err)
	}
}

// steps runs every step of the engine over the clients of sc (zero: all),
// each step finding its clients, then acting on them in batches of
// s.Batch, one transaction each.
func (s *Sweeper) steps(ctx context.Context, conn *sqlx.Conn, now time.Time, sc scope) (SweepResult, error) {
	res := SweepResult{}
	batch := max(1, s.Batch)
	for _, st := range engineSteps {
		t0 := time.Now()
		ids, err := sweepFind(ctx, conn, st.find, sc.args(now))
		if err != nil {
			return res, fmt.Errorf("rules sweep, %s: find clients: %w", st.name, err)
		}
		events, analyzed := 0, 0
		for part := range slices.Chunk(ids, batch) {
			t1 := time.Now()
			n, err := s.sweepStep(ctx, conn, st.sql, scope{org: sc.org, clients: part}.args(now))
			res.Transactions++
			res.LongestTx = max(res.LongestTx, time.Since(t1))
			if err != nil {
				var pe *pq.Error
				if errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001") {
					s.log.Warn("rules sweep batch lost a lock race; the next sweep retries it", "step", st.name, "clients", len(part))
					continue
				}
				return res, fmt.Errorf("rules sweep, %s: %w", st.name, err)
			}
			events += n
			// A batch's anti-joins on work_items are planned on the
			// table's statistics, and a backlog step fills it with a kind
			// they do not know yet: planned for a handful of such rows,
			// the anti-join compared every client of a batch with every
			// row of that kind raised so far (quadratic over the step).
			// Analyzed each time the step has doubled what it wrote
			// since, the estimate is never behind by more than half.
			if n > 0 && events >= 2*analyzed && len(part) == batch {
				if err := analyzeWorkItems(ctx, conn); err != nil {
					return res, fmt.Errorf("rules sweep, %s: %w", st.name, err)
				}
				analyzed = events
			}
		}
		res.Events += events
		s.log.Debug("rules sweep step", "step", st.name, "clients", len(ids), "events", events, "took", time.Since(t0))
		if events >= analyzeAfter && analyzed != events {
			if err := analyzeWorkItems(ctx, conn); err != nil {
				return res, fmt.Errorf("rules sweep, after %s: %w", st.name, err)
			}
		}
	}
	return res, nil
}

func analyzeWorkItems(ctx context.Context, conn *sqlx.Conn) error {
	if _, err := conn.ExecContext(ctx, `ANALYZE work_items`); err != nil {
		return fmt.Errorf("analyze work_items: %w", err)
	}
	return nil
}

// sweepFind answers the clients a step's find query lists, in id order
// (batches of neighbouring clients share index and heap pages).
func sweepFind(ctx context.Context, conn *sqlx.Conn, find string, args []any) ([]warmline.ClientID, error) {
	tx, err := conn.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, manyClients); err != nil {
		return nil, err
	}
	// A find query need not use every scope argument, but Postgres must
	// know the type of each one it is given.
	var ids []warmline.ClientID
	q := `SELECT DISTINCT f.client_id FROM (` + find + `) f, (SELECT $1::timestamptz, $2::bigint, $3::bigint, $4::bigint[]) p
		ORDER BY f.client_id`
	if err := tx.SelectContext(ctx, &ids, q, args...); err != nil {
		return nil, err
	}
	return ids, tx.Commit()
}

// sweepStep runs a batch of a step in a transaction of its own and wakes
// the hubs of the organisations it wrote events for.
func (s *Sweeper) sweepStep(ctx context.Context, conn *sqlx.Conn, q string, args []any) (int, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, manyClients); err != nil {
		return 0, err
	}
	var n int
	var orgs pq.Int64Array
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&n, &orgs); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	s.db.wakes.wake(wakeOrgs(orgs))
	return n, nil
}

// Run sweeps every interval until ctx ends, logging failures.
func (s *Sweeper) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := s.Sweep(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("rules sweep failed", "err", err)
		case res.Events > 0:
			s.log.Info("rules sweep", "events", res.Events, "took", res.Duration)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
