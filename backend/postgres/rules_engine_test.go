package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/rules"
	"github.com/warmline/warmline/backend/warmline"
)

var moscow = func() *time.Location {
	l, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return l
}()

// msk is a Moscow wall-clock time: msk("2026-11-23 10:00") is a Monday.
func msk(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, moscow)
	if err != nil {
		panic(err)
	}
	return t
}

// funnel is a fresh organisation (Moscow, Mon–Fri 09–18) with its default
// stages by position: 0 new, 1 first contact, 2 demo, 3 warm, 4 won, 5 rejected.
type funnel struct {
	db     *postgres.DB
	ctx    context.Context
	org    *warmline.Organisation
	admin  *warmline.User
	stages []*warmline.Stage
}

func newFunnel(t *testing.T) *funnel {
	t.Helper()
	db := testDB(t)
	ctx, org, admin := newOrg(t, db)
	stages, err := postgres.NewStageStore(db).FindStages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &funnel{db: db, ctx: ctx, org: org, admin: admin, stages: stages}
}

// client creates a client owned by the admin, in stage i since entered,
// with contacts in that stage.
func (f *funnel) client(t *testing.T, name string, i int, entered time.Time, contacts int) warmline.ClientID {
	t.Helper()
	c, err := postgres.NewClientStore(f.db).CreateClient(f.ctx, warmline.ClientInput{Name: &name, OwnerID: &f.admin.ID})
	if err != nil {
		t.Fatal(err)
	}
	const q = `UPDATE clients SET stage_id = $2, stage_entered_at = $3, created_at = $3, contacts = $4, stage_contacts = $4,
		last_contact_at = CASE WHEN $4 > 0 THEN $3::timestamptz END WHERE id = $1`
	f.db.MustExec(q, c.ID, f.stages[i].ID, entered, contacts)
	if err := postgres.RefreshCooling(context.Background(), f.db, f.org.ID); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func (f *funnel) sweep(t *testing.T, now time.Time) int {
	t.Helper()
	sw := postgres.NewSweeper(f.db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sw.Now = func() time.Time { return now }
	res, err := sw.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res.Events
}

type item struct {
	Kind     string  `db:"kind"`
	Reason   string  `db:"reason"`
	Open     bool    `db:"open"`
	Decision *string `db:"decision"`
}

func (f *funnel) items(t *testing.T, client warmline.ClientID) []item {
	t.Helper()
	var out []item
	if err := f.db.Select(&out, `SELECT kind, reason, closed_at IS NULL AS open, decision FROM work_items WHERE client_id = $1 ORDER BY id`, client); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *funnel) stageOf(t *testing.T, client warmline.ClientID) warmline.StageID {
	t.Helper()
	var id warmline.StageID
	if err := f.db.Get(&id, `SELECT stage_id FROM clients WHERE id = $1`, client); err != nil {
		t.Fatal(err)
	}
	return id
}

// The seed's case 1: a warm client untouched for 5 working days cools; a
// weekend does not count; it shows as cooling soon at 80 % (4 days).
func TestRulesEngine_SeedCase1WarmClientCools(t *testing.T) {
	f := newFunnel(t)
	warm := f.client(t, "Warm Ltd", 3, msk("2026-11-23 10:00"), 1) // Monday, last touched then
	var deadlines struct {
		Soon  time.Time `db:"cooling_soon_at"`
		Cools time.Time `db:"cools_at"`
	}
	if err := f.db.Get(&deadlines, `SELECT cooling_soon_at, cools_at FROM clients WHERE id = $1`, warm); err != nil {
		t.Fatal(err)
	}
	if !deadlines.Soon.Equal(msk("2026-11-27 10:00")) || !deadlines.Cools.Equal(msk("2026-11-30 10:00")) {
		t.Fatalf("deadlines %v / %v, want Friday 10:00 (soon) and next Monday 10:00 (cooled)", deadlines.Soon.In(moscow), deadlines.Cools.In(moscow))
	}
	steps := []struct {
		name  string
		now   string
		items []item
	}{
		{"Thursday: nothing yet", "2026-11-26 12:00", nil},
		{"Friday after 10:00: cooling soon", "2026-11-27 10:30", []item{{Kind: "cooling_soon", Reason: "cooling soon: 4 working days in Тёплый клиент, cools at 5", Open: true}}},
		{"Sunday: the weekend does not count, still only soon", "2026-11-29 20:00", []item{{Kind: "cooling_soon", Reason: "cooling soon: 4 working days in Тёплый клиент, cools at 5", Open: true}}},
		{"Tuesday: cooled after 6 working days, soon closed", "2026-12-01 11:00", []item{
			{Kind: "cooling_soon", Reason: "cooling soon: 4 working days in Тёплый клиент, cools at 5", Decision: ptr("resolved")},
			{Kind: "cooled", Reason: "cooled: 6 working days in Тёплый клиент, limit 5", Open: true}}},
	}
	for _, st := range steps {
		f.sweep(t, msk(st.now))
		if got := f.items(t, warm); !equalItems(got, st.items) {
			t.Fatalf("%s: items %+v, want %+v", st.name, got, st.items)
		}
	}
	// Idempotent: the same sweep again changes nothing.
	if n := f.sweep(t, msk("2026-12-01 11:00")); n != 0 {
		t.Errorf("a second sweep wrote %d events, want 0", n)
	}
	var actions []string
	f.db.Select(&actions, `SELECT rule || '/' || action || ': ' || reason FROM rule_actions WHERE client_id = $1`, warm)
	if len(actions) != 1 || actions[0] != "cooling/queue: cooled: 6 working days in Тёплый клиент, limit 5" {
		t.Errorf("rule actions %q", actions)
	}
	var events []string
	f.db.Select(&events, `SELECT type FROM events WHERE org_id = $1 AND type IN ('work_item.created', 'work_item.closed', 'rule.action') ORDER BY seq`, f.org.ID)
	want := []string{"work_item.created", "work_item.closed", "work_item.created", "rule.action"}
	if len(events) != len(want) {
		t.Fatalf("events %q, want %q", events, want)
	}
	for i := range want {
		if events[i] != want[i] {
			t.Fatalf("events %q, want %q", events, want)
		}
	}
	// A contact cures it: the cooled item closes.
	defer postgres.PinEngineClock(func() time.Time { return msk("2026-12-01 12:00") })()
	if _, err := postgres.NewContactStore(f.db).AddContact(f.ctx, warm, warmline.ContactInput{Kind: "meeting", Note: "coffee"}); err != nil {
		t.Fatal(err)
	}
	if got := f.items(t, warm); got[1].Open || got[1].Decision == nil || *got[1].Decision != "resolved" {
		t.Errorf("after a contact the cooled item should be resolved: %+v", got)
	}
}

func equalItems(a, b []item) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || a[i].Reason != b[i].Reason || a[i].Open != b[i].Open ||
			(a[i].Decision == nil) != (b[i].Decision == nil) || (a[i].Decision != nil && *a[i].Decision != *b[i].Decision) {
			return false
		}
	}
	return true
}

