package postgres_test

import (
	"context"
	"log/slog"
	"strconv"
	"testing"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
)

// One LISTEN connection serves every subscriber of the process, each gets
// its channel's notifications in order, and one that stops reading loses
// notifications (and is told with a nil) without holding up the others.
func TestListener_OneConnectionForEverySubscriber(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	l := postgres.NewListener(dsn, slog.New(slog.DiscardHandler))
	fast := l.Subscribe(postgres.EventsChannel, 100)
	slow := l.Subscribe(postgres.EventsChannel, 1)
	other := l.Subscribe(postgres.DemoCallInChannel, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); <-l.Done() }()
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var listeners int
	if err := db.Get(&listeners, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`); err != nil {
		t.Fatal(err)
	}
	if listeners != 1 {
		t.Fatalf("%d listening connections, want 1 for three subscribers on two channels", listeners)
	}

	const n = 50
	for i := 1; i <= n; i++ {
		if _, err := db.Exec(`SELECT pg_notify($1, $2)`, postgres.EventsChannel, strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`SELECT pg_notify($1, 'call')`, postgres.DemoCallInChannel); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if got := receive(t, fast); got == nil || got.Extra != strconv.Itoa(i) {
			t.Fatalf("fast subscriber's notification %d: %+v", i, got)
		}
	}
	if got := receive(t, other); got == nil || got.Channel != postgres.DemoCallInChannel || got.Extra != "call" {
		t.Fatalf("other channel's subscriber: %+v", got)
	}
	// The slow one kept the first; the rest did not fit. After it reads,
	// the next notification comes after a nil: "you missed some".
	if got := receive(t, slow); got == nil || got.Extra != "1" {
		t.Fatalf("slow subscriber's first: %+v", got)
	}
	if _, err := db.Exec(`SELECT pg_notify($1, 'after')`, postgres.EventsChannel); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, slow); got != nil {
		t.Fatalf("slow subscriber after its losses: %+v, want nil", got)
	}
	if got := receive(t, fast); got == nil || got.Extra != "after" {
		t.Fatalf("fast subscriber: %+v", got)
	}
	select {
	case got := <-other:
		t.Fatalf("the other channel's subscriber got %+v", got)
	default:
	}
}
