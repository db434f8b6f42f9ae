package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lib/pq"
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

// Sweeper runs the rules engine over every client of every organisation as
// time passes (cooling, callbacks falling due, after-call defaults).
type Sweeper struct {
	db  *DB
	log *slog.Logger
	// Now is the sweep's clock (tests pin it).
	Now func() time.Time
}

// NewSweeper returns a Sweeper on db.
func NewSweeper(db *DB, log *slog.Logger) *Sweeper {
	return &Sweeper{db: db, log: log, Now: time.Now}
}

// SweepResult says what one sweep did.
type SweepResult struct {
	// Skipped: another process held the sweep lock.
	Skipped bool
	// Events is the number of events written (0 when nothing changed).
	Events   int
	Duration time.Duration
	// LongestTx is the longest of the sweep's writing transactions: the
	// longest time it held the row locks it took (among them the event
	// counters of the organisations it wrote events for).
	LongestTx time.Duration
}

// Sweep evaluates every client once, unless another process is sweeping.
// Each step is one set-based statement in its own transaction, so a step
// holds its row locks only briefly and locks clients before organisations,
// as the API's writes do; a step that loses a deadlock is retried by the
// next sweep, and every step is idempotent.
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
	now := s.Now()
	res := SweepResult{}
	args := scope{}.args(now)
	for _, st := range engineSteps {
		t0 := time.Now()
		n, err := sweepStep(ctx, conn, st.sql, args)
		res.LongestTx = max(res.LongestTx, time.Since(t0))
		if err != nil {
			var pe *pq.Error
			if errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001") {
				s.log.Warn("rules sweep step lost a lock race; the next sweep retries it", "step", st.name)
				continue
			}
			return res, fmt.Errorf("rules sweep, %s: %w", st.name, err)
		}
		res.Events += n
		if n >= analyzeAfter {
			if _, err := conn.ExecContext(ctx, `ANALYZE work_items`); err != nil {
				return res, fmt.Errorf("rules sweep, analyze after %s: %w", st.name, err)
			}
		}
	}
	res.Duration = time.Since(start)
	return res, nil
}

func sweepStep(ctx context.Context, conn interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, q string, args []any) (int, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, manyClients); err != nil {
		return 0, err
	}
	var n, orgs int
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&n, &orgs); err != nil {
		return 0, err
	}
	return n, tx.Commit()
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
