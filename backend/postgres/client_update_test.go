package postgres_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

// UpdateClient writes over the version it read: edits of different
// fields of one client at the same moment, and moves between them, must
// all land, none undoing another, each event carrying the row as it was
// committed, in the order of its sequence.
func TestClientStore_ConcurrentEditsLoseNothing(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)
	es := postgres.NewEventStore(db)
	stages, err := postgres.NewStageStore(db).FindStages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr("start"), Notes: ptr("start")})
	if err != nil {
		t.Fatal(err)
	}
	from, err := es.LatestSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}

	const rounds = 40
	var wg sync.WaitGroup
	errs := make(chan error, 5*rounds)
	edit := func(field string) {
		defer wg.Done()
		for i := range rounds {
			v := fmt.Sprintf("%s %d", field, i)
			in := warmline.ClientInput{Name: &v}
			if field == "notes" {
				in = warmline.ClientInput{Notes: &v}
			}
			if _, err := cs.UpdateClient(ctx, c.ID, in); err != nil {
				errs <- fmt.Errorf("edit %s: %w", field, err)
			}
		}
	}
	wg.Add(3)
	go edit("name")
	go edit("notes")
	go func() {
		defer wg.Done()
		for i := range rounds / 4 {
			if _, err := cs.MoveClient(ctx, c.ID, stages[1+i%2].ID, ""); err != nil {
				errs <- fmt.Errorf("move: %w", err)
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	evs, err := es.EventsAfter(ctx, from, 10000)
	if err != nil {
		t.Fatal(err)
	}
	prev := *c
	updates := 0
	for _, ev := range evs {
		var got warmline.Client
		switch ev.Type {
		case warmline.EventClientUpdated:
			updates++
			if err := json.Unmarshal(ev.Data, &got); err != nil {
				t.Fatal(err)
			}
		case warmline.EventClientMoved:
			var m struct{ Client warmline.Client }
			if err := json.Unmarshal(ev.Data, &m); err != nil {
				t.Fatal(err)
			}
			got = m.Client
		default:
			continue
		}
		changed := 0
		for _, f := range []bool{got.Name != prev.Name, got.Notes != prev.Notes, got.StageID != prev.StageID} {
			if f {
				changed++
			}
		}
		if changed != 1 || !got.UpdatedAt.After(prev.UpdatedAt) {
			t.Fatalf("event %d (%s) = name %q notes %q stage %d at %s after name %q notes %q stage %d at %s: want one field changed, later",
				ev.Seq, ev.Type, got.Name, got.Notes, got.StageID, got.UpdatedAt.Format(time.RFC3339Nano),
				prev.Name, prev.Notes, prev.StageID, prev.UpdatedAt.Format(time.RFC3339Nano))
		}
		prev = got
	}
	if updates != 2*rounds {
		t.Fatalf("%d client.updated events, want %d", updates, 2*rounds)
	}
	found, err := cs.FindClient(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if found.Name != fmt.Sprintf("name %d", rounds-1) || found.Notes != fmt.Sprintf("notes %d", rounds-1) ||
		found.Name != prev.Name || found.Notes != prev.Notes || found.StageID != prev.StageID || !found.UpdatedAt.Equal(prev.UpdatedAt) {
		t.Fatalf("stored client = %+v, last event's = %+v", found, prev)
	}
}
