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

// The live hub re-checks its connections' sessions in one query: only
// sessions Authenticate accepts are live, and they are extended as
// Authenticate extends them.
func TestSessionStore_LiveSessions(t *testing.T) {
	db := testDB(t)
	ctx, _, admin := newOrg(t, db)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	s := postgres.NewSessionStore(db, time.Hour)
	bg := context.Background()
	open := func(u *warmline.User) string {
		token, err := s.OpenFor(bg, u, "")
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	valid, stale, loggedOut, expired, deactivated := open(admin), open(admin), open(admin), open(admin), open(agent)
	if err := s.Logout(bg, loggedOut); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.NewUserStore(db).UpdateUser(ctx, agent.ID, warmline.UserUpdate{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	// stale: last seen two minutes ago, expiring in ten; expired: gone a second ago.
	for _, set := range []struct {
		token, sql string
	}{
		{stale, `last_seen_at = now() - interval '2 minutes', expires_at = now() + interval '10 minutes'`},
		{expired, `expires_at = now() - interval '1 second'`},
	} {
		res, err := db.Exec(`UPDATE sessions SET `+set.sql+` WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, set.token)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("set session: %d rows, want 1", n)
		}
	}

	live, err := s.LiveSessions(bg, []string{valid, stale, loggedOut, expired, deactivated, "not a token", ""})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{valid: true, stale: true}
	if len(live) != len(want) || !live[valid] || !live[stale] {
		t.Fatalf("live sessions = %v, want only the valid and the stale one", live)
	}
	var left time.Duration
	if err := db.Get(&left, `SELECT EXTRACT(EPOCH FROM expires_at - now())::bigint * 1000000000 FROM sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, stale); err != nil {
		t.Fatal(err)
	}
	if left < 59*time.Minute {
		t.Fatalf("the stale session expires in %s, want it extended to an hour", left)
	}
	for _, tok := range []string{valid, stale} {
		if _, err := s.Authenticate(bg, tok); err != nil {
			t.Fatalf("a live session no longer authenticates: %v", err)
		}
	}
}
