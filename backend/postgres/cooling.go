package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/warmline"
)

// coolingFilter says which clients' cooling deadlines to recompute: the
// given clients, a whole stage, or (both zero) the whole organisation.
type coolingFilter struct {
	clients []warmline.ClientID
	stage   warmline.StageID
}

// refreshCooling recomputes, in one set-based statement, when clients show
// as cooling soon and when they cool, from their last touch (the later of
// entering the stage and the last contact), their stage's settings and the
// organisation's working calendar (wl_deadlines, migration 0006). It runs
// in the transaction of whatever changed one of those inputs, and rewrites
// only the clients whose deadlines change: a holiday next year or a new
// period on a small stage moves a few of an organisation's clients, and
// every rewritten row costs a new version and an entry in each index.
func refreshCooling(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, f coolingFilter) error {
	ids := clientIDArray(f.clients)
	const q = `
		UPDATE clients c SET cooling_soon_at = n.soon_at, cools_at = n.cools_at
		FROM (SELECT c.id, d.soon_at, d.cools_at
			FROM clients c JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id
			JOIN organisations o ON o.id = c.org_id, wl_calendar($1) k,
			LATERAL wl_deadlines(GREATEST(c.stage_entered_at, c.last_contact_at),
				s.kind, s.cooling_period, s.cooling_unit, s.cooling_soon, s.cooling_soon_percent, o.time_zone,
				k.opens, k.closes, k.holidays) d
			WHERE c.org_id = $1 AND c.deleted_at IS NULL
				AND ($2::bigint[] IS NULL OR c.id = ANY($2)) AND ($3::bigint = 0 OR c.stage_id = $3)
				AND (c.cooling_soon_at, c.cools_at) IS DISTINCT FROM (d.soon_at, d.cools_at)) n
		WHERE c.org_id = $1 AND c.id = n.id`
	if _, err := tx.ExecContext(ctx, q, org, ids, f.stage); err != nil {
		return fmt.Errorf("refresh cooling of organisation %d: %w", org, err)
	}
	return nil
}

// clientIDArray is ids as a bigint[] parameter; nil stays NULL (all clients).
func clientIDArray(ids []warmline.ClientID) any {
	if ids == nil {
		return nil
	}
	a := make(pq.Int64Array, len(ids))
	for i, id := range ids {
		a[i] = int64(id)
	}
	return a
}
