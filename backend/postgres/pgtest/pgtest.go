// Package pgtest gives tests a fresh, migrated Postgres database of their own.
//
// It needs DATABASE_URL to point at a server where the user may create
// databases (`make test` starts a throw-away one). Without it a test skips,
// except under CI, where it fails: a green CI run must mean the database
// tests ran.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/migrations"
)

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// NewDB returns a connection to a new database, migrated, that is dropped
// when the test ends.
func NewDB(t testing.TB) *postgres.DB {
	t.Helper()
	db, _ := NewDBURL(t)
	return db
}

// NewDBURL is NewDB that also returns the database's URL, for tests that
// start a server process of their own.
func NewDBURL(t testing.TB) (*postgres.DB, string) {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("DATABASE_URL is not set under CI: database tests must run (make test starts Postgres)")
		}
		t.Skip("DATABASE_URL is not set; run `make test` or point it at a Postgres server")
	}
	ctx := context.Background()
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatalf("open %s: %v", redact(base), err)
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("Postgres at %s is not reachable: %v", redact(base), err)
	}
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(ctx, admin, base) })
	if templateErr != nil {
		t.Fatalf("prepare template database: %v", templateErr)
	}

	name := "wl_test_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, templateName)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	dsn := withDatabase(base, name)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		a, err := sqlx.Open("postgres", base)
		if err != nil {
			return
		}
		defer a.Close()
		if _, err := a.ExecContext(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return db, dsn
}

// ensureTemplate creates, once per migration set, a migrated database that
// test databases are copied from (a copy takes milliseconds; migrating
// each one would not). An advisory lock keeps parallel test binaries from
// building it twice.
func ensureTemplate(ctx context.Context, admin *sqlx.DB, base string) (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "wl_template_" + sum[:12]
	conn, err := admin.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(727001)`); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(727001)`)

	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_new"
	conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	db, err := postgres.Open(ctx, withDatabase(base, building))
	if err != nil {
		return "", err
	}
	err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return "", err
	}
	// Renamed only when complete, so a crash mid-way never leaves a half-migrated template.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name)); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "(unparseable DATABASE_URL)"
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
