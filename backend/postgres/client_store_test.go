package postgres_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

func TestClientStore_CreateFindAndSearch(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)

	c, err := cs.CreateClient(ctx, warmline.ClientInput{
		Name: ptr("Ирина Смирнова"), Company: ptr("ООО «Ромашка»"), Phones: &[]string{"8 (901) 234-56-78", "+44 20 7946 0958"},
		Email: ptr("Irina@Example.com"), Channel: ptr("Сайт"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Phones[0] != "+79012345678" || c.Phones[1] != "+442079460958" || c.Email != "irina@example.com" {
		t.Fatalf("stored %v %q", c.Phones, c.Email)
	}
	if c.CoolingState != warmline.CoolingOK || c.CoolsAt == nil {
		t.Fatalf("a new client in 'New client' should be cooling ok with a deadline, got %s %v", c.CoolingState, c.CoolsAt)
	}

	for _, q := range []string{"+7 901 234-56-78", "89012345678", "901 234", "ромашка", "смирн", "irina@", "7946"} {
		page, err := cs.FindClients(ctx, warmline.ClientFilter{Query: q, Page: 1, PerPage: 50})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if page.Total != 1 || len(page.Items) != 1 || page.Items[0].ID != c.ID {
			t.Fatalf("search %q found %d clients, want the one", q, page.Total)
		}
	}
	page, err := cs.FindClients(ctx, warmline.ClientFilter{Query: "9999999", Page: 1, PerPage: 50})
	if err != nil || page.Total != 0 {
		t.Fatalf("search for a foreign number found %d (%v)", page.Total, err)
	}
}

// A page says which events it holds: its total counts exactly the clients
// created by events up to its event_seq, even while clients are being
// created, and other organisations' events do not move it.
func TestClientStore_PageSaysWhichEventsItHolds(t *testing.T) {
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	otherCtx, _, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)

	const writers, each = 2, 40
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr(fmt.Sprintf("Client %d-%d", w, i))}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	type seen struct {
		seq   int64
		total int
	}
	var pages []seen
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for loop := true; loop; {
		select {
		case <-done:
			loop = false
		default:
		}
		page, err := cs.FindClients(ctx, warmline.ClientFilter{Page: 1, PerPage: 5})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, seen{page.EventSeq, page.Total})
	}
	for _, p := range pages {
		var created int
		if err := db.GetContext(ctx, &created, `SELECT count(*) FROM events WHERE org_id = $1 AND type = $2 AND seq <= $3`,
			org.ID, warmline.EventClientCreated, p.seq); err != nil {
			t.Fatal(err)
		}
		if p.total != created {
			t.Fatalf("a page at event %d counts %d clients, but %d were created up to that event (%d pages read)", p.seq, p.total, created, len(pages))
		}
	}

	last, err := cs.FindClients(ctx, warmline.ClientFilter{Page: 1, PerPage: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CreateClient(otherCtx, warmline.ClientInput{Name: ptr("Stranger")}); err != nil {
		t.Fatal(err)
	}
	again, err := cs.FindClients(ctx, warmline.ClientFilter{Page: 1, PerPage: 5})
	if err != nil {
		t.Fatal(err)
	}
	if last.Total != writers*each || again.EventSeq != last.EventSeq {
		t.Fatalf("total %d (want %d); event_seq %d then %d after another organisation's change", last.Total, writers*each, last.EventSeq, again.EventSeq)
	}
}

func TestClientStore_PhoneBelongsToOneClient(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)
	if _, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr("A"), Phones: &[]string{"+79012345678"}}); err != nil {
		t.Fatal(err)
	}
	_, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr("B"), Phones: &[]string{"8 901 234 56 78"}})
	wantCode(t, err, warmline.ECONFLICT)
	if warmline.ErrorField(err) != "phones" {
		t.Fatalf("field = %q", warmline.ErrorField(err))
	}
	// Another organisation may have the same number.
	ctx2, _, _ := newOrg(t, db)
	if _, err := cs.CreateClient(ctx2, warmline.ClientInput{Name: ptr("C"), Phones: &[]string{"+79012345678"}}); err != nil {
		t.Fatalf("another organisation could not use the number: %v", err)
	}
}

func TestClientStore_MoveRecordsTransitionAndEvent(t *testing.T) {
	db := testDB(t)
	ctx, org, admin := newOrg(t, db)
	cs := postgres.NewClientStore(db)
	stages, err := postgres.NewStageStore(db).FindStages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr("Олег")})
	if err != nil {
		t.Fatal(err)
	}
	warm := stages[3]
	moved, err := cs.MoveClient(ctx, c.ID, warm.ID, "asked for a quote")
	if err != nil {
		t.Fatal(err)
	}
	if moved.StageID != warm.ID || moved.StageEnteredAt.Before(c.StageEnteredAt) {
		t.Fatalf("moved = %+v", moved)
	}
	// Warm client cools after 5 working days: at least 5 calendar days, at most 9.
	if d := moved.CoolsAt.Sub(moved.StageEnteredAt); d < 5*24*time.Hour || d > 9*24*time.Hour {
		t.Fatalf("cools after %v", d)
	}
	hist, err := cs.FindTransitions(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[1].ToStageID != warm.ID || *hist[1].FromStageID != stages[0].ID ||
		hist[1].Reason != "asked for a quote" || hist[1].ActorName != admin.Name || hist[1].ToStage != warm.Name {
		t.Fatalf("history = %+v", hist[len(hist)-1])
	}
	evs, err := postgres.NewEventStore(db).EventsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Type != warmline.EventClientMoved || last.Seq != int64(len(evs)) {
		t.Fatalf("last event %s seq %d of %d", last.Type, last.Seq, len(evs))
	}
	_ = org
	// A move to a stage of another organisation is refused and changes nothing.
	ctx2, _, _ := newOrg(t, db)
	foreign, _ := postgres.NewStageStore(db).FindStages(ctx2)
	_, err = cs.MoveClient(ctx, c.ID, foreign[1].ID, "")
	wantCode(t, err, warmline.EINVALID)
}

