package postgres_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

func TestImportStore_OwnersByEmailOrNameAndDuplicates(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	twinA := newUser(t, db, ctx, warmline.RoleAgent)
	twinB := newUser(t, db, ctx, warmline.RoleAgent)
	name := "Анна Петрова"
	for _, u := range []*warmline.User{twinA, twinB} {
		if _, err := postgres.NewUserStore(db).UpdateUser(ctx, u.ID, warmline.UserUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := postgres.NewClientStore(db).CreateClient(ctx, warmline.ClientInput{Name: ptr("Existing"), Phones: &[]string{"+79035550000"}}); err != nil {
		t.Fatal(err)
	}
	rows := []warmline.ImportRow{
		{Line: 2, Name: "By e-mail", Phones: []string{"8 903 555-00-01"}, OwnerEmail: agent.Email},
		{Line: 3, Name: "By name", Phones: []string{"+79035550002"}, OwnerEmail: " " + agent.Name + " ", Stage: "демо"},
		{Line: 4, Name: "Ambiguous", OwnerEmail: "анна петрова"},
		{Line: 5, Name: "Already a client", Phones: []string{"+7 903 555 00 00"}},
		{Line: 6, Name: "Same as line 2", Phones: []string{"+79035550001"}},
		{Line: 7, Name: "No such stage", Stage: "Нет такого"},
	}
	is := postgres.NewImportStore(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	im, err := is.StartImport(ctx, "crm.csv", warmline.ImportSkipBadRows, rows, []warmline.ImportError{{Line: 8, Field: "name", Error: "The name is empty."}})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for im.Status == warmline.ImportRunning && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		if im, err = is.FindImport(ctx, im.ID); err != nil {
			t.Fatal(err)
		}
	}
	if im.Status != warmline.ImportDone || im.Created != 2 || im.Skipped != 5 || im.TotalRows != 7 {
		t.Fatalf("import = %+v", im)
	}
	want := map[int]string{4: "owner_email", 5: "phone", 6: "phone", 7: "stage", 8: "name"}
	if len(im.Errors) != len(want) {
		t.Fatalf("errors = %+v", im.Errors)
	}
	for i, e := range im.Errors {
		if want[e.Line] != e.Field || (i > 0 && im.Errors[i-1].Line > e.Line) {
			t.Fatalf("error %d = %+v; want fields %v in line order", i, e, want)
		}
	}
	page, _ := postgres.NewClientStore(db).FindClients(ctx, warmline.ClientFilter{Query: "By", Page: 1, PerPage: 10, Sort: "name"})
	if page.Total != 2 || *page.Items[0].OwnerID != agent.ID || *page.Items[1].OwnerID != agent.ID {
		t.Fatalf("imported clients = %+v", page.Items)
	}
}
