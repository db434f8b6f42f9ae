package postgres_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
)

// The rules engine's benchmarks (BENCHMARKS.md): a full sweep and the
// incremental evaluation after one call ends, over generated data.
// WL_BENCH_SIZES picks the sizes (comma-separated): 10k, 100k (100,000
// clients, 1,000,000 calls; the default), 1m (1,000,000 clients,
// 10,000,000 calls; about 21 minutes to generate here, see WL_BENCH_KEEP).
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
//
// With WL_BENCH_KEEP=1 the generated data is kept, per size and generator,
// in a database of its own on DATABASE_URL's server (wl_bench_rules_…,
// generated on the first run) and every run works on a fresh copy of it
// (CREATE DATABASE … TEMPLATE, then the migrations not yet applied to it),
// so that the first sweep still meets data that was never swept, without
// paying the generation each time. Drop the wl_bench_rules_ databases to
// start over.
func benchData(b *testing.B, clients, calls int, shape string) *postgres.DB {
	b.Helper()
	steps := benchSteps(clients, calls, shape)
	if os.Getenv("WL_BENCH_KEEP") == "" {
		db := pgtest.NewDB(b)
		generate(b, db, steps)
		return db
	}
	h := sha256.Sum256([]byte(strings.Join(steps, ";")))
	kept := fmt.Sprintf("wl_bench_rules_%d_%s", clients, hex.EncodeToString(h[:])[:10])
	base := os.Getenv("DATABASE_URL")
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var exists bool
	if err := admin.Get(&exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, kept); err != nil {
		b.Fatal(err)
	}
	if !exists {
		db, dsn := pgtest.NewDBURL(b)
		generate(b, db, steps)
		db.Close()
		name := strings.TrimPrefix(mustParse(b, dsn).Path, "/")
		// Renamed only when complete: an interrupted generation is not kept.
		if _, err := admin.Exec(fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, name, kept)); err != nil {
			b.Fatal(err)
		}
	}
	name := fmt.Sprintf("wl_bench_run_%d", time.Now().UnixNano())
	t0 := time.Now()
	if _, err := admin.Exec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, kept)); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		a, err := sqlx.Open("postgres", base)
		if err == nil {
			a.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
			a.Close()
		}
	})
	u := mustParse(b, base)
	u.Path = "/" + name
	db, err := postgres.Open(context.Background(), u.String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("copied the kept data %s in %.1f s", kept, time.Since(t0).Seconds())
	return db
}

func mustParse(b *testing.B, dsn string) *url.URL {
	u, err := url.Parse(dsn)
	if err != nil {
		b.Fatal(err)
	}
	return u
}

// benchSteps are the statements that generate the data of a shape.
func benchSteps(clients, calls int, shape string) []string {
	// The organisations are made with triggers off (replica), so the
	// default calendar that a trigger gives every new organisation is
	// written here; "no-calendar" is the data as generated until that was
	// seen: organisations without working days, on which nobody ever
	// cools (every deadline is null) and the first sweep raises zombies only.
	var calendar []string
	if shape == "calendar" {
		calendar = []string{`INSERT INTO working_hours (org_id, isodow, opens, closes)
			SELECT o.id, d, '09:00', '18:00' FROM organisations o, generate_series(1, 5) d`}
	}
	return slices.Concat([]string{
		`SET session_replication_role = replica`,
		`ALTER TABLE calls SET UNLOGGED`,
		`INSERT INTO organisations (name) SELECT 'Bench org ' || g FROM generate_series(1, 100) g`,
	}, calendar, []string{
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
	})
}

func generate(b *testing.B, db *postgres.DB, steps []string) {
	start := time.Now()
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
	b.Logf("generated in %.1f s", time.Since(start).Seconds())
}

// The data's shapes: WL_BENCH_SHAPES picks them (comma-separated;
// default both). "calendar": the default Mon–Fri 09–18 calendar, so that
// the clients past their cooling period (most open ones: last touched 0–40
// days ago against periods of 1–5 working days) are cooled on the first
// sweep. "no-calendar": organisations without working days, the data the
// figures before 2026-11-27 were measured on (see benchSteps).
func rulesBenchShapes() []string {
	v := os.Getenv("WL_BENCH_SHAPES")
	if v == "" {
		v = "calendar,no-calendar"
	}
	return strings.Split(v, ",")
}

