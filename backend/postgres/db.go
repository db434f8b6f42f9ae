// Package postgres implements Warmline's services on PostgreSQL with plain
// SQL. Every method reads the caller from the context (warmline.ActorFrom)
// and filters every query on the caller's organisation.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/migrations"
)

// DB is the connection pool shared by the stores.
type DB struct {
	*sqlx.DB
	wakes *waker // NOTIFYs after commits of events (wake.go)
}

// DefaultPoolSize is how many connections a pool opens at most unless
// told otherwise (SetPoolSize).
const DefaultPoolSize = 20

// Open connects to dsn and checks the connection.
func Open(ctx context.Context, dsn string) (*DB, error) {
	sdb, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := &DB{DB: sdb}
	db.wakes = &waker{db: db, stmts: newStmts(db), pending: map[warmline.OrgID]struct{}{}}
	db.SetPoolSize(DefaultPoolSize)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return db, nil
}

// SetPoolSize bounds the pool to n connections and lets it keep all n
// while they are in use: a pool that may open more than it keeps closes
// and reopens backends (a fork and a cold cache each) under every burst.
// Connections idle for 5 minutes are still closed.
func (db *DB) SetPoolSize(n int) {
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
}

// Migrate applies the embedded migrations that are not applied yet. Several
// processes may call it at once: goose takes a Postgres advisory lock.
func (db *DB) Migrate(ctx context.Context) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB.DB, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// inTx runs fn in a transaction, committing when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() // no-op after Commit
	defer takeWakes(tx) // forget them when fn or the commit fails
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", dbError(err))
	}
	db.wakes.wake(takeWakes(tx))
	return nil
}

// inSnapshot runs fn in a read-only transaction that sees one snapshot
// (REPEATABLE READ), so that several reads answer for the same moment: a
// page, its total and the organisation's last event among them.
func (db *DB) inSnapshot(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() // nothing to keep: read-only
	return fn(tx)
}

// dbError turns the Postgres errors a user can cause into Warmline errors,
// in one place: unique violations are conflicts, check and foreign-key
// violations are invalid input. Others pass through as internal errors.
func dbError(err error) error {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505":
		return warmline.Errorf(warmline.ECONFLICT, "This %s already exists.", constraintNoun(pe.Constraint))
	case "23503":
		return warmline.Errorf(warmline.EINVALID, "A referenced record does not exist.")
	case "23514", "22001":
		return warmline.Errorf(warmline.EINVALID, "A value is out of its allowed range.")
	}
	return err
}

func constraintNoun(c string) string {
	switch c {
	case "users_email_key":
		return "e-mail address"
	case "stages_org_name_key":
		return "stage name"
	case "client_phones_pkey":
		return "phone number"
	}
	return "record"
}

// notFound maps sql.ErrNoRows to ENOTFOUND with msg; other errors are wrapped.
func notFound(err error, msg string, action string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return warmline.Errorf(warmline.ENOTFOUND, "%s", msg)
	} else if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return nil
}
