package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/warmline"
)

// appendEvent writes one event in tx, the transaction of the change it
// describes (transactional outbox). The sequence number comes from the
// organisation's row in event_counters, which stays locked until commit: events of one
// organisation are numbered in commit order with no gaps, so a browser that
// resumes from sequence N misses nothing. The cost is that writes of one
// organisation serialise on that row at commit time.
func appendEvent(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, typ string, data any) (int64, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return 0, fmt.Errorf("encode %s event: %w", typ, err)
	}
	var seq int64
	if err := tx.GetContext(ctx, &seq, appendEventSQL, org, typ, string(b)); err != nil {
		return 0, fmt.Errorf("append %s event: %w", typ, err)
	}
	wakeAfterCommit(tx, org)
	return seq, nil
}

// appendEventSQL is one statement, one round trip: the number and the row.
// The hubs of every node are woken after the commit (wake.go); the
// notification carries no data: the events table is the truth, it only
// says where to look.
const appendEventSQL = `
	WITH next AS (UPDATE event_counters SET last_seq = last_seq + 1 WHERE org_id = $1 RETURNING last_seq)
	INSERT INTO events (org_id, seq, type, data) SELECT $1, last_seq, $2, $3 FROM next RETURNING seq`

// stmts prepares statements on a pool, each once, when first asked for: a
// statement run for every event (the hub's busiest write, every hub's read
// of new events) then costs one round trip instead of two, and Postgres
// neither parses nor plans it again. database/sql prepares it on each
// connection of the pool the first time it runs there (in a transaction,
// on the transaction's connection).
//
// Ask for a statement before beginning the transaction that runs it:
// preparing takes a connection of the pool, and a transaction that holds
// one must never wait for another (with the pool full of such
// transactions, none would ever get one).
type stmts struct {
	db *DB
	mu sync.Mutex
	m  map[string]*sqlx.Stmt
}

func newStmts(db *DB) *stmts { return &stmts{db: db, m: map[string]*sqlx.Stmt{}} }

func (s *stmts) prepared(ctx context.Context, q string) (*sqlx.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.m[q]; st != nil {
		return st, nil
	}
	st, err := s.db.PreparexContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	s.m[q] = st
	return st, nil
}

// EventsChannel is the LISTEN/NOTIFY channel on which commits of events
// are announced, with the organisation's id as the payload.
const EventsChannel = "warmline_events"

// EventStore reads the event log.
type EventStore struct {
	db    *DB
	stmts *stmts // EventsAfter runs for every event on every node
}

// NewEventStore returns an EventStore on db.
func NewEventStore(db *DB) *EventStore { return &EventStore{db: db, stmts: newStmts(db)} }

// EventsAfter returns up to limit events of the caller's organisation with a
// sequence greater than after, oldest first.
func (s *EventStore) EventsAfter(ctx context.Context, after int64, limit int) ([]*warmline.Event, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	const q = `SELECT org_id, seq, type, data, created_at FROM events WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`
	var evs []*warmline.Event
	st, err := s.stmts.prepared(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("select events after %d: %w", after, err)
	}
	if err := st.SelectContext(ctx, &evs, a.OrgID, after, limit); err != nil {
		return nil, fmt.Errorf("select events after %d: %w", after, err)
	}
	return evs, nil
}

// LatestSeq returns the sequence of the caller's organisation's last event (0 when none).
func (s *EventStore) LatestSeq(ctx context.Context) (int64, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return 0, err
	}
	return latestSeq(ctx, s.db, a.OrgID)
}

// latestSeq reads an organisation's last event's sequence (0 when none)
// as q sees it. Sequences are given in commit order, so every event up to
// it is visible to q and none after it.
func latestSeq(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID) (int64, error) {
	var seq int64
	if err := sqlx.GetContext(ctx, q, &seq, `SELECT COALESCE(max(seq), 0) FROM events WHERE org_id = $1`, org); err != nil {
		return 0, fmt.Errorf("select latest event: %w", err)
	}
	return seq, nil
}

// AgentsOwnOnly reports the organisation's "agents see only their own
// clients" setting, which decides which events agents receive.
func (s *EventStore) AgentsOwnOnly(ctx context.Context) (bool, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return false, err
	}
	var own bool
	if err := s.db.GetContext(ctx, &own, `SELECT agents_own_only FROM organisations WHERE id = $1`, a.OrgID); err != nil {
		return false, fmt.Errorf("select organisation setting: %w", err)
	}
	return own, nil
}
