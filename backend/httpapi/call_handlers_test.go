package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/warmline/warmline/backend/httpapi"
	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/media"
)

// phoneRecorder stands in for the media gateway: it records what the API
// asks of it and answers with what the test sets. The real gateway is
// tested in media/ and end to end.
type phoneRecorder struct {
	mu       sync.Mutex
	dials    []dialed
	reloads  int
	demo     []demoCall
	dialErr  error
	nextCall warmline.CallID
	// served receives each softphone connection's agent; the recorder
	// then echoes the socket's frames until it closes, and sends the read
	// error on closed.
	served chan media.Agent
	closed chan error
}

type dialed struct {
	Agent  media.Agent
	To     string
	Client warmline.ClientID
}

type demoCall struct {
	Org  warmline.OrgID
	From string
}

var _ httpapi.Phone = (*phoneRecorder)(nil)

func newPhoneRecorder() *phoneRecorder {
	return &phoneRecorder{nextCall: 1000, served: make(chan media.Agent, 4), closed: make(chan error, 4)}
}

func (p *phoneRecorder) ServeAgent(ctx context.Context, a media.Agent, ws *websocket.Conn) {
	defer ws.Close()
	p.served <- a
	stop := context.AfterFunc(ctx, func() { ws.Close() }) // as the gateway does
	defer stop()
	for {
		mt, b, err := ws.ReadMessage()
		if err != nil {
			p.closed <- err
			return
		}
		if err := ws.WriteMessage(mt, b); err != nil {
			p.closed <- err
			return
		}
	}
}

func (p *phoneRecorder) Dial(ctx context.Context, a media.Agent, to string, client warmline.ClientID) (warmline.CallID, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dialErr != nil {
		return 0, p.dialErr
	}
	p.dials = append(p.dials, dialed{a, to, client})
	p.nextCall++
	return p.nextCall, nil
}

func (p *phoneRecorder) Reload(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reloads++
	return nil
}

func (p *phoneRecorder) DemoCallIn(ctx context.Context, org warmline.OrgID, from string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.demo = append(p.demo, demoCall{org, from})
	return nil
}

func (p *phoneRecorder) reloaded() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reloads
}

