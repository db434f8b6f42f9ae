package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
)

var orgCounter atomic.Int64

// newOrg signs up a fresh organisation and returns a context acting as its admin.
func newOrg(t *testing.T, db *postgres.DB) (context.Context, *warmline.Organisation, *warmline.User) {
	t.Helper()
	n := orgCounter.Add(1)
	org, admin, err := postgres.NewOrganisationStore(db).SignUp(context.Background(), warmline.SignUp{
		OrgName: fmt.Sprintf("Org %d", n), Name: "Admin", Email: fmt.Sprintf("admin%d-%s@example.com", n, t.Name()[:min(len(t.Name()), 20)]),
		Password: "long enough password",
	})
	if err != nil {
		t.Fatalf("sign up: %v", err)
	}
	return as(admin), org, admin
}

func as(u *warmline.User) context.Context {
	return warmline.WithActor(context.Background(), warmline.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role})
}

func newUser(t *testing.T, db *postgres.DB, adminCtx context.Context, role warmline.Role) *warmline.User {
	t.Helper()
	n := orgCounter.Add(1)
	u, err := postgres.NewUserStore(db).CreateUser(adminCtx, warmline.NewUser{
		Email: fmt.Sprintf("user%d@example.com", n), Name: fmt.Sprintf("User %d", n), Role: role, Password: "long enough password"})
	if err != nil {
		t.Fatalf("create %s: %v", role, err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := warmline.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func testDB(t *testing.T) *postgres.DB { return pgtest.NewDB(t) }

// waitFor polls cond every 10 ms until it holds, failing the test after d.
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// receive is the next notification on ch (nil: some were missed),
// failing the test after 5 s without one.
func receive(t *testing.T, ch <-chan *pq.Notification) *pq.Notification {
	t.Helper()
	select {
	case n := <-ch:
		return n
	case <-time.After(5 * time.Second):
		t.Fatal("no notification in 5 s")
		return nil
	}
}
