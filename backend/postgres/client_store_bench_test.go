package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
)

// fillClients inserts n clients straight in SQL (the benchmark measures
// reads, not n round trips of CreateClient), spread over the funnel with
// phones and cooling deadlines, and their phone index rows.
func fillClients(b *testing.B, db *postgres.DB, org warmline.OrgID, n int) {
	b.Helper()
	const q = `
		WITH st AS (SELECT array_agg(id ORDER BY position) AS ids FROM stages WHERE org_id = $1),
		ins AS (
			INSERT INTO clients (org_id, name, company, phones, phone_digits, email, channel, stage_id, stage_entered_at)
			SELECT $1, 'Клиент ' || g, 'ООО Компания ' || (g % 997), jsonb_build_array('+7903' || lpad(g::text, 7, '0')),
				' 7903' || lpad(g::text, 7, '0') || ' 903' || lpad(g::text, 7, '0') || ' ', 'c' || g || '@example.com',
				(ARRAY['Сайт', 'Яндекс.Директ', 'Рекомендация'])[1 + g % 3], st.ids[1 + g % 6], now() - (g % 30) * interval '1 day'
			FROM generate_series(1, $2) g, st
			RETURNING id, phones->>0 AS phone)
		INSERT INTO client_phones (org_id, phone, client_id) SELECT $1, phone, id FROM ins`
	if _, err := db.Exec(q, org, n); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE clients c SET (cooling_soon_at, cools_at) = (SELECT d.soon_at, d.cools_at FROM wl_cooling_deadlines(c.stage_entered_at, s.kind, s.cooling_period, s.cooling_soon, s.cooling_unit, 'Europe/Moscow') d) FROM stages s WHERE s.id = c.stage_id AND c.org_id = $1`, org); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE clients; ANALYZE client_phones`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFindClients measures the client list's queries against one
// organisation of growing size. "ping" is the baseline: a trivial round trip
// on the same pool, so the ratio of each query to it holds across machines.
func BenchmarkFindClients(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			db := pgtest.NewDB(b)
			org, admin, err := postgres.NewOrganisationStore(db).SignUp(context.Background(), warmline.SignUp{
				OrgName: "Bench", Name: "Admin", Email: "bench@example.com", Password: "long enough password"})
			if err != nil {
				b.Fatal(err)
			}
			fillClients(b, db, org.ID, n)
			ctx := as(admin)
			cs := postgres.NewClientStore(db)
			cases := []struct {
				name string
				f    warmline.ClientFilter
			}{
				{"first page", warmline.ClientFilter{}},
				{"name search", warmline.ClientFilter{Query: "компания 42"}},
				{"phone typed nationally", warmline.ClientFilter{Query: "8 (903) 000-05-55"}},
				{"partial phone", warmline.ClientFilter{Query: "000 055"}},
				{"cooled in a stage", warmline.ClientFilter{Cooling: warmline.CoolingCooled, StageID: 4}},
				{"last page by name", warmline.ClientFilter{Sort: "name", Page: n / 50}},
			}
			b.Run("ping", func(b *testing.B) {
				for b.Loop() {
					if err := db.PingContext(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					f := c.f
					f.PerPage = 50
					if f.Page == 0 {
						f.Page = 1
					}
					for b.Loop() {
						if _, err := cs.FindClients(ctx, f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
