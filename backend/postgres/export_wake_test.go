package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/warmline"
)

// Test access to the wake-ups after commit.

// InTx runs fn as the stores run their writes (DB.inTx).
func (db *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error { return db.inTx(ctx, fn) }

// AppendEvent appends an event in tx as the stores do.
func AppendEvent(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, typ string, data any) (int64, error) {
	return appendEvent(ctx, tx, org, typ, data)
}

// PendingTxWakes is how many transactions have wake-ups recorded and not
// yet taken: none once every transaction has ended.
func PendingTxWakes() int {
	txWakes.Lock()
	defer txWakes.Unlock()
	return len(txWakes.m)
}
