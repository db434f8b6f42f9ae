package postgres

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/warmline"
)

// Test access to the rules engine's internals.

// PinEngineClock sets the clock of the engine's incremental runs and
// returns a function that puts it back.
func PinEngineClock(now func() time.Time) func() {
	old := engineNow
	engineNow = now
	return func() { engineNow = old }
}

// Evaluate runs the engine over some clients of an organisation at now.
func Evaluate(ctx context.Context, db *DB, now time.Time, org warmline.OrgID, clients ...warmline.ClientID) (n int, err error) {
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err = evaluate(ctx, tx, now, scope{org: org, clients: clients})
		return err
	})
	return n, err
}

// RecordCallContact runs recordCallContact in a transaction of its own.
func RecordCallContact(ctx context.Context, db *DB, org warmline.OrgID, call warmline.CallID) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		k, err := lockCallContact(ctx, tx, org, call)
		if err != nil {
			return err
		}
		return recordCallContact(ctx, tx, org, call, k)
	})
}

// RefreshCooling re-times an organisation's clients.
func RefreshCooling(ctx context.Context, db *DB, org warmline.OrgID) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error { return refreshCooling(ctx, tx, org, coolingFilter{}) })
}
