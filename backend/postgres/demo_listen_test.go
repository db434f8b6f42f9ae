package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/demo"
	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
)

func TestDemoCallIn_ReachesTheListener(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	ctx := context.Background()
	_, err := postgres.DemoOrgID(ctx, db)
	wantCode(t, err, warmline.ENOTFOUND)
	org, _, err := postgres.NewOrganisationStore(db).SignUp(ctx, warmline.SignUp{
		OrgName: "Demo", Name: "Demo admin", Email: demo.Users()[0].Email, Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := postgres.DemoOrgID(ctx, db); err != nil || id != org.ID {
		t.Fatalf("demo org %d %v, want %d", id, err, org.ID)
	}

	got := make(chan postgres.DemoCallIn, 1)
	lctx, cancel := context.WithCancel(ctx)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	listener := postgres.NewListener(dsn, log)
	postgres.ListenDemoCallIns(lctx, listener, log, func(_ context.Context, r postgres.DemoCallIn) { got <- r })
	if err := listener.Start(lctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		<-listener.Done()
	}()

	_, err = postgres.RequestDemoCallIn(ctx, db, postgres.DemoCallIn{OrgID: org.ID, From: "not a number"})
	wantCode(t, err, warmline.EINVALID)
	_, err = postgres.RequestDemoCallIn(ctx, db, postgres.DemoCallIn{OrgID: org.ID + 1000})
	wantCode(t, err, warmline.ENOTFOUND)
	// The listener may not be listening yet: ask until it hears.
	deadline := time.After(10 * time.Second)
	for {
		if _, err := postgres.RequestDemoCallIn(ctx, db, postgres.DemoCallIn{OrgID: org.ID, From: "8 916 123-45-67"}); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-got:
			if r.OrgID != org.ID || r.From != "+79161234567" {
				t.Fatalf("heard %+v", r)
			}
			waitForTheCall(t, db, org.ID)
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("the listener never heard the request")
		}
	}
}

// waitForTheCall: the command that asked tells whether a call appeared.
func waitForTheCall(t *testing.T, db *postgres.DB, org warmline.OrgID) {
	ctx := context.Background()
	last, err := postgres.LastCallID(ctx, db, org)
	if err != nil || last != 0 {
		t.Fatalf("last call %d %v", last, err)
	}
	if id, err := postgres.WaitForInboundCall(ctx, db, org, last, 200*time.Millisecond); id != 0 || err != nil {
		t.Fatalf("no call yet, but got %d %v", id, err)
	}
	cs := postgres.NewCallStore(db)
	cs.StartCall(ctx, &warmline.Call{OrgID: org, Direction: warmline.CallOutbound})
	want, _ := cs.StartCall(ctx, &warmline.Call{OrgID: org, Direction: warmline.CallInbound, From: "+79161234567"})
	if id, err := postgres.WaitForInboundCall(ctx, db, org, last, 5*time.Second); id != want || err != nil {
		t.Fatalf("inbound call %d %v, want %d", id, err, want)
	}
}
