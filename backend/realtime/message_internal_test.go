package realtime

import (
	"testing"

	"github.com/warmline/warmline/backend/warmline"
)

// Who sees what: supervisors everything; agents everything unless the
// organisation limits them to their own clients, then only the events of
// their clients and calls; another agent's plan alert never.
func TestFrameForFiltersByAudience(t *testing.T) {
	const me = warmline.UserID(7)
	agent := &subscriber{actor: warmline.Actor{UserID: me, Role: warmline.RoleAgent}}
	boss := &subscriber{actor: warmline.Actor{UserID: 1, Role: warmline.RoleSupervisor}}
	cases := []struct {
		typ, data        string
		ownOnly, visible bool // visible: to the agent
	}{
		{warmline.EventClientUpdated, `{"owner_id":7}`, true, true},
		{warmline.EventClientUpdated, `{"owner_id":8}`, true, false},
		{warmline.EventClientUpdated, `{"owner_id":null}`, true, false},
		{warmline.EventClientUpdated, `{"owner_id":8}`, false, true},
		{warmline.EventClientMoved, `{"client":{"owner_id":7}}`, true, true},
		{warmline.EventClientMoved, `{"client":{"owner_id":8}}`, true, false},
		{warmline.EventCallRinging, `{"agent_id":7,"client_owner_id":8}`, true, true},
		{warmline.EventCallMissed, `{"agent_id":null,"client_owner_id":7}`, true, true},
		{warmline.EventCallEnded, `{"agent_id":8,"client_owner_id":8}`, true, false},
		{warmline.EventCallEnded, `{"agent_id":8,"client_owner_id":8}`, false, true},
		{warmline.EventWorkItemCreated, `{"owner_id":7}`, true, true},
		{warmline.EventWorkItemClosed, `{"owner_id":8}`, true, false},
		{warmline.EventRuleAction, `{"client_id":3}`, true, false},
		{warmline.EventRuleAction, `{"client_id":3}`, false, true},
		{warmline.EventPlanAlert, `{"agent_id":7}`, false, true},
		{warmline.EventPlanAlert, `{"agent_id":8}`, false, false},
		{warmline.EventStageUpdated, `{"id":1}`, true, true},
	}
	for _, c := range cases {
		ev, err := newEvent(&warmline.Event{Seq: 5, Type: c.typ, Data: []byte(c.data)})
		if err != nil {
			t.Fatal(err)
		}
		got := string(ev.frameFor(agent, c.ownOnly)) == string(ev.frame)
		if got != c.visible {
			t.Errorf("%s %s own-only=%v: agent sees it = %v, want %v", c.typ, c.data, c.ownOnly, got, c.visible)
		}
		if string(ev.frameFor(boss, c.ownOnly)) != string(ev.frame) {
			t.Errorf("%s %s: a supervisor must see every event", c.typ, c.data)
		}
	}
}