// BenchmarkRules measures, per size and shape, on one generated database:
//
//   - sweep: the periodic sweep over every client of every organisation.
//     The first sweep (reported as first-s, first-events) raises every work
//     item the generated data calls for (first-longest-tx-s: its longest
//     transaction, which holds the event counters of the organisations it
//     writes events for until it commits); each timed one runs a minute later
//     than the last, as in production.
//   - call-ended: the incremental evaluation after one call ends —
//     recordCallContact in its own transaction (counting the contact,
//     re-timing the client, running every rule on it) on random clients;
//     p95-ms is its 95th percentile.
//
// The clock starts when the data was generated (a kept copy is as old as
// it was then, not older).
func BenchmarkRules(b *testing.B) {
	for _, size := range rulesBenchSizes() {
		sz, ok := benchSizes[size]
		if !ok {
			b.Fatalf("WL_BENCH_SIZES: unknown size %q", size)
		}
		for _, shape := range rulesBenchShapes() {
			if shape != "calendar" && shape != "no-calendar" {
				b.Fatalf("WL_BENCH_SHAPES: unknown shape %q", shape)
			}
			b.Run(fmt.Sprintf("clients=%d/calls=%d/%s", sz.clients, sz.calls, shape), func(b *testing.B) {
				db := benchData(b, sz.clients, sz.calls, shape)
				var now time.Time
				if err := db.Get(&now, `SELECT max(created_at) FROM organisations`); err != nil {
					b.Fatal(err)
				}
				b.Run("sweep", func(b *testing.B) { benchSweep(b, db, now) })
				b.Run("call-ended", func(b *testing.B) { benchCallEnded(b, db, now.Add(time.Hour)) })
			})
		}
	}
}

func benchSweep(b *testing.B, db *postgres.DB, now time.Time) {
	// WL_BENCH_STEPS=1 logs each step of each sweep (slog debug, stderr).
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("WL_BENCH_STEPS") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	sw := postgres.NewSweeper(db, log)
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
	// The baseline, in the same run: one scan of every client (what any
	// sweep over all of them costs at least).
	b.StopTimer()
	t0 := time.Now()
	if _, err := db.Exec(`SELECT count(*) FROM clients WHERE deleted_at IS NULL`); err != nil {
		b.Fatal(err)
	}
	scan := time.Since(t0)
	// Reported after the loop: b.Loop resets what came before it.
	b.ReportMetric(first.Duration.Seconds(), "first-s")
	b.ReportMetric(float64(first.Events), "first-events")
	b.ReportMetric(first.LongestTx.Seconds(), "first-longest-tx-s")
	b.ReportMetric(scan.Seconds()*1000, "scan-ms")
}

func benchCallEnded(b *testing.B, db *postgres.DB, now time.Time) {
	start := time.Now()
	clock := func() time.Time { return now.Add(time.Since(start)) }
	defer postgres.PinEngineClock(clock)()
	var ids []int64
	if err := db.Select(&ids, `SELECT id FROM clients ORDER BY random() LIMIT 2000`); err != nil {
		b.Fatal(err)
	}
	var durations, pings []time.Duration
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		b.StopTimer()
		var call struct {
			ID  warmline.CallID `db:"id"`
			Org warmline.OrgID  `db:"org_id"`
		}
		const q = `INSERT INTO calls (org_id, direction, agent_id, client_id, status, created_at, answered_at, ended_at, outcome)
			SELECT org_id, 'outbound', owner_id, id, 'ended', $2::timestamptz - interval '3 minutes', $2::timestamptz - interval '2 minutes', $2, 'answered'
			FROM clients WHERE id = $1 RETURNING id, org_id`
		if err := db.Get(&call, q, ids[r.IntN(len(ids))], clock()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if err := postgres.RecordCallContact(context.Background(), db, call.Org, call.ID); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(t0))
		// The baseline, in the same run: one round trip to Postgres.
		b.StopTimer()
		t1 := time.Now()
		if _, err := db.Exec(`SELECT 1`); err != nil {
			b.Fatal(err)
		}
		pings = append(pings, time.Since(t1))
		b.StartTimer()
	}
	p95 := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)*95/100].Microseconds()) / 1000
	}
	b.ReportMetric(p95(durations), "p95-ms")
	b.ReportMetric(p95(pings), "ping-p95-ms")
}
