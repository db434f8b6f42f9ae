package postgres_test

import (
	"sync"
	"testing"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

// Two admins demoting each other at the same moment: one wins, the other
// gets a clear conflict (never a deadlock's 500), and one admin remains.
func TestUserStore_ConcurrentDemotionsKeepOneAdmin(t *testing.T) {
	db := testDB(t)
	ctx, _, first := newOrg(t, db)
	us := postgres.NewUserStore(db)
	for round := 0; round < 10; round++ {
		second := newUser(t, db, ctx, warmline.RoleAdmin)
		a, b := first, second
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [][2]*warmline.User{{a, b}, {b, a}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = us.UpdateUser(as(pair[0]), pair[1].ID, warmline.UserUpdate{Role: ptr(warmline.RoleAgent)})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch warmline.ErrorCode(err) {
			case "":
				ok++
			case warmline.ECONFLICT, warmline.EFORBIDDEN: // the loser may already be an agent when it runs
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d demotions succeeded, want 1 (%v)", round, ok, errs)
		}
		users, _ := us.FindUsers(ctx)
		admins := 0
		for _, u := range users {
			if u.Role == warmline.RoleAdmin {
				admins++
				first = u
			}
		}
		if admins != 1 {
			t.Fatalf("round %d: %d admins left", round, admins)
		}
		ctx = as(first)
	}
}