// The SQL calendar and the Go one agree on the same cases.
func TestRulesEngine_SQLCalendarMatchesGo(t *testing.T) {
	f := newFunnel(t)
	f.db.MustExec(`INSERT INTO holidays (org_id, day) VALUES ($1, '2026-12-01'), ($1, '2027-01-01')`, f.org.ID)
	f.db.MustExec(`INSERT INTO working_hours (org_id, isodow, opens, closes) VALUES ($1, 6, '10:00', '14:00')`, f.org.ID)
	for _, tz := range []string{"Europe/Moscow", "America/New_York", "Asia/Vladivostok"} {
		loc, _ := time.LoadLocation(tz)
		cal := rules.Default(loc)
		cal.Week[time.Saturday] = &rules.Span{Opens: 600, Closes: 840}
		for _, d := range []string{"2026-12-01", "2027-01-01"} {
			dd, _ := rules.ParseDate(d)
			cal.Holidays[dd] = true
		}
		for _, base := range []time.Time{msk("2026-11-23 10:00"), msk("2026-11-27 17:45"), msk("2026-11-28 23:10"), msk("2026-12-31 08:00")} {
			for _, r := range []rules.Cooling{
				{Open: true, Period: 5, Unit: rules.WorkingDays, SoonPercent: 80},
				{Open: true, Period: 1, Unit: rules.WorkingDays, SoonPercent: 80},
				{Open: true, Period: 3, Unit: rules.WorkingDays, SoonPercent: 50},
				{Open: true, Period: 24, Unit: rules.WorkingHours, SoonPercent: 75},
				{Open: true, Period: 5, Unit: rules.WorkingDays, SoonAbs: 2, SoonPercent: 80},
			} {
				var got struct {
					Soon  time.Time `db:"soon_at"`
					Cools time.Time `db:"cools_at"`
					Days  int       `db:"days"`
					Fast  int       `db:"fast_days"`
					Mins  float64   `db:"mins"`
				}
				const q = `SELECT d.soon_at, d.cools_at, wl_working_days_between($1, $2, d.cools_at + interval '1 day', $8) AS days,
						wl_cal_days_between($2, d.cools_at + interval '1 day', $8, k.opens, k.holidays) AS fast_days,
						wl_working_minutes_between($1, $2, d.cools_at + interval '1 day', $8) AS mins
					FROM wl_calendar($1) k, wl_deadlines($2, 'open', $3, $4, $5, $6, $8, k.opens, k.closes, k.holidays) d WHERE $7 = $7`
				if err := f.db.Get(&got, q, f.org.ID, base, r.Period, string(r.Unit), r.SoonAbs, r.SoonPercent, 0, tz); err != nil {
					t.Fatal(err)
				}
				soon, cools, ok := cal.Deadlines(base, r)
				if !ok || !got.Soon.Equal(soon) || !got.Cools.Equal(cools) {
					t.Errorf("%s from %v, %+v: SQL %v / %v, Go %v / %v", tz, base.In(loc), r, got.Soon.In(loc), got.Cools.In(loc), soon.In(loc), cools.In(loc))
				}
				after := cools.Add(24 * time.Hour)
				if days := cal.WorkingDaysBetween(base, after); days != got.Days || days != got.Fast {
					t.Errorf("%s working days from %v to %v: SQL %d (on the loaded calendar %d), Go %d", tz, base.In(loc), after.In(loc), got.Days, got.Fast, days)
				}
				if mins := cal.WorkingMinutesBetween(base, after); mins != got.Mins {
					t.Errorf("%s working minutes from %v to %v: SQL %v, Go %v", tz, base.In(loc), after.In(loc), got.Mins, mins)
				}
			}
		}
	}
}

