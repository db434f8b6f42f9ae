package postgres_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/media"
)

// The gateway's view of the store: a change of media/store.go that the
// store does not follow breaks this test file, not the build.
var _ media.Store = (*postgres.CallStore)(nil)

// eventsOf returns the types and data of the organisation's events after seq.
func eventsOf(t *testing.T, db *postgres.DB, org warmline.OrgID, after int64) []*warmline.Event {
	t.Helper()
	var evs []*warmline.Event
	if err := db.Select(&evs, `SELECT org_id, seq, type, data, created_at FROM events WHERE org_id = $1 AND seq > $2 ORDER BY seq`, org, after); err != nil {
		t.Fatal(err)
	}
	return evs
}

func lastSeq(t *testing.T, db *postgres.DB, org warmline.OrgID) int64 {
	t.Helper()
	var seq int64
	if err := db.Get(&seq, `SELECT COALESCE(max(seq), 0) FROM events WHERE org_id = $1`, org); err != nil {
		t.Fatal(err)
	}
	return seq
}

func types(evs []*warmline.Event) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestCallStore_LifeOfACall(t *testing.T) {
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	cl, err := postgres.NewClientStore(db).CreateClient(ctx, warmline.ClientInput{Name: ptr("ООО Ромашка"), Phones: &[]string{"+79161234567"}, OwnerID: ptr(agent.ID)})
	if err != nil {
		t.Fatal(err)
	}
	cs := postgres.NewCallStore(db)
	bg := context.Background()
	seq := lastSeq(t, db, org.ID)

	id, err := cs.StartCall(bg, &warmline.Call{OrgID: org.ID, Direction: warmline.CallOutbound, From: "+74950000000", To: "+79161234567",
		AgentID: &agent.ID, ClientID: &cl.ID, SIPCallID: "abc@gw", Node: "node-a"})
	if err != nil || id == 0 {
		t.Fatalf("start: %d %v", id, err)
	}
	evs := eventsOf(t, db, org.ID, seq)
	if got := types(evs); !slices.Equal(got, []string{warmline.EventCallRinging}) {
		t.Fatalf("events after start: %v", got)
	}
	var data map[string]any
	json.Unmarshal(evs[0].Data, &data)
	if data["agent_name"] != agent.Name || data["client_name"] != "ООО Ромашка" || data["status"] != "ringing" ||
		data["client_owner_id"] != float64(agent.ID) || data["sip_call_id"] != nil {
		t.Fatalf("call.ringing data: %v", data)
	}

	// The far end rings: same status, the record and its event follow.
	ring := time.Now().Add(-2 * time.Second).Truncate(time.Millisecond)
	seq = lastSeq(t, db, org.ID)
	if err := cs.UpdateCall(bg, org.ID, id, media.CallUpdate{RingingAt: ring}); err != nil {
		t.Fatal(err)
	}
	// The same update again changes nothing and announces nothing.
	if err := cs.UpdateCall(bg, org.ID, id, media.CallUpdate{RingingAt: ring}); err != nil {
		t.Fatal(err)
	}
	answered := time.Now().Truncate(time.Millisecond)
	if err := cs.UpdateCall(bg, org.ID, id, media.CallUpdate{AnsweredAt: answered}); err != nil {
		t.Fatal(err)
	}
	if err := cs.UpdateCall(bg, org.ID, id, media.CallUpdate{Held: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if err := cs.UpdateCall(bg, org.ID, id, media.CallUpdate{Held: ptr(true)}); err != nil { // already held
		t.Fatal(err)
	}
	if err := cs.UpdateCall(bg, org.ID, id, media.CallUpdate{Held: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if got := types(eventsOf(t, db, org.ID, seq)); !slices.Equal(got, []string{"call.ringing", "call.answered", "call.held", "call.held"}) {
		t.Fatalf("events of progress: %v", got)
	}
	c, err := cs.FindCall(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != warmline.CallAnswered || c.Held || c.AnsweredAt == nil || !c.AnsweredAt.Equal(answered) || !c.RingingAt.Equal(ring) {
		t.Fatalf("after progress: %+v", c)
	}

	// Ending: once, with one event; again, nothing. The answer time and
	// agent the end carries fill only what the record lacks: here it has
	// both, and keeps them.
	other := newUser(t, db, ctx, warmline.RoleAgent)
	seq = lastSeq(t, db, org.ID)
	end := media.CallEnd{At: time.Now(), Outcome: warmline.OutcomeAnswered, SIPCause: 200, Reason: "hangup", Side: warmline.HangupClient,
		AnsweredAt: ptr(answered.Add(time.Minute)), AgentID: other.ID}
	if err := cs.EndCall(bg, org.ID, id, end); err != nil {
		t.Fatal(err)
	}
	if err := cs.EndCall(bg, org.ID, id, media.CallEnd{Outcome: warmline.OutcomeFailed, Reason: "media_timeout", Side: warmline.HangupSystem}); err != nil {
		t.Fatalf("ending an ended call: %v", err)
	}
	if err := cs.UpdateCall(bg, org.ID, id, media.CallUpdate{Held: ptr(true)}); err != nil {
		t.Fatalf("updating an ended call: %v", err)
	}
	if got := types(eventsOf(t, db, org.ID, seq)); len(got) == 0 || got[0] != "call.ended" || slices.Index(got[1:], "call.ended") >= 0 {
		t.Fatalf("events of ending twice: %v", got)
	}
	// The ended call counted once for its client (a contact or an attempt,
	// by its length), in the same transaction.
	var touches int
	db.Get(&touches, `SELECT contacts + attempts FROM clients WHERE id = $1`, cl.ID)
	if touches != 1 {
		t.Fatalf("the client has %d contacts and attempts after one call", touches)
	}
	c, _ = cs.FindCall(ctx, id)
	if c.Status != warmline.CallEnded || *c.Outcome != warmline.OutcomeAnswered || c.EndReason != "hangup" ||
		*c.HangupSide != warmline.HangupClient || *c.SIPCause != 200 || c.Held ||
		!c.AnsweredAt.Equal(answered) || *c.AgentID != agent.ID {
		t.Fatalf("ended: %+v", c)
	}

	// Unknown calls, and calls of another organisation, are not found.
	ctx2, org2, _ := newOrg(t, db)
	wantCode(t, cs.EndCall(bg, org2.ID, id, end), warmline.ENOTFOUND)
	wantCode(t, cs.UpdateCall(bg, org2.ID, id, media.CallUpdate{Held: ptr(true)}), warmline.ENOTFOUND)
	_, err = cs.FindCall(ctx2, id)
	wantCode(t, err, warmline.ENOTFOUND)
	wantCode(t, cs.EndCall(bg, org.ID, id, media.CallEnd{Outcome: "exploded"}), warmline.EINVALID)
	// An agent of another organisation cannot be put on a call.
	stranger := newUser(t, db, ctx2, warmline.RoleAgent)
	_, err = cs.StartCall(bg, &warmline.Call{OrgID: org.ID, Direction: warmline.CallInbound, AgentID: &stranger.ID})
	wantCode(t, err, warmline.EINVALID)
}

func TestCallStore_MissedCallAndInboundAssignment(t *testing.T) {
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	cs := postgres.NewCallStore(db)
	bg := context.Background()
	id, err := cs.StartCall(bg, &warmline.Call{OrgID: org.ID, Direction: warmline.CallInbound, From: "+79160000001", To: "+74950000000"})
	if err != nil {
		t.Fatal(err)
	}
	seq := lastSeq(t, db, org.ID)
	if err := cs.UpdateCall(bg, org.ID, id, media.CallUpdate{AgentID: agent.ID}); err != nil {
		t.Fatal(err)
	}
	if err := cs.EndCall(bg, org.ID, id, media.CallEnd{Outcome: warmline.OutcomeMissed, MissedReason: warmline.MissedNoAnswer, Reason: "no_answer", Side: warmline.HangupSystem}); err != nil {
		t.Fatal(err)
	}
	evs := eventsOf(t, db, org.ID, seq)
	if got := types(evs); !slices.Equal(got, []string{"call.ringing", "call.missed"}) {
		t.Fatalf("events: %v", got)
	}
	var c warmline.Call
	json.Unmarshal(evs[1].Data, &c)
	if c.MissedReason == nil || *c.MissedReason != warmline.MissedNoAnswer || c.AgentName != agent.Name || c.ClientID != nil {
		t.Fatalf("call.missed data: %s", evs[1].Data)
	}
}

func TestCallStore_CloseOrphans(t *testing.T) {
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	cs := postgres.NewCallStore(db)
	bg := context.Background()
	start := func(dir warmline.CallDirection, node string) warmline.CallID {
		id, err := cs.StartCall(bg, &warmline.Call{OrgID: org.ID, Direction: dir, From: "+79160000001", To: "+74950000000", Node: node})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	in := start(warmline.CallInbound, "dead")
	out := start(warmline.CallOutbound, "dead")
	talking := start(warmline.CallInbound, "dead")
	if err := cs.UpdateCall(bg, org.ID, talking, media.CallUpdate{AnsweredAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	done := start(warmline.CallOutbound, "dead")
	cs.EndCall(bg, org.ID, done, media.CallEnd{Outcome: warmline.OutcomeBusy, Reason: "busy", Side: warmline.HangupClient})
	alive := start(warmline.CallInbound, "alive")

	seq := lastSeq(t, db, org.ID)
	at := time.Now().Truncate(time.Millisecond)
	n, err := cs.CloseOrphans(bg, "dead", at)
	if err != nil || n != 3 {
		t.Fatalf("closed %d (%v), want 3", n, err)
	}
	if got := types(eventsOf(t, db, org.ID, seq)); !slices.Equal(got, []string{"call.missed", "call.ended", "call.ended"}) {
		t.Fatalf("events: %v", got)
	}
	for id, want := range map[warmline.CallID]warmline.CallOutcome{in: warmline.OutcomeMissed, out: warmline.OutcomeFailed, talking: warmline.OutcomeAnswered, done: warmline.OutcomeBusy} {
		c, err := cs.FindCall(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != warmline.CallEnded || *c.Outcome != want {
			t.Errorf("call %d: %s %v, want ended %s", id, c.Status, *c.Outcome, want)
		}
		if id != done && (c.EndReason != "interrupted" || *c.HangupSide != warmline.HangupSystem || !c.EndedAt.Equal(at)) {
			t.Errorf("call %d: %q %v %v", id, c.EndReason, *c.HangupSide, c.EndedAt)
		}
	}
	if c, _ := cs.FindCall(ctx, alive); c.Status != warmline.CallRinging {
		t.Errorf("another node's call was closed: %s", c.Status)
	}
	if n, _ := cs.CloseOrphans(bg, "dead", at); n != 0 {
		t.Errorf("closing twice closed %d", n)
	}
}

func TestCallStore_AgentsSeeTheirCallsAndTheirClientsCalls(t *testing.T) {
	db := testDB(t)
	ctx, org, admin := newOrg(t, db)
	a1 := newUser(t, db, ctx, warmline.RoleAgent)
	a2 := newUser(t, db, ctx, warmline.RoleAgent)
	sup := newUser(t, db, ctx, warmline.RoleSupervisor)
	clients := postgres.NewClientStore(db)
	mine, _ := clients.CreateClient(ctx, warmline.ClientInput{Name: ptr("Mine"), OwnerID: ptr(a1.ID)})
	theirs, _ := clients.CreateClient(ctx, warmline.ClientInput{Name: ptr("Theirs"), OwnerID: ptr(a2.ID)})
	cs := postgres.NewCallStore(db)
	start := func(agent *warmline.User, cl *warmline.Client) warmline.CallID {
		c := &warmline.Call{OrgID: org.ID, Direction: warmline.CallOutbound, To: "+79160000001"}
		if agent != nil {
			c.AgentID = &agent.ID
		}
		if cl != nil {
			c.ClientID = &cl.ID
		}
		id, err := cs.StartCall(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a1Mine := start(a1, mine)
	a2Theirs := start(a2, theirs)
	a1Theirs := start(a1, theirs)
	a2Mine := start(a2, mine)
	unknown := start(nil, nil)

	ids := func(actor context.Context, f warmline.CallFilter) []warmline.CallID {
		t.Helper()
		list, err := cs.FindCalls(actor, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []warmline.CallID{}
		for _, c := range list {
			out = append(out, c.ID)
		}
		return out
	}
	all := []warmline.CallID{unknown, a2Mine, a1Theirs, a2Theirs, a1Mine} // newest first
	if got := ids(as(sup), warmline.CallFilter{}); !slices.Equal(got, all) {
		t.Fatalf("supervisor sees %v, want %v", got, all)
	}
	// Agents may see every client: every call with a client, and their own.
	if got := ids(as(a1), warmline.CallFilter{}); !slices.Equal(got, []warmline.CallID{a2Mine, a1Theirs, a2Theirs, a1Mine}) {
		t.Fatalf("agent sees %v", got)
	}
	postgres.NewOrganisationStore(db).UpdateOrganisation(ctx, warmline.OrganisationUpdate{AgentsOwnOnly: ptr(true)})
	if got := ids(as(a1), warmline.CallFilter{}); !slices.Equal(got, []warmline.CallID{a2Mine, a1Theirs, a1Mine}) {
		t.Fatalf("agent with own clients only sees %v", got)
	}
	if _, err := cs.FindCall(as(a1), a2Theirs); warmline.ErrorCode(err) != warmline.ENOTFOUND {
		t.Fatalf("agent read another's call of another's client: %v", err)
	}
	if c, err := cs.FindCall(as(a1), a2Mine); err != nil || c.AgentName != a2.Name || c.ClientName != "Mine" {
		t.Fatalf("agent's client's call: %+v %v", c, err)
	}
	// Filters.
	if got := ids(as(admin), warmline.CallFilter{ClientID: theirs.ID}); !slices.Equal(got, []warmline.CallID{a1Theirs, a2Theirs}) {
		t.Fatalf("by client: %v", got)
	}
	if got := ids(as(admin), warmline.CallFilter{AgentID: a2.ID, Limit: 1}); !slices.Equal(got, []warmline.CallID{a2Mine}) {
		t.Fatalf("by agent, limit 1: %v", got)
	}
	cs.EndCall(context.Background(), org.ID, unknown, media.CallEnd{Outcome: warmline.OutcomeFailed})
	if got := ids(as(admin), warmline.CallFilter{Open: true}); slices.Contains(got, unknown) || len(got) != 4 {
		t.Fatalf("open calls: %v", got)
	}
}

func TestCallStore_ClientByPhoneStatesAndSettings(t *testing.T) {
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	clients := postgres.NewClientStore(db)
	cl, _ := clients.CreateClient(ctx, warmline.ClientInput{Name: ptr("Caller"), Phones: &[]string{"+79161234567"}})
	cs := postgres.NewCallStore(db)
	bg := context.Background()

	for _, number := range []string{"+79161234567", "8 916 123-45-67"} {
		got, err := cs.ClientByPhone(bg, org.ID, number)
		if err != nil || got == nil || got.ID != cl.ID {
			t.Fatalf("by %q: %+v %v", number, got, err)
		}
	}
	for _, number := range []string{"+79160000000", "garbage", ""} {
		if got, err := cs.ClientByPhone(bg, org.ID, number); got != nil || err != nil {
			t.Fatalf("by %q: %+v %v", number, got, err)
		}
	}
	_, org2, _ := newOrg(t, db)
	if got, _ := cs.ClientByPhone(bg, org2.ID, "+79161234567"); got != nil {
		t.Fatal("found another organisation's client")
	}
	clients.DeleteClient(ctx, cl.ID)
	if got, _ := cs.ClientByPhone(bg, org.ID, "+79161234567"); got != nil {
		t.Fatal("found a deleted client")
	}

	// Call-flow states: logged and announced like chosen ones.
	seq := lastSeq(t, db, org.ID)
	for _, st := range []warmline.AgentState{warmline.AgentRinging, warmline.AgentOnCall, warmline.AgentWrapUp} {
		if err := cs.SetAgentState(bg, org.ID, agent.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, cs.SetAgentState(bg, org.ID, agent.ID, "dancing"), warmline.EINVALID)
	if got := types(eventsOf(t, db, org.ID, seq)); len(got) != 3 || got[2] != warmline.EventAgentState {
		t.Fatalf("state events: %v", got)
	}
	var logged int
	db.Get(&logged, `SELECT count(*) FROM agent_state_log WHERE user_id = $1`, agent.ID)
	if logged != 3 {
		t.Fatalf("%d log rows", logged)
	}

	// A late retry of a call-flow state: applied from the call flow's own
	// states, not over away or offline, which agents choose.
	state := func(u warmline.UserID) (st warmline.AgentState) {
		t.Helper()
		if err := db.Get(&st, `SELECT state FROM agent_states WHERE user_id = $1`, u); err != nil {
			t.Fatal(err)
		}
		return st
	}
	if err := cs.SetAgentStateIfReachable(bg, org.ID, agent.ID, warmline.AgentAvailable); err != nil || state(agent.ID) != warmline.AgentAvailable {
		t.Fatalf("from wrap_up: %s %v", state(agent.ID), err)
	}
	for _, chosen := range []warmline.AgentState{warmline.AgentAway, warmline.AgentOffline} {
		cs.SetAgentState(bg, org.ID, agent.ID, chosen)
		if err := cs.SetAgentStateIfReachable(bg, org.ID, agent.ID, warmline.AgentWrapUp); err != nil || state(agent.ID) != chosen {
			t.Fatalf("over %s: %s %v", chosen, state(agent.ID), err)
		}
	}
	fresh := newUser(t, db, ctx, warmline.RoleAgent) // no state yet: offline
	if err := cs.SetAgentStateIfReachable(bg, org.ID, fresh.ID, warmline.AgentOnCall); err != nil {
		t.Fatal(err)
	}
	var rows int
	db.Get(&rows, `SELECT count(*) FROM agent_states WHERE user_id = $1`, fresh.ID)
	if rows != 0 {
		t.Fatal("a retry gave an agent without a state one")
	}
	wantCode(t, cs.SetAgentStateIfReachable(bg, org.ID, agent.ID, "dancing"), warmline.EINVALID)

	// Settings: the defaults, and the demo line until a trunk is enabled.
	ps, err := cs.PhoneSettings(bg, org.ID)
	if err != nil || ps.AutoAnswer != 0 || ps.WrapUp != 30*time.Second || !ps.Demo {
		t.Fatalf("settings: %+v %v", ps, err)
	}
	db.Exec(`UPDATE organisations SET auto_answer_seconds = 3 WHERE id = $1`, org.ID)
	db.Exec(`INSERT INTO trunks (org_id, name, host, enabled) VALUES ($1, 'off', 'sip.example.com', false)`, org.ID)
	if ps, _ = cs.PhoneSettings(bg, org.ID); !ps.Demo || ps.AutoAnswer != 3*time.Second {
		t.Fatalf("with a disabled trunk: %+v", ps)
	}
	db.Exec(`INSERT INTO trunks (org_id, name, host) VALUES ($1, 'on', 'sip.example.com')`, org.ID)
	if ps, _ = cs.PhoneSettings(bg, org.ID); ps.Demo {
		t.Fatalf("with an enabled trunk: %+v", ps)
	}
}

func TestCallStore_RouteInbound(t *testing.T) {
	db := testDB(t)
	ctx, org, admin := newOrg(t, db)
	a1 := newUser(t, db, ctx, warmline.RoleAgent)
	a2 := newUser(t, db, ctx, warmline.RoleAgent)
	cl, _ := postgres.NewClientStore(db).CreateClient(ctx, warmline.ClientInput{Name: ptr("Known"), Phones: &[]string{"+79161234567"}, OwnerID: ptr(a2.ID)})
	cs := postgres.NewCallStore(db)
	bg := context.Background()
	route := func(from string) *media.Route {
		t.Helper()
		r, err := cs.RouteInbound(bg, media.InboundCall{OrgID: org.ID, From: from, At: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := route("+79160000000"); r.MissedReason != warmline.MissedNoAgentsOnline || len(r.Agents) != 0 || r.Client != nil {
		t.Fatalf("nobody online: %+v", r)
	}
	cs.SetAgentState(bg, org.ID, admin.ID, warmline.AgentAway)
	if r := route("+79160000000"); r.MissedReason != warmline.MissedAllBusy {
		t.Fatalf("only an away admin: %+v", r)
	}
	cs.SetAgentState(bg, org.ID, a1.ID, warmline.AgentAvailable)
	time.Sleep(10 * time.Millisecond)
	cs.SetAgentState(bg, org.ID, a2.ID, warmline.AgentAvailable)
	if r := route("+79160000000"); !slices.Equal(r.Agents, []warmline.UserID{a1.ID, a2.ID}) || r.RingFor <= 0 {
		t.Fatalf("unknown caller: longest idle first: %+v", r)
	}
	r := route("8 916 123 45 67")
	if !slices.Equal(r.Agents, []warmline.UserID{a2.ID, a1.ID}) || r.Client == nil || r.Client.ID != cl.ID {
		t.Fatalf("known caller: the owner first: %+v", r)
	}
	cs.SetAgentState(bg, org.ID, a2.ID, warmline.AgentOnCall)
	if r := route("+79161234567"); !slices.Equal(r.Agents, []warmline.UserID{a1.ID}) {
		t.Fatalf("busy owner: %+v", r)
	}
}

func TestCallStore_LoadTrunks(t *testing.T) {
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	ts := postgres.NewTrunkStore(db)
	tr, err := ts.CreateTrunk(ctx, &warmline.Trunk{Name: "Main", Host: "sip.example.com", AuthMode: "register", Username: "u", Password: "s3cret", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	off, _ := ts.CreateTrunk(ctx, &warmline.Trunk{Name: "Off", Host: "10.0.0.1", Enabled: true})
	off.Enabled = false
	if _, err := ts.UpdateTrunk(ctx, off); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.CreateLine(ctx, &warmline.Line{Number: "8 495 000-00-01", TrunkID: &tr.ID}); err != nil {
		t.Fatal(err)
	}
	ts.CreateLine(ctx, &warmline.Line{Number: "+74950000002", TrunkID: &off.ID})
	ts.CreateLine(ctx, &warmline.Line{Number: "+74950000003"})
	db.Exec(`UPDATE organisations SET default_country = 'GB' WHERE id = $1`, org.ID)

	all, err := postgres.NewCallStore(db).LoadTrunks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var mine []media.TrunkConfig
	for _, tc := range all {
		if tc.OrgID == org.ID {
			mine = append(mine, tc)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("loaded %d enabled trunks, want 1: %+v", len(mine), mine)
	}
	got := mine[0]
	if got.ID != tr.ID || got.Password != "s3cret" || got.DefaultCountry != "GB" || len(got.Lines) != 1 ||
		got.Lines[0].Number != "+74950000001" || !slices.Equal(got.Codecs, []string{"PCMU", "PCMA"}) {
		t.Fatalf("trunk config: %+v", got)
	}
}
