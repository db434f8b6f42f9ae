package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

func TestSessionStore_LoginRotatesAndThrottles(t *testing.T) {
	db := testDB(t)
	_, _, admin := newOrg(t, db)
	s := postgres.NewSessionStore(db, time.Hour)
	ctx := context.Background()

	_, first, err := s.Login(ctx, admin.Email, "long enough password", "10.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := s.Login(ctx, " "+admin.Email+" ", "long enough password", "10.0.0.1", first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, first); warmline.ErrorCode(err) != warmline.EUNAUTHORIZED {
		t.Fatalf("the session replaced at login still works: %v", err)
	}
	if u, err := s.Authenticate(ctx, second); err != nil || u.ID != admin.ID {
		t.Fatalf("new session: %v", err)
	}

	for i := 0; i < postgres.AccountFailures; i++ {
		_, _, err := s.Login(ctx, admin.Email, "wrong password!", "10.0.0.2", "")
		wantCode(t, err, warmline.EUNAUTHORIZED)
	}
	_, _, err = s.Login(ctx, admin.Email, "long enough password", "10.0.0.3", "")
	wantCode(t, err, warmline.ETOOMANY)

	if err := s.Logout(ctx, second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, second); warmline.ErrorCode(err) != warmline.EUNAUTHORIZED {
		t.Fatalf("a logged-out session still works: %v", err)
	}
}

func TestSessionStore_DeactivatedUserIsLoggedOut(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	s := postgres.NewSessionStore(db, time.Hour)
	_, token, err := s.Login(context.Background(), agent.Email, "long enough password", "10.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.NewUserStore(db).UpdateUser(ctx, agent.ID, warmline.UserUpdate{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(context.Background(), token); warmline.ErrorCode(err) != warmline.EUNAUTHORIZED {
		t.Fatalf("a deactivated user's session still works: %v", err)
	}
	_, _, err = s.Login(context.Background(), agent.Email, "long enough password", "10.0.0.1", "")
	wantCode(t, err, warmline.EUNAUTHORIZED)
}
