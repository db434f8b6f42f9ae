package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/warmline"
)

// appendEvent writes one event in tx, the transaction of the change it
// describes (transactional outbox). The sequence number comes from the
// organisation row, which stays locked until commit: events of one
// organisation are numbered in commit order with no gaps, so a browser that
// resumes from sequence N misses nothing. The cost is that writes of one
// organisation serialise on that row at commit time.
func appendEvent(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, typ string, data any) (int64, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return 0, fmt.Errorf("encode %s event: %w", typ, err)
	}
	var seq int64
	const q = `
		WITH next AS (UPDATE organisations SET event_seq = event_seq + 1 WHERE id = $1 RETURNING event_seq)
		INSERT INTO events (org_id, seq, type, data) SELECT $1, event_seq, $2, $3 FROM next RETURNING seq`
	if err := tx.GetContext(ctx, &seq, q, org, typ, string(b)); err != nil {
		return 0, fmt.Errorf("append %s event: %w", typ, err)
	}
	return seq, nil
}

// EventStore reads the event log.
type EventStore struct{ db *DB }

// NewEventStore returns an EventStore on db.
func NewEventStore(db *DB) *EventStore { return &EventStore{db: db} }

// EventsAfter returns up to limit events of the caller's organisation with a
// sequence greater than after, oldest first.
func (s *EventStore) EventsAfter(ctx context.Context, after int64, limit int) ([]*warmline.Event, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	const q = `SELECT org_id, seq, type, data, created_at FROM events WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`
	var evs []*warmline.Event
	if err := s.db.SelectContext(ctx, &evs, q, a.OrgID, after, limit); err != nil {
		return nil, fmt.Errorf("select events after %d: %w", after, err)
	}
	return evs, nil
}