// startCall writes a call record as the gateway would.
func startCall(t *testing.T, ts *testServer, org int64, agent, client int64) int64 {
	t.Helper()
	c := &warmline.Call{OrgID: warmline.OrgID(org), Direction: warmline.CallOutbound, From: "+74950000000", To: "+79161234567"}
	if agent != 0 {
		c.AgentID = ptrTo(warmline.UserID(agent))
	}
	if client != 0 {
		c.ClientID = ptrTo(warmline.ClientID(client))
	}
	id, err := postgres.NewCallStore(ts.DB).StartCall(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return int64(id)
}

func ptrTo[T any](v T) *T { return &v }

func TestCalls_ListAndRead(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Calls Org")
	agent := ts.addUser(t, admin, "agent")
	other := ts.addUser(t, admin, "agent")
	admin.api("PATCH", "/api/v1/organisation", map[string]any{"agents_own_clients_only": true}).must(t, 200)
	mine := idOf(t, admin.do("POST", "/api/v1/clients", map[string]any{"name": "Мой клиент", "owner_id": agent.ID}).must(t, 201))
	theirs := idOf(t, admin.do("POST", "/api/v1/clients", map[string]any{"name": "Чужой клиент", "owner_id": other.ID}).must(t, 201))
	c1 := startCall(t, ts, admin.OrgID, agent.ID, mine)
	c2 := startCall(t, ts, admin.OrgID, other.ID, theirs)
	c3 := startCall(t, ts, admin.OrgID, other.ID, mine)
	postgres.NewCallStore(ts.DB).EndCall(context.Background(), warmline.OrgID(admin.OrgID), warmline.CallID(c1),
		media.CallEnd{Outcome: warmline.OutcomeAnswered, Reason: "hangup", Side: warmline.HangupAgent})

	ids := func(c *account, query string) []int64 {
		t.Helper()
		var page struct{ Items []warmline.Call }
		c.api("GET", "/api/v1/calls"+query, nil).must(t, 200).JSON(t, &page)
		out := []int64{}
		for _, c := range page.Items {
			out = append(out, int64(c.ID))
		}
		return out
	}
	if got := fmt.Sprint(ids(admin, "")); got != fmt.Sprint([]int64{c3, c2, c1}) {
		t.Fatalf("admin sees %s", got)
	}
	if got := fmt.Sprint(ids(agent, "")); got != fmt.Sprint([]int64{c3, c1}) {
		t.Fatalf("agent sees %s", got)
	}
	if got := fmt.Sprint(ids(admin, fmt.Sprintf("?client_id=%d&open=true", mine))); got != fmt.Sprint([]int64{c3}) {
		t.Fatalf("open calls of the client: %s", got)
	}
	if got := fmt.Sprint(ids(admin, fmt.Sprintf("?agent_id=%d&limit=1", other.ID))); got != fmt.Sprint([]int64{c3}) {
		t.Fatalf("the agent's last call: %s", got)
	}
	for _, q := range []string{"?open=yes", "?limit=0", "?limit=100000", "?client_id=x"} {
		if e := admin.api("GET", "/api/v1/calls"+q, nil).must(t, 400).Error(t); e.Field == "" {
			t.Errorf("%s: no field in %+v", q, e)
		}
	}

	var call map[string]any
	admin.api("GET", fmt.Sprintf("/api/v1/calls/%d", c1), nil).must(t, 200).JSON(t, &call)
	if call["client_name"] != "Мой клиент" || call["outcome"] != "answered" || call["hangup_side"] != "agent" || call["agent_name"] != "A agent" {
		t.Fatalf("call %v", call)
	}
	for _, hidden := range []string{"sip_call_id", "node", "org_id"} {
		if _, ok := call[hidden]; ok {
			t.Errorf("the call shows %s", hidden)
		}
	}
	agent.api("GET", fmt.Sprintf("/api/v1/calls/%d", c2), nil).must(t, 404)
	agent.api("GET", fmt.Sprintf("/api/v1/calls/%d", c3), nil).must(t, 200)
}

func TestCallCreate_RingsTheAgentThroughTheGateway(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Dial Org")
	agent := ts.addUser(t, admin, "agent")
	client := idOf(t, admin.do("POST", "/api/v1/clients", map[string]any{"name": "Ромашка", "phones": []string{"8 916 123-45-67", "+79160000002"}}).must(t, 201))
	silent := idOf(t, admin.do("POST", "/api/v1/clients", map[string]any{"name": "Без телефона"}).must(t, 201))

	// Without a gateway: a clear 503, not a crash.
	if e := agent.api("POST", "/api/v1/calls", map[string]any{"client_id": client}).must(t, 503).Error(t); e.Code != "unavailable" || !strings.Contains(e.Error, "gateway") {
		t.Fatalf("without a gateway: %+v", e)
	}

	phone := newPhoneRecorder()
	ts.API.Phone = phone
	var created httpapi.CallCreated
	agent.api("POST", "/api/v1/calls", map[string]any{"client_id": client}).must(t, 201).JSON(t, &created)
	agent.api("POST", "/api/v1/calls", map[string]any{"client_id": client, "to": "+79160000002"}).must(t, 201)
	agent.api("POST", "/api/v1/calls", map[string]any{"to": " 8 800 555-35-35 "}).must(t, 201)
	if created.CallID != 1001 || len(phone.dials) != 3 {
		t.Fatalf("created %+v, dials %+v", created, phone.dials)
	}
	want := []dialed{
		{media.Agent{OrgID: warmline.OrgID(agent.OrgID), ID: warmline.UserID(agent.ID), Name: "A agent"}, "+79161234567", warmline.ClientID(client)},
		{media.Agent{OrgID: warmline.OrgID(agent.OrgID), ID: warmline.UserID(agent.ID), Name: "A agent"}, "+79160000002", warmline.ClientID(client)},
		{media.Agent{OrgID: warmline.OrgID(agent.OrgID), ID: warmline.UserID(agent.ID), Name: "A agent"}, "8 800 555-35-35", 0},
	}
	if fmt.Sprint(phone.dials) != fmt.Sprint(want) {
		t.Fatalf("dials %+v\nwant %+v", phone.dials, want)
	}

	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{}, "to"},
		{map[string]any{"client_id": silent}, "to"},
		{map[string]any{"client_id": 999999999}, "client_id"},
		{map[string]any{"to": 12}, "to"},
	} {
		if e := agent.api("POST", "/api/v1/calls", c.body).must(t, 400).Error(t); e.Field != c.field {
			t.Errorf("%v: field %q, want %q", c.body, e.Field, c.field)
		}
	}
	// An agent limited to their own clients cannot call someone else's.
	admin.api("PATCH", "/api/v1/organisation", map[string]any{"agents_own_clients_only": true}).must(t, 200)
	agent.api("POST", "/api/v1/calls", map[string]any{"client_id": client}).must(t, 400)

	// The softphone is off: the gateway's conflict reaches the browser as 409.
	phone.dialErr = warmline.Errorf(warmline.ECONFLICT, "Turn your softphone on to call.")
	if e := admin.api("POST", "/api/v1/calls", map[string]any{"client_id": client}).must(t, 409).Error(t); !strings.Contains(e.Error, "softphone") {
		t.Fatalf("softphone off: %+v", e)
	}
}
