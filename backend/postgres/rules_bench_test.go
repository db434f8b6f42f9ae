package postgres_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
)

// The rules engine's benchmarks (BENCHMARKS.md): a full sweep and the
// incremental evaluation after one call ends, over generated data.
// WL_BENCH_SIZES picks the sizes (comma-separated): 100k (100,000 clients,
// 1,000,000 calls; the default), 1m (1,000,000 clients, 10,000,000 calls;
// takes minutes to generate).
var benchSizes = map[string]struct{ clients, calls int }{
	"10k":  {10_000, 100_000},
	"100k": {100_000, 1_000_000},
	"1m":   {1_000_000, 10_000_000},
}

func rulesBenchSizes() []string {
	v := os.Getenv("WL_BENCH_SIZES")
	if v == "" {
		v = "100k"
	}
	return strings.Split(v, ",")
}

// benchData generates, in a database of its own, 100 organisations with
// the default funnel shape and 10 agents each, and clients spread over
// stages, ages and contact counts (about 1 in 8 open ones at the zombie
// limit), each with calls/clients ended calls. Tables are written
// unlogged (then made logged again) and foreign keys are not checked while
// generating: the data is made consistent by construction.
func benchData(b *testing.B, clients, calls int) *postgres.DB {
	b.Helper()
	db := pgtest.NewDB(b)
	start := time.Now()
	steps := []string{
		`SET session_replication_role = replica`,
		`ALTER TABLE calls SET UNLOGGED`,
		`INSERT INTO organisations (name) SELECT 'Bench org ' || g FROM generate_series(1, 100) g`,
		`INSERT INTO stages (org_id, name, position, kind, cooling_period, cooling_unit, contact_limit)
			SELECT o.id, s.name, s.pos, s.kind, s.period, 'working_days', s.lim FROM organisations o
			CROSS JOIN (VALUES ('New', 1, 'open', 1, 7), ('First contact', 2, 'open', 3, 7), ('Demo', 3, 'open', 3, 7),
				('Warm', 4, 'open', 5, 7), ('Won', 5, 'won', 0, 0), ('Rejected', 6, 'rejected', 0, 0)) AS s(name, pos, kind, period, lim)`,
		`INSERT INTO users (org_id, email, name, role, password_hash)
			SELECT o.id, 'agent' || a || '@org' || o.id || '.bench', 'Agent ' || a, 'agent', 'x' FROM organisations o, generate_series(1, 10) a`,
		fmt.Sprintf(`INSERT INTO clients (org_id, name, owner_id, stage_id, stage_entered_at, last_contact_at, first_contact_at,
				contacts, stage_contacts, created_at)
			WITH o AS (SELECT array_agg(id ORDER BY id) AS ids FROM organisations),
				st AS (SELECT org_id, array_agg(id ORDER BY position) AS ids FROM stages GROUP BY org_id),
				us AS (SELECT org_id, array_agg(id ORDER BY id) AS ids FROM users GROUP BY org_id),
				g AS (SELECT g, o.ids[1 + g %% 100] AS org, now() - make_interval(mins => ((g::bigint * 7919) %% (60 * 24 * 40))::int) AS entered
					FROM generate_series(1, %d) g, o)
			SELECT g.org, 'Client ' || g.g, us.ids[1 + (g.g / 100) %% 10], st.ids[1 + (g.g / 7) %% 6], g.entered,
				CASE WHEN g.g %% 3 > 0 THEN g.entered END, CASE WHEN g.g %% 3 > 0 THEN g.entered END,
				g.g %% 9, (g.g / 3) %% 8, g.entered - interval '1 day'
			FROM g JOIN st ON st.org_id = g.org JOIN us ON us.org_id = g.org`, clients),
		// Deadlines as refreshCooling computes them, for every client at once.
		`WITH k AS MATERIALIZED (SELECT o.id AS org_id, o.time_zone, cal.* FROM organisations o, LATERAL wl_calendar(o.id) cal)
		UPDATE clients c SET (cooling_soon_at, cools_at) = (
			SELECT d.soon_at, d.cools_at FROM wl_deadlines(GREATEST(c.stage_entered_at, c.last_contact_at),
				s.kind, s.cooling_period, s.cooling_unit, s.cooling_soon, s.cooling_soon_percent, k.time_zone,
				k.opens, k.closes, k.holidays) d)
			FROM stages s, k WHERE s.org_id = c.org_id AND s.id = c.stage_id AND k.org_id = c.org_id`,
		fmt.Sprintf(`INSERT INTO calls (org_id, direction, agent_id, client_id, status, created_at, answered_at, ended_at, outcome)
			SELECT c.org_id, 'outbound', c.owner_id, c.id, 'ended', t - interval '2 minutes',
				CASE WHEN k %% 3 > 0 THEN t - interval '1 minute' END, t, CASE WHEN k %% 3 > 0 THEN 'answered' ELSE 'no_answer' END
			FROM clients c, generate_series(1, %d) k, LATERAL (SELECT c.created_at - make_interval(hours => k) AS t) x`, max(1, calls/clients)),
		`ALTER TABLE calls SET LOGGED`,
		`SET session_replication_role = origin`,
		`ANALYZE`,
	}
	conn, err := db.Connx(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	for _, q := range steps {
		t0 := time.Now()
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			b.Fatalf("generate: %v\n%s", err, q)
		}
		if d := time.Since(t0); d > 5*time.Second {
			b.Logf("generate: %.1f s for %.60s...", d.Seconds(), strings.Join(strings.Fields(q), " "))
		}
	}
	b.Logf("generated %d clients and %d calls in %.1f s", clients, calls, time.Since(start).Seconds())
	return db
}