// insertCall writes an ended call record of talk seconds (0: not answered).
func (f *funnel) insertCall(t *testing.T, client warmline.ClientID, direction, outcome string, ended time.Time, talk int) warmline.CallID {
	t.Helper()
	var id warmline.CallID
	const q = `INSERT INTO calls (org_id, direction, agent_id, client_id, status, created_at, answered_at, ended_at, outcome)
		VALUES ($1, $2, $3, $4, 'ended', $5::timestamptz - interval '1 minute',
			CASE WHEN $7 > 0 THEN $5::timestamptz - make_interval(secs => $7) END, $5, $6) RETURNING id`
	if err := f.db.Get(&id, q, f.org.ID, direction, f.admin.ID, client, ended, outcome, talk); err != nil {
		t.Fatal(err)
	}
	return id
}

// The seed's case 2: the 7th contact without progress puts the client in
// the Zombies queue at once (incremental), and a supervisor decides.
func TestRulesEngine_SeedCase2SeventhContactMakesAZombie(t *testing.T) {
	f := newFunnel(t)
	now := msk("2026-11-24 12:00")
	defer postgres.PinEngineClock(func() time.Time { return now })()
	demo := f.client(t, "Zombie LLC", 2, msk("2026-11-24 09:00"), 6)
	short := f.insertCall(t, demo, "outbound", "answered", msk("2026-11-24 11:00"), 10)
	if err := postgres.RecordCallContact(context.Background(), f.db, f.org.ID, short); err != nil {
		t.Fatal(err)
	}
	if got := f.items(t, demo); len(got) != 0 {
		t.Fatalf("a 10 s call is an attempt, not the 7th contact: %+v", got)
	}
	call := f.insertCall(t, demo, "outbound", "answered", msk("2026-11-24 11:30"), 95)
	for range 2 { // recording the same call twice counts it once
		if err := postgres.RecordCallContact(context.Background(), f.db, f.org.ID, call); err != nil {
			t.Fatal(err)
		}
	}
	var counts struct {
		Contacts int `db:"stage_contacts"`
		Attempts int `db:"attempts"`
	}
	f.db.Get(&counts, `SELECT stage_contacts, attempts FROM clients WHERE id = $1`, demo)
	if counts.Contacts != 7 || counts.Attempts != 1 {
		t.Fatalf("stage contacts %d, attempts %d; want 7 and 1", counts.Contacts, counts.Attempts)
	}
	got := f.items(t, demo)
	if len(got) != 1 || got[0].Kind != "zombie" || got[0].Reason != "zombie: 7 contacts in Демо without progress, limit 7" || !got[0].Open {
		t.Fatalf("items %+v, want one open zombie", got)
	}
	var wid int64
	f.db.Get(&wid, `SELECT id FROM work_items WHERE client_id = $1 AND kind = 'zombie'`, demo)
	w, err := postgres.NewWorkItemStore(f.db).DecideWorkItem(f.ctx, wid, "handoff")
	if err != nil {
		t.Fatal(err)
	}
	if w.ClosedAt == nil || *w.Decision != "handoff" {
		t.Errorf("decided item %+v", w)
	}
	var handed bool
	f.db.Get(&handed, `SELECT handed_off FROM clients WHERE id = $1`, demo)
	if !handed {
		t.Error("a hand-off marks the client handed off")
	}
	// The supervisor changes their mind: undo the hand-off.
	var raID int64
	f.db.Get(&raID, `SELECT id FROM rule_actions WHERE client_id = $1 AND action = 'handoff'`, demo)
	if _, err := postgres.NewRulesStore(f.db).UndoRuleAction(f.ctx, raID); err != nil {
		t.Fatal(err)
	}
	f.db.Get(&handed, `SELECT handed_off FROM clients WHERE id = $1`, demo)
	if handed {
		t.Error("undo withdrew nothing")
	}
	if n := f.sweep(t, now); n != 0 {
		t.Errorf("a decided zombie came back: the sweep wrote %d events", n)
	}
}

