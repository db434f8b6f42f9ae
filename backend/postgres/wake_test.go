package postgres_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
)

// The hubs are woken after a commit of events, for each organisation that
// committed some, and never for a transaction that failed.
func TestWakeAfterCommit(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	l := pq.NewListener(dsn, 10*time.Millisecond, time.Second, nil)
	defer l.Close()
	if err := l.Listen(postgres.EventsChannel); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	orgs := make([]warmline.OrgID, 60)
	for i := range orgs {
		_, org, _ := newOrg(t, db)
		orgs[i] = org.ID
	}
	drain(l)

	// A failed transaction: no wake-up, nothing left recorded.
	failed := errors.New("changed my mind")
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := postgres.AppendEvent(ctx, tx, orgs[0], warmline.EventClientUpdated, map[string]int{"n": 1}); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatal(err)
	}
	select {
	case n := <-l.Notify:
		t.Fatalf("woken after a failed transaction: %+v", n)
	case <-time.After(300 * time.Millisecond):
	}

	// One transaction, two organisations, three events: each woken once.
	if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, o := range []warmline.OrgID{orgs[1], orgs[1], orgs[2]} {
			if _, err := postgres.AppendEvent(ctx, tx, o, warmline.EventClientUpdated, map[string]int{"n": 2}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for len(got) < 2 {
		got[wait(t, l).Extra]++
	}
	if got[strconv.FormatInt(int64(orgs[1]), 10)] != 1 || got[strconv.FormatInt(int64(orgs[2]), 10)] != 1 {
		t.Fatalf("woken: %v, want organisations %d and %d once each", got, orgs[1], orgs[2])
	}

	// Commits side by side: every organisation is woken.
	var wg sync.WaitGroup
	for _, o := range orgs[3:] {
		wg.Go(func() {
			if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
				_, err := postgres.AppendEvent(ctx, tx, o, warmline.EventClientUpdated, map[string]int{"n": 3})
				return err
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	woken := map[string]bool{}
	for len(woken) < len(orgs)-3 {
		woken[wait(t, l).Extra] = true
	}
	for _, o := range orgs[3:] {
		if !woken[strconv.FormatInt(int64(o), 10)] {
			t.Fatalf("organisation %d not woken (woken: %v)", o, woken)
		}
	}
	if n := postgres.PendingTxWakes(); n != 0 {
		t.Fatalf("%d transactions' wake-ups left recorded", n)
	}
}

// wait is the listener's next notification (receive), never a reconnect.
func wait(t *testing.T, l *pq.Listener) *pq.Notification {
	t.Helper()
	n := receive(t, l.Notify)
	if n == nil {
		t.Fatal("listener reconnected")
	}
	return n
}

func drain(l *pq.Listener) {
	for {
		select {
		case <-l.Notify:
		case <-time.After(200 * time.Millisecond):
			return
		}
	}
}
