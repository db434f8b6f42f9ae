package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
)

// An organisation's events are numbered on a counter row of their own
// (migration 0009): an organisation however created has one, it goes with
// the organisation, and a change to the organisation's own row (its
// settings, held until its transaction ends) does not hold up the events
// of its other writers.
func TestEventCounter(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx, org, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)
	c, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr("Борис")})
	if err != nil {
		t.Fatal(err)
	}

	// Settings held in an open transaction; a client edit still commits.
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE organisations SET agents_own_only = NOT agents_own_only WHERE id = $1`, org.ID); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := cs.UpdateClient(wctx, c.ID, warmline.ClientInput{Notes: ptr("while settings change")}); err != nil {
		t.Fatalf("client edit while the organisation's row is held: %v", err)
	}
	tx.Rollback()

	var last, maxSeq, n int64
	if err := db.QueryRow(`SELECT (SELECT last_seq FROM event_counters WHERE org_id = $1),
		(SELECT max(seq) FROM events WHERE org_id = $1), (SELECT count(*) FROM events WHERE org_id = $1)`, org.ID).Scan(&last, &maxSeq, &n); err != nil {
		t.Fatal(err)
	}
	if last != maxSeq || n != maxSeq || n < 2 {
		t.Fatalf("counter %d, last event %d, events %d: want the counter at the last of 1..n", last, maxSeq, n)
	}

	// An organisation inserted by hand has its counter at 0; deleting it
	// deletes the counter.
	var id int64
	if err := db.QueryRow(`INSERT INTO organisations (name) VALUES ('by hand') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT last_seq FROM event_counters WHERE org_id = $1`, id).Scan(&last); err != nil || last != 0 {
		t.Fatalf("counter of a new organisation: %d, %v", last, err)
	}
	if _, err := db.Exec(`DELETE FROM organisations WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM event_counters WHERE org_id = $1`, id).Scan(&n); err != nil || n != 0 {
		t.Fatalf("counters left after deleting the organisation: %d, %v", n, err)
	}
}