// BenchmarkRules measures, per size, on one generated database:
//
//   - sweep: the periodic sweep over every client of every organisation.
//     The first sweep (reported as first-s, first-events) raises every work
//     item the generated data calls for; each timed one runs a minute later
//     than the last, as in production.
//   - call-ended: the incremental evaluation after one call ends —
//     recordCallContact in its own transaction (counting the contact,
//     re-timing the client, running every rule on it) on random clients;
//     p95-ms is its 95th percentile.
func BenchmarkRules(b *testing.B) {
	for _, size := range rulesBenchSizes() {
		sz, ok := benchSizes[size]
		if !ok {
			b.Fatalf("WL_BENCH_SIZES: unknown size %q", size)
		}
		b.Run(fmt.Sprintf("clients=%d/calls=%d", sz.clients, sz.calls), func(b *testing.B) {
			db := benchData(b, sz.clients, sz.calls)
			b.Run("sweep", func(b *testing.B) { benchSweep(b, db) })
			b.Run("call-ended", func(b *testing.B) { benchCallEnded(b, db) })
		})
	}
}

func benchSweep(b *testing.B, db *postgres.DB) {
	sw := postgres.NewSweeper(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	now := time.Now()
	sw.Now = func() time.Time { return now }
	first, err := sw.Sweep(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		now = now.Add(time.Minute)
		if _, err := sw.Sweep(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	// Reported after the loop: b.Loop resets what came before it.
	b.ReportMetric(first.Duration.Seconds(), "first-s")
	b.ReportMetric(float64(first.Events), "first-events")
}

func benchCallEnded(b *testing.B, db *postgres.DB) {
	var ids []int64
	if err := db.Select(&ids, `SELECT id FROM clients ORDER BY random() LIMIT 2000`); err != nil {
		b.Fatal(err)
	}
	var durations []time.Duration
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		b.StopTimer()
		var call struct {
			ID  warmline.CallID `db:"id"`
			Org warmline.OrgID  `db:"org_id"`
		}
		const q = `INSERT INTO calls (org_id, direction, agent_id, client_id, status, created_at, answered_at, ended_at, outcome)
			SELECT org_id, 'outbound', owner_id, id, 'ended', now() - interval '3 minutes', now() - interval '2 minutes', now(), 'answered'
			FROM clients WHERE id = $1 RETURNING id, org_id`
		if err := db.Get(&call, q, ids[r.IntN(len(ids))]); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if err := postgres.RecordCallContact(context.Background(), db, call.Org, call.ID); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(t0))
	}
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
}