// With zombie_action reject, the limit moves the client to the rejected
// stage automatically; with handoff it is handed off.
func TestRulesEngine_AutomaticZombieActions(t *testing.T) {
	f := newFunnel(t)
	stages := postgres.NewStageStore(f.db)
	for i, action := range map[int]string{1: "reject", 2: "handoff"} {
		if _, err := stages.UpdateStage(f.ctx, f.stages[i].ID, warmline.StageInput{ZombieAction: ptr(action), HandoffEmail: ptr("news@example.com")}); err != nil {
			t.Fatal(err)
		}
	}
	rejected := f.client(t, "Rejected Co", 1, msk("2026-11-24 09:00"), 7)
	handed := f.client(t, "Handed Co", 2, msk("2026-11-24 09:00"), 9)
	f.sweep(t, msk("2026-11-24 12:00"))
	if got := f.stageOf(t, rejected); got != f.stages[5].ID {
		t.Errorf("zombie with action reject is in stage %d, want rejected %d", got, f.stages[5].ID)
	}
	var after string
	f.db.Get(&after, `SELECT after::text FROM rule_actions WHERE client_id = $1 AND action = 'handoff'`, handed)
	if after != `{"email": "news@example.com", "channel": "", "webhook": false, "handed_off": true}` {
		t.Errorf("handoff action after = %s", after)
	}
	if n := f.sweep(t, msk("2026-11-24 12:00")); n != 0 {
		t.Errorf("second sweep wrote %d events", n)
	}
	// Undo the automatic rejection: back to First contact with its count.
	var raID int64
	f.db.Get(&raID, `SELECT id FROM rule_actions WHERE client_id = $1 AND action = 'reject'`, rejected)
	if _, err := postgres.NewRulesStore(f.db).UndoRuleAction(f.ctx, raID); err != nil {
		t.Fatal(err)
	}
	if got := f.stageOf(t, rejected); got != f.stages[1].ID {
		t.Errorf("after undo the client is in %d, want %d", got, f.stages[1].ID)
	}
	if _, err := postgres.NewRulesStore(f.db).UndoRuleAction(f.ctx, raID); warmline.ErrorCode(err) != warmline.ECONFLICT {
		t.Errorf("undoing twice: %v, want a conflict", err)
	}
}

