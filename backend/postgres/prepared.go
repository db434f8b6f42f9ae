package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Statements kept prepared on every connection.
//
// The rules engine's incremental path runs about ten statements for one
// client inside the caller's transaction (a call ended, a contact logged).
// Planned afresh each time, planning took most of their time (0.5–2 ms
// each, against a fraction of that to run them), so they are prepared once
// per connection (PREPARE) and run with EXECUTE: Postgres settles on a
// generic plan after a few runs (they find one client by key, so one plan
// fits every call) and stops planning. EXECUTE goes over the simple
// protocol, one round trip, with its arguments written as literals: only
// numbers, times, booleans, arrays of numbers and the engine's own words,
// never text that came from outside.

// A preparedStmt is a statement prepared under a name derived from its text,
// so that a changed statement is prepared anew beside the old one.
type preparedStmt struct {
	name   string
	params string // the parameter types, as PREPARE takes them
	query  string
}

var (
	preparedAll []*preparedStmt
	// preparedSetup is the name of the whole set and the DO block that
	// prepares what a connection lacks, then records the set's name in the
	// session setting wl.prepared (set_config: reverted, unlike the
	// statements, if the transaction rolls back; the block then runs again
	// and prepares nothing twice).
	preparedSetup = sync.OnceValues(func() (name, setup string) {
		h := sha256.New()
		var b strings.Builder
		b.WriteString("DO $wl_prepare$ BEGIN\n")
		for _, p := range preparedAll {
			h.Write([]byte(p.name))
			fmt.Fprintf(&b, "IF NOT EXISTS (SELECT FROM pg_prepared_statements WHERE name = '%s') THEN\n"+
				"EXECUTE $wl_stmt$PREPARE %s (%s) AS %s$wl_stmt$;\nEND IF;\n", p.name, p.name, p.params, p.query)
		}
		name = "wl_set_" + hex.EncodeToString(h.Sum(nil)[:6])
		fmt.Fprintf(&b, "PERFORM set_config('wl.prepared', '%s', false);\nEND $wl_prepare$", name)
		return name, b.String()
	})
)

// prepared registers a statement to keep prepared (at package init).
func prepared(params, query string) *preparedStmt {
	h := sha256.Sum256([]byte(params + "\x00" + query))
	p := &preparedStmt{name: "wl_" + hex.EncodeToString(h[:6]), params: params, query: query}
	preparedAll = append(preparedAll, p)
	return p
}

// ensurePrepared prepares every statement on q's connection unless it has
// them already (one cheap query; the preparing happens once per
// connection).
func ensurePrepared(ctx context.Context, q sqlx.ExtContext) error {
	name, setup := preparedSetup()
	var have string
	if err := q.QueryRowxContext(ctx, `SELECT COALESCE(current_setting('wl.prepared', true), '')`).Scan(&have); err != nil {
		return fmt.Errorf("check prepared statements: %w", err)
	}
	if have == name {
		return nil
	}
	if _, err := q.ExecContext(ctx, setup); err != nil {
		return fmt.Errorf("prepare statements: %w", err)
	}
	return nil
}

// run is the EXECUTE of p with args (on a connection ensurePrepared saw).
func (p *preparedStmt) run(args ...any) string {
	lits := make([]string, len(args))
	for i, a := range args {
		lits[i] = literal(a)
	}
	return "EXECUTE " + p.name + "(" + strings.Join(lits, ", ") + ")"
}

// literal writes an argument of run as SQL. Only the types the engine
// passes are accepted; anything else is a programming error.
func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return pq.QuoteLiteral(v.Format(time.RFC3339Nano))
	case bool:
		return strconv.FormatBool(v)
	case string:
		return pq.QuoteLiteral(v)
	case pq.Int64Array:
		if v == nil {
			return "NULL"
		}
		s, _ := v.Value()
		return pq.QuoteLiteral(s.(string))
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Pointer:
		if r.IsNil() {
			return "NULL"
		}
		return literal(r.Elem().Interface())
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(r.Int(), 10)
	}
	panic(fmt.Sprintf("prepared statement argument of type %T", v))
}
