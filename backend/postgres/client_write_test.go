package postgres_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
)

func TestClientStore_UpdateWritesRowEventAndNotification(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	ctx, org, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)
	es := postgres.NewEventStore(db)
	c, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr("Анна"), Phones: &[]string{"+79011111111"}})
	if err != nil {
		t.Fatal(err)
	}
	before, err := es.LatestSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := pq.NewListener(dsn, 10*time.Millisecond, time.Second, nil)
	defer l.Close()
	if err := l.Listen(postgres.EventsChannel); err != nil {
		t.Fatal(err)
	}

	got, err := cs.UpdateClient(ctx, c.ID, warmline.ClientInput{Notes: ptr("перезвонить в пятницу"), Company: ptr("ООО «Ромашка»")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Notes != "перезвонить в пятницу" || got.Company != "ООО «Ромашка»" || got.Name != "Анна" ||
		len(got.Phones) != 1 || got.StageID != c.StageID || got.CoolingState != c.CoolingState || !got.UpdatedAt.After(c.UpdatedAt) {
		t.Fatalf("updated client = %+v, was %+v", got, c)
	}
	found, err := cs.FindClient(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if found.Notes != got.Notes || !found.UpdatedAt.Equal(got.UpdatedAt) {
		t.Fatalf("stored client = %+v, returned %+v", found, got)
	}
	evs, err := es.EventsAfter(ctx, before, 10)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(got)
	if len(evs) != 1 || evs[0].Seq != before+1 || evs[0].Type != warmline.EventClientUpdated {
		t.Fatalf("events after the update = %+v, want one client.updated at %d", evs, before+1)
	}
	var gotData, wantData any
	json.Unmarshal(evs[0].Data, &gotData)
	json.Unmarshal(want, &wantData)
	if b1, _ := json.Marshal(gotData); string(b1) != string(mustJSON(t, wantData)) {
		t.Fatalf("event data %s, want the returned client %s", evs[0].Data, want)
	}
	select {
	case n := <-l.Notify:
		if n == nil || n.Extra != strconv.FormatInt(int64(org.ID), 10) {
			t.Fatalf("notification = %+v, want the organisation's id %d", n, org.ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification after the commit")
	}
}

func TestClientStore_FailedUpdateWritesNothing(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)
	es := postgres.NewEventStore(db)
	a, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr("A"), Phones: &[]string{"+79012345678"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr("B"), Notes: ptr("old")})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := es.LatestSeq(ctx)
	cases := []struct {
		name  string
		in    warmline.ClientInput
		code  string
		field string
	}{
		{"another client's number is a conflict", warmline.ClientInput{Notes: ptr("new"), Phones: &[]string{"8 901 234 56 78"}}, warmline.ECONFLICT, "phones"},
		{"an empty name is invalid", warmline.ClientInput{Notes: ptr("new"), Name: ptr(" ")}, warmline.EINVALID, "name"},
		{"a user of no organisation cannot own it", warmline.ClientInput{Notes: ptr("new"), OwnerID: ptr(warmline.UserID(1 << 40))}, warmline.EINVALID, "owner_id"},
		{"the stage changes only by a move", warmline.ClientInput{Notes: ptr("new"), StageID: &b.StageID}, warmline.EINVALID, "stage_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cs.UpdateClient(ctx, b.ID, tc.in)
			wantCode(t, err, tc.code)
			if f := warmline.ErrorField(err); f != tc.field {
				t.Fatalf("field = %q, want %q", f, tc.field)
			}
			got, err := cs.FindClient(ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Notes != "old" || len(got.Phones) != 0 || !got.UpdatedAt.Equal(b.UpdatedAt) {
				t.Fatalf("client changed: %+v", got)
			}
			if seq, _ := es.LatestSeq(ctx); seq != before {
				t.Fatalf("latest event %d, want %d: a failed update wrote an event", seq, before)
			}
		})
	}
	_, err = cs.UpdateClient(ctx, a.ID+b.ID+1000, warmline.ClientInput{Notes: ptr("x")})
	wantCode(t, err, warmline.ENOTFOUND)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// UpdateClient prepares its statements on the pool before its transaction
// takes a connection: when it prepared them inside, writers holding every
// connection of the pool waited for one more, for ever.
func TestClientStore_UpdateWithEveryConnectionTaken(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	c, err := postgres.NewClientStore(db).CreateClient(ctx, warmline.ClientInput{Name: ptr("A")})
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(2)
	cs := postgres.NewClientStore(db) // nothing prepared yet
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	errs := make(chan error, 8)
	for i := range cap(errs) {
		go func() {
			_, err := cs.UpdateClient(ctx, c.ID, warmline.ClientInput{Notes: ptr(strconv.Itoa(i))})
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatalf("update with the pool busy: %v", err)
		}
	}
}

// A client stays findable by phone after an edit that leaves its phones
// alone (their search digits are not recomputed then), and is found by
// its new number, not the old one, after its phones change.
func TestClientStore_UpdateKeepsPhoneSearch(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx, _, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)
	c, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr("Вера"), Phones: &[]string{"+7 916 123-45-67"}})
	if err != nil {
		t.Fatal(err)
	}
	found := func(q string) bool {
		t.Helper()
		page, err := cs.FindClients(ctx, warmline.ClientFilter{Query: q, Page: 1, PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Items) == 1 && page.Items[0].ID == c.ID
	}
	if _, err := cs.UpdateClient(ctx, c.ID, warmline.ClientInput{Notes: ptr("перезвонить")}); err != nil {
		t.Fatal(err)
	}
	if !found("89161234567") || !found("123-45-67") {
		t.Fatal("not found by its phone after a notes edit")
	}
	if _, err := cs.UpdateClient(ctx, c.ID, warmline.ClientInput{Phones: &[]string{"+7 903 555-00-11"}}); err != nil {
		t.Fatal(err)
	}
	if found("89161234567") || !found("89035550011") {
		t.Fatal("after a phone change: want found by the new number only")
	}
}