func TestClientStore_CoolingStates(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)
	stages, _ := postgres.NewStageStore(db).FindStages(ctx)
	mk := func(name string, entered time.Time, stage warmline.StageID) {
		c, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr(name), StageID: &stage})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE clients SET stage_entered_at = $1 WHERE id = $2`, entered, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	// Warm client: 5 working days, cooling soon 2 days before.
	mk("fresh", now, stages[3].ID)
	mk("cold", now.AddDate(0, 0, -20), stages[3].ID)
	mk("won", now.AddDate(0, 0, -20), stages[4].ID)
	// Re-time everyone as a stage update does.
	if _, err := postgres.NewStageStore(db).UpdateStage(ctx, stages[3].ID, warmline.StageInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.NewStageStore(db).UpdateStage(ctx, stages[4].ID, warmline.StageInput{}); err != nil {
		t.Fatal(err)
	}
	for state, want := range map[warmline.CoolingState]string{warmline.CoolingOK: "fresh", warmline.CoolingCooled: "cold", warmline.CoolingNone: "won"} {
		page, err := cs.FindClients(ctx, warmline.ClientFilter{Cooling: state, Page: 1, PerPage: 10})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1 || page.Items[0].Name != want || page.Items[0].CoolingState != state {
			t.Fatalf("cooling %s: got %d clients %+v", state, page.Total, page.Items)
		}
	}
}

func TestClientStore_AgentsOwnOnly(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	cs := postgres.NewClientStore(db)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	other := newUser(t, db, ctx, warmline.RoleAgent)
	mine, err := cs.CreateClient(as(agent), warmline.ClientInput{Name: ptr("Mine")})
	if err != nil {
		t.Fatal(err)
	}
	if mine.OwnerID == nil || *mine.OwnerID != agent.ID {
		t.Fatalf("an agent's new client should be theirs, owner = %v", mine.OwnerID)
	}
	theirs, err := cs.CreateClient(as(other), warmline.ClientInput{Name: ptr("Theirs")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.FindClient(as(agent), theirs.ID); err != nil {
		t.Fatalf("by default agents see all clients: %v", err)
	}
	if _, err := cs.UpdateClient(as(agent), theirs.ID, warmline.ClientInput{Notes: ptr("seen")}); err != nil {
		t.Fatalf("by default agents may edit any client: %v", err)
	}
	if _, err := postgres.NewOrganisationStore(db).UpdateOrganisation(ctx, warmline.OrganisationUpdate{AgentsOwnOnly: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = cs.FindClient(as(agent), theirs.ID)
	wantCode(t, err, warmline.ENOTFOUND)
	_, err = cs.MoveClient(as(agent), theirs.ID, mine.StageID+1, "")
	wantCode(t, err, warmline.ENOTFOUND)
	_, err = cs.UpdateClient(as(agent), theirs.ID, warmline.ClientInput{Notes: ptr("hidden")})
	wantCode(t, err, warmline.ENOTFOUND)
	_, err = cs.UpdateClient(as(agent), mine.ID, warmline.ClientInput{OwnerID: &other.ID})
	wantCode(t, err, warmline.EFORBIDDEN)
	if got, err := cs.UpdateClient(as(agent), mine.ID, warmline.ClientInput{Notes: ptr("mine")}); err != nil || got.Notes != "mine" {
		t.Fatalf("agent's own client: %+v, %v", got, err)
	}
	page, err := cs.FindClients(as(agent), warmline.ClientFilter{Page: 1, PerPage: 10})
	if err != nil || page.Total != 1 || page.Items[0].ID != mine.ID {
		t.Fatalf("agent list = %+v, %v", page, err)
	}
	page, _ = cs.FindClients(ctx, warmline.ClientFilter{Page: 1, PerPage: 10})
	if page.Total != 2 {
		t.Fatalf("admin sees %d clients, want 2", page.Total)
	}
	// An admin may reassign a client; once its owner is deactivated the
	// client stays editable, but no client may be given to that user.
	if _, err := cs.UpdateClient(ctx, theirs.ID, warmline.ClientInput{OwnerID: &agent.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE users SET active = false WHERE id = $1`, agent.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := cs.UpdateClient(ctx, theirs.ID, warmline.ClientInput{Notes: ptr("still editable")}); err != nil || *got.OwnerID != agent.ID {
		t.Fatalf("client of a deactivated owner: %+v, %v", got, err)
	}
	_, err = cs.UpdateClient(ctx, mine.ID, warmline.ClientInput{OwnerID: &agent.ID})
	wantCode(t, err, warmline.EINVALID)
	if got, err := cs.UpdateClient(ctx, mine.ID, warmline.ClientInput{OwnerID: ptr(warmline.UserID(0))}); err != nil || got.OwnerID != nil {
		t.Fatalf("clearing the owner: %+v, %v", got, err)
	}
}
