package postgres_test

import (
	"testing"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

func TestStageStore_DefaultFunnelAndPlacement(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	ss := postgres.NewStageStore(db)
	stages, err := ss.FindStages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 6 || stages[3].CoolingPeriod != 5 || stages[3].ContactLimit != 7 || stages[4].Kind != warmline.StageWon || stages[5].Kind != warmline.StageRejected {
		t.Fatalf("default funnel = %+v", stages)
	}
	st, err := ss.CreateStage(ctx, warmline.StageInput{Name: ptr("Счёт выставлен"), CoolingPeriod: ptr(48), CoolingUnit: ptr(warmline.CoolingHours)})
	if err != nil {
		t.Fatal(err)
	}
	stages, _ = ss.FindStages(ctx)
	if stages[4].ID != st.ID || stages[5].Kind != warmline.StageWon {
		t.Fatalf("a new open stage should go before the terminal ones: %v at %d", st.Name, st.Position)
	}
	_, err = ss.CreateStage(ctx, warmline.StageInput{Name: ptr("счёт выставлен")})
	wantCode(t, err, warmline.ECONFLICT)
	_, err = ss.CreateStage(ctx, warmline.StageInput{Name: ptr("X"), CoolingPeriod: ptr(2), CoolingSoon: ptr(2)})
	wantCode(t, err, warmline.EINVALID)
	if warmline.ErrorField(err) != "cooling_soon" {
		t.Fatalf("field = %s", warmline.ErrorField(err))
	}
}

func TestStageStore_DeleteMovesClientsAndKeepsHistoryNames(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	ss, cs := postgres.NewStageStore(db), postgres.NewClientStore(db)
	stages, _ := ss.FindStages(ctx)
	demo := stages[2]
	c, err := cs.CreateClient(ctx, warmline.ClientInput{Name: ptr("Пётр"), StageID: &demo.ID})
	if err != nil {
		t.Fatal(err)
	}
	err = ss.DeleteStage(ctx, demo.ID, 0)
	wantCode(t, err, warmline.ECONFLICT)
	if err := ss.DeleteStage(ctx, demo.ID, stages[3].ID); err != nil {
		t.Fatal(err)
	}
	got, err := cs.FindClient(ctx, c.ID)
	if err != nil || got.StageID != stages[3].ID {
		t.Fatalf("client after stage delete: %+v %v", got, err)
	}
	hist, _ := cs.FindTransitions(ctx, c.ID)
	if len(hist) != 2 || hist[0].ToStage != demo.Name || hist[1].FromStage != demo.Name {
		t.Fatalf("history should still name the deleted stage: %+v", hist)
	}
	after, _ := ss.FindStages(ctx)
	if len(after) != 5 {
		t.Fatalf("%d stages after delete", len(after))
	}
}

func TestStageStore_KeepsOneOpenStage(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	ss := postgres.NewStageStore(db)
	stages, _ := ss.FindStages(ctx)
	for _, st := range stages[1:4] {
		if err := ss.DeleteStage(ctx, st.ID, 0); err != nil {
			t.Fatal(err)
		}
	}
	err := ss.DeleteStage(ctx, stages[0].ID, 0)
	wantCode(t, err, warmline.ECONFLICT)
	_, err = ss.UpdateStage(ctx, stages[0].ID, warmline.StageInput{Kind: ptr(warmline.StageWon)})
	wantCode(t, err, warmline.ECONFLICT)
}

func TestStageStore_ReorderNeedsEveryStageOnce(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	ss := postgres.NewStageStore(db)
	stages, _ := ss.FindStages(ctx)
	ids := []warmline.StageID{}
	for i := len(stages) - 1; i >= 0; i-- {
		ids = append(ids, stages[i].ID)
	}
	out, err := ss.ReorderStages(ctx, ids)
	if err != nil || out[0].ID != stages[5].ID {
		t.Fatalf("reorder: %v", err)
	}
	_, err = ss.ReorderStages(ctx, ids[1:])
	wantCode(t, err, warmline.EINVALID)
	_, err = ss.ReorderStages(ctx, append(ids[1:], ids[1]))
	wantCode(t, err, warmline.EINVALID)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	_, err = ss.ReorderStages(as(agent), ids)
	wantCode(t, err, warmline.EFORBIDDEN)
}
