package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

// A calendar change beside agents editing the same clients: neither the
// change nor an edit fails on a deadlock, and the edits do not wait for the
// whole re-evaluation. Before, the engine raised an item for a client being
// edited (waiting for the editor's uncommitted one) while holding clients
// another editor, who held the event counter, was waiting for; and inside
// the change's transaction its steps locked clients after an earlier step
// had taken the counter. Both failed here with "deadlock detected", the
// edits in the first round.
func TestRulesEngine_CalendarChangeBesideClientEdits(t *testing.T) {
	f := newFunnel(t)
	cs := postgres.NewClientStore(f.db)
	rs := postgres.NewRulesStore(f.db)
	rs.Now = func() time.Time { return msk("2026-11-24 12:00") }
	const rounds, perRound, editors = 4, 120, 4
	for round := range rounds {
		ids := make([]warmline.ClientID, perRound)
		for i := range ids {
			name := fmt.Sprintf("Клиент %d-%d", round, i)
			c, err := cs.CreateClient(f.ctx, warmline.ClientInput{Name: &name, OwnerID: &f.admin.ID})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = c.ID
		}
		// Warm since the start of the month with one contact: cooled on
		// the 24th whatever the holidays.
		f.db.MustExec(`UPDATE clients SET stage_id = $2, stage_entered_at = $3, contacts = 1, stage_contacts = 1, last_contact_at = $3
			WHERE id = ANY($1)`, ids, f.stages[3].ID, msk("2026-11-02 10:00"))
		if err := postgres.RefreshCooling(context.Background(), f.db, f.org.ID); err != nil {
			t.Fatal(err)
		}

		stop := make(chan struct{})
		var wg sync.WaitGroup
		var edits, failed atomic.Int64
		var slowest atomic.Int64
		for e := range editors {
			wg.Go(func() {
				for i := e; ; i += editors {
					select {
					case <-stop:
						return
					default:
					}
					notes := fmt.Sprintf("edit %d", i)
					t0 := time.Now()
					if _, err := cs.UpdateClient(f.ctx, ids[i%len(ids)], warmline.ClientInput{Notes: &notes}); err != nil {
						failed.Add(1)
						t.Errorf("edit: %v", err)
						return
					}
					edits.Add(1)
					if d := time.Since(t0).Microseconds(); d > slowest.Load() {
						slowest.Store(d)
					}
				}
			})
		}
		time.Sleep(50 * time.Millisecond)
		t0 := time.Now()
		hol := []warmline.Holiday{{Date: fmt.Sprintf("2026-12-%02d", 10+round), Name: "праздник"}}
		_, err := rs.UpdateCalendar(f.ctx, warmline.CalendarInput{Holidays: &hol})
		took := time.Since(t0)
		time.Sleep(20 * time.Millisecond)
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatalf("round %d: calendar change beside %d edits: %v", round, edits.Load(), err)
		}
		var cooled int
		if err := f.db.Get(&cooled, `SELECT count(*) FROM work_items WHERE client_id = ANY($1) AND kind = 'cooled'`, ids); err != nil {
			t.Fatal(err)
		}
		// A client being edited at that moment is skipped (SKIP LOCKED)
		// and left to the next sweep; the others are raised now.
		if cooled < perRound-editors {
			t.Fatalf("round %d: %d of %d clients in the cooled queue after the change", round, cooled, perRound)
		}
		t.Logf("round %d: change %v, %d edits beside it, slowest %.1f ms, %d cooled", round, took, edits.Load(), float64(slowest.Load())/1000, cooled)
	}
}