// The objective funnel: a new client's first contact ends in "rejected"
// once the after-call window passes without an answer; an answer in time
// decides instead.
func TestRulesEngine_ObjectiveFunnelDefault(t *testing.T) {
	f := newFunnel(t)
	ended := msk("2026-11-24 11:00")
	defer postgres.PinEngineClock(func() time.Time { return ended })()
	silent := f.client(t, "Silent Refusal", 0, msk("2026-11-24 09:00"), 0)
	keen := f.client(t, "Keen Buyer", 0, msk("2026-11-24 09:00"), 0)
	callSilent := f.insertCall(t, silent, "outbound", "answered", ended, 60)
	callKeen := f.insertCall(t, keen, "outbound", "answered", ended, 60)
	for _, c := range []warmline.CallID{callSilent, callKeen} {
		if err := postgres.RecordCallContact(context.Background(), f.db, f.org.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	out, err := postgres.NewContactStore(f.db).SetCallOutcome(f.ctx, callKeen, warmline.AfterCallInput{Outcome: "advance"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Client.StageID != f.stages[1].ID {
		t.Errorf("advance moved to %d, want %d", out.Client.StageID, f.stages[1].ID)
	}
	f.sweep(t, ended.Add(20*time.Second)) // within wrap-up (30 s)
	if got := f.stageOf(t, silent); got != f.stages[0].ID {
		t.Fatalf("rejected before the after-call window passed")
	}
	f.sweep(t, ended.Add(31*time.Second))
	if got := f.stageOf(t, silent); got != f.stages[5].ID {
		t.Errorf("silent new client in %d, want rejected %d", got, f.stages[5].ID)
	}
	if got := f.stageOf(t, keen); got != f.stages[1].ID {
		t.Errorf("the answered client moved again, to %d", got)
	}
	var reason string
	f.db.Get(&reason, `SELECT reason FROM rule_actions WHERE client_id = $1 AND rule = 'objective_funnel'`, silent)
	if want := "objective funnel: no outcome within 30 s after the first contact (call " + itoa(int64(callSilent)) + ")"; reason != want {
		t.Errorf("reason %q, want %q", reason, want)
	}
	if _, err := postgres.NewContactStore(f.db).SetCallOutcome(f.ctx, callSilent, warmline.AfterCallInput{Outcome: "keep"}); warmline.ErrorCode(err) != warmline.ECONFLICT {
		t.Errorf("a late answer: %v, want a conflict (undo the default instead)", err)
	}
	// Off: no default.
	f.db.MustExec(`UPDATE organisations SET objective_funnel = false WHERE id = $1`, f.org.ID)
	other := f.client(t, "Not objective", 0, msk("2026-11-24 09:00"), 0)
	c := f.insertCall(t, other, "outbound", "answered", ended, 60)
	postgres.RecordCallContact(context.Background(), f.db, f.org.ID, c)
	f.sweep(t, ended.Add(time.Hour))
	if got := f.stageOf(t, other); got != f.stages[0].ID {
		t.Errorf("with the objective funnel off the client moved to %d", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Two processes sweeping at once do the work once.
func TestRulesEngine_TwoConcurrentSweeps(t *testing.T) {
	f := newFunnel(t)
	f.db.MustExec(`INSERT INTO clients (org_id, name, stage_id, stage_entered_at, owner_id)
		SELECT $1, 'Bulk ' || g, $2, $3, $4 FROM generate_series(1, 300) g`, f.org.ID, f.stages[3].ID, msk("2026-11-02 10:00"), f.admin.ID)
	if err := postgres.RefreshCooling(context.Background(), f.db, f.org.ID); err != nil {
		t.Fatal(err)
	}
	now := msk("2026-11-24 12:00")
	var wg sync.WaitGroup
	events := make([]int, 2)
	for i := range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); events[i] = f.sweep(t, now) }()
	}
	wg.Wait()
	var items, actions int
	f.db.Get(&items, `SELECT count(*) FROM work_items WHERE org_id = $1 AND kind = 'cooled'`, f.org.ID)
	f.db.Get(&actions, `SELECT count(*) FROM rule_actions WHERE org_id = $1`, f.org.ID)
	if items != 300 || actions != 300 {
		t.Errorf("two sweeps made %d cooled items and %d actions, want 300 each", items, actions)
	}
	if events[0]+events[1] != 600 {
		t.Errorf("events %v, want 600 in all (300 items + 300 actions)", events)
	}
	if n := f.sweep(t, now); n != 0 {
		t.Errorf("third sweep wrote %d events", n)
	}
}

// A cooled stage may reassign and move its clients; both are recorded with
// their before state and undo puts the client back.
func TestRulesEngine_CooledActionsAndUndo(t *testing.T) {
	f := newFunnel(t)
	agent := newUser(t, f.db, f.ctx, warmline.RoleAgent)
	if _, err := postgres.NewStageStore(f.db).UpdateStage(f.ctx, f.stages[3].ID, warmline.StageInput{
		CooledReassignTo: &agent.ID, CooledMoveTo: &f.stages[1].ID}); err != nil {
		t.Fatal(err)
	}
	c := f.client(t, "Cold Corp", 3, msk("2026-11-02 10:00"), 1)
	f.sweep(t, msk("2026-11-24 12:00"))
	var got struct {
		Owner warmline.UserID  `db:"owner_id"`
		Stage warmline.StageID `db:"stage_id"`
	}
	f.db.Get(&got, `SELECT owner_id, stage_id FROM clients WHERE id = $1`, c)
	if got.Owner != agent.ID || got.Stage != f.stages[1].ID {
		t.Fatalf("cooled client: owner %d stage %d, want %d and %d", got.Owner, got.Stage, agent.ID, f.stages[1].ID)
	}
	if items := f.items(t, c); len(items) != 1 || items[0].Kind != "cooled" || !items[0].Open {
		t.Fatalf("the cooled item stays open after the move: %+v", items)
	}
	if n := f.sweep(t, msk("2026-11-24 12:00")); n != 0 {
		t.Errorf("second sweep wrote %d events", n)
	}
	actions, err := postgres.NewRulesStore(f.db).FindClientActions(f.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) != 3 || actions[0].Action != "queue" || actions[1].Action != "reassign" || actions[2].Action != "move" {
		t.Fatalf("actions %+v", actions)
	}
	for _, i := range []int{2, 1} {
		if _, err := postgres.NewRulesStore(f.db).UndoRuleAction(f.ctx, actions[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	f.db.Get(&got, `SELECT owner_id, stage_id FROM clients WHERE id = $1`, c)
	if got.Owner != f.admin.ID || got.Stage != f.stages[3].ID {
		t.Errorf("after undo: owner %d stage %d", got.Owner, got.Stage)
	}
	// An agent may not undo.
	if _, err := postgres.NewRulesStore(f.db).UndoRuleAction(as(agent), actions[0].ID); warmline.ErrorCode(err) != warmline.EFORBIDDEN {
		t.Errorf("agent undo: %v", err)
	}
}

// Changing a stage's period re-evaluates its clients at once, without
// waiting for the sweep.
func TestRulesEngine_ChangingAPeriodActsAtOnce(t *testing.T) {
	f := newFunnel(t)
	stages := postgres.NewStageStore(f.db)
	if _, err := stages.UpdateStage(f.ctx, f.stages[3].ID, warmline.StageInput{CoolingPeriod: ptr(60)}); err != nil {
		t.Fatal(err)
	}
	c := f.client(t, "Patient Co", 3, time.Now().AddDate(0, 0, -20), 1)
	if _, err := postgres.Evaluate(context.Background(), f.db, time.Now(), f.org.ID, c); err != nil {
		t.Fatal(err)
	}
	if got := f.items(t, c); len(got) != 0 {
		t.Fatalf("20 days into a 60-working-day period: %+v", got)
	}
	if _, err := stages.UpdateStage(f.ctx, f.stages[3].ID, warmline.StageInput{CoolingPeriod: ptr(5)}); err != nil {
		t.Fatal(err)
	}
	if got := f.items(t, c); len(got) != 1 || got[0].Kind != "cooled" || !got[0].Open {
		t.Fatalf("after shortening the period to 5 working days: %+v", got)
	}
}

func TestRulesEngine_DeletingAStageActsAtOnce(t *testing.T) {
	f := newFunnel(t)
	c := f.client(t, "Stale demo", 2, time.Now().AddDate(0, 0, -20), 1)
	f.sweep(t, time.Now())
	if got := f.items(t, c); len(got) != 1 || got[0].Kind != "cooled" || !got[0].Open {
		t.Fatalf("20 days into a 3-working-day demo: %+v", got)
	}
	if err := postgres.NewStageStore(f.db).DeleteStage(f.ctx, f.stages[2].ID, f.stages[3].ID); err != nil {
		t.Fatal(err)
	}
	if got := f.items(t, c); len(got) != 1 || got[0].Open || got[0].Decision == nil || *got[0].Decision != "resolved" {
		t.Fatalf("after its stage was deleted (the client moved on) the cooled item should be resolved at once: %+v", got)
	}
}

// A calendar change re-times the organisation's clients but rewrites only
// those whose deadlines move.
func TestRulesEngine_CalendarChangeRewritesOnlyMovedClients(t *testing.T) {
	f := newFunnel(t)
	now := time.Now()
	recent := f.client(t, "Recent", 3, now.AddDate(0, 0, -1), 1)
	old := f.client(t, "Old", 3, now.AddDate(0, 0, -3), 1)
	version := func(c warmline.ClientID) (v string) {
		t.Helper()
		if err := f.db.Get(&v, `SELECT xmin::text FROM clients WHERE id = $1`, c); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := map[warmline.ClientID]string{recent: version(recent), old: version(old)}
	rs := postgres.NewRulesStore(f.db)
	far := []warmline.Holiday{{Date: now.AddDate(3, 0, 0).Format("2006-01-02"), Name: "far away"}}
	if _, err := rs.UpdateCalendar(f.ctx, warmline.CalendarInput{Holidays: &far}); err != nil {
		t.Fatal(err)
	}
	for c, v := range before {
		if version(c) != v {
			t.Errorf("a holiday in three years rewrote client %d", c)
		}
	}
	// A holiday every day of the coming weeks moves both clients' deadlines.
	var near []warmline.Holiday
	for d := range 30 {
		near = append(near, warmline.Holiday{Date: now.AddDate(0, 0, d).Format("2006-01-02"), Name: "closed"})
	}
	if _, err := rs.UpdateCalendar(f.ctx, warmline.CalendarInput{Holidays: &near}); err != nil {
		t.Fatal(err)
	}
	for c, v := range before {
		if version(c) == v {
			t.Errorf("a month of holidays did not re-time client %d", c)
		}
	}
}

// Deleting an organisation deletes its work items and rule actions (they
// reference their client, which references the organisation), even when
// its users, deleted with it, closed, own or undid them, moved its clients,
// own them, logged contacts with them or receive a stage's cooled clients
// (migrations 0008 and 0010: references to users are checked at commit).
func TestRulesEngine_DeletingAnOrganisationDeletesItsQueues(t *testing.T) {
	f := newFunnel(t)
	agent := newUser(t, f.db, f.ctx, warmline.RoleAgent)
	c := f.client(t, "Warm", 3, msk("2026-11-16 10:00"), 1)
	if n := f.sweep(t, msk("2026-11-24 12:00")); n == 0 {
		t.Fatal("the sweep raised nothing")
	}
	f.db.MustExec(`UPDATE work_items SET owner_id = $2, closed_by = $2, closed_at = now(), decision = 'keep' WHERE client_id = $1`, c, agent.ID)
	f.db.MustExec(`UPDATE rule_actions SET undone_by = $2, undone_at = now() WHERE client_id = $1`, c, agent.ID)
	f.db.MustExec(`INSERT INTO stage_transitions (org_id, client_id, from_stage_id, to_stage_id, actor_id)
		SELECT org_id, id, stage_id, stage_id, $2 FROM clients WHERE id = $1`, c, agent.ID)
	f.db.MustExec(`UPDATE clients SET owner_id = $2 WHERE id = $1`, c, agent.ID)
	f.db.MustExec(`UPDATE stages SET cooled_reassign_to = $2 WHERE org_id = $1`, f.org.ID, agent.ID)
	if _, err := postgres.NewContactStore(f.db).AddContact(as(agent), c, warmline.ContactInput{Kind: "meeting"}); err != nil {
		t.Fatal(err)
	}
	f.db.MustExec(`DELETE FROM organisations WHERE id = $1`, f.org.ID)
	var left int
	if err := f.db.Get(&left, `SELECT (SELECT count(*) FROM work_items WHERE org_id = $1) + (SELECT count(*) FROM rule_actions WHERE org_id = $1)`, f.org.ID); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d work items and rule actions outlived their organisation", left)
	}
}

// wl_cal_days_between, which counts whole weeks at once, counts what the
// day-by-day count does, on random spans in three time zones and three
// calendars (a Saturday, holidays on working days and days off).
func TestRulesEngine_WorkingDaysWeekByWeek(t *testing.T) {
	db := testDB(t)
	const q = `WITH cal AS (SELECT ARRAY['09:00','09:00','09:00','09:00','09:00', NULL, NULL]::time[] AS opens,
				ARRAY['2026-11-04','2026-12-01','2026-11-29','2027-01-01']::date[] AS holidays
			UNION ALL SELECT ARRAY['09:00','09:00','09:00','09:00','09:00','10:00', NULL]::time[], '{}'::date[]
			UNION ALL SELECT ARRAY[NULL,'09:00',NULL,'09:00',NULL,NULL,NULL]::time[], ARRAY['2026-11-10']::date[]),
		tz AS (SELECT unnest(ARRAY['Europe/Moscow','America/New_York','Asia/Vladivostok']) AS tz),
		p AS (SELECT timestamptz '2026-10-01' + random() * interval '90 days' AS a,
			(random() * 70 - 5) * interval '1 day' AS span FROM generate_series(1, 2000))
		SELECT count(*) FILTER (WHERE fast <> slow) FROM (
			SELECT wl_cal_days_between(p.a, p.a + p.span, tz.tz, cal.opens, cal.holidays) AS fast,
				(SELECT count(*) FROM generate_series((p.a AT TIME ZONE tz.tz)::date + 1, ((p.a + p.span) AT TIME ZONE tz.tz)::date, interval '1 day') g(d)
				WHERE cal.opens[extract(isodow FROM g.d)::int] IS NOT NULL AND NOT g.d::date = ANY (cal.holidays)
				  AND (g.d::date < ((p.a + p.span) AT TIME ZONE tz.tz)::date
					OR (p.a AT TIME ZONE tz.tz)::time <= ((p.a + p.span) AT TIME ZONE tz.tz)::time)) AS slow
			FROM p, cal, tz) x`
	var wrong int
	if err := db.Get(&wrong, q); err != nil {
		t.Fatal(err)
	}
	if wrong != 0 {
		t.Errorf("%d of 18 000 spans counted otherwise than day by day", wrong)
	}
}
