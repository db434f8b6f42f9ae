package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/warmline/warmline/backend/httpapi"
	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/realtime"
	"github.com/warmline/warmline/backend/warmline"
)

// node is one `warmline serve`: API and hub on a loopback port.
type node struct {
	*httptest.Server
	hub *realtime.Hub
}

func startNode(t *testing.T, db *postgres.DB, dsn string, cfg realtime.Config) *node {
	t.Helper()
	return startNodeOn(t, db, dsn, cfg, nil)
}

// startNodeOn is startNode with the node's listener wrapped by wrap (nil: as it is).
func startNodeOn(t *testing.T, db *postgres.DB, dsn string, cfg realtime.Config, wrap func(net.Listener) net.Listener) *node {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := httpapi.NewServer(db, httpapi.Config{}, log)
	cfg.Listener = postgres.NewListener(dsn, log)
	cfg.Sessions = api.Sessions
	api.Hub = realtime.NewHub(db, cfg, log)
	ctx, cancel := context.WithCancel(context.Background())
	if err := cfg.Listener.Start(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { api.Hub.Run(ctx); close(done) }()
	srv := httptest.NewUnstartedServer(api)
	if wrap != nil {
		srv.Listener = wrap(srv.Listener)
	}
	srv.Start()
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close(); cancel(); <-done; <-cfg.Listener.Done() })
	return &node{Server: srv, hub: api.Hub}
}

var seq atomic.Int64

// member is a user of an organisation with an open session.
type member struct {
	user  *warmline.User
	token string
	ctx   context.Context
}

func signUp(t *testing.T, db *postgres.DB) *member {
	t.Helper()
	n := seq.Add(1)
	_, u, err := postgres.NewOrganisationStore(db).SignUp(context.Background(), warmline.SignUp{
		OrgName: fmt.Sprintf("Org %d", n), Name: "Admin", Email: fmt.Sprintf("admin%d@example.com", n), Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	return login(t, db, u)
}

func addUser(t *testing.T, db *postgres.DB, admin *member, role warmline.Role) *member {
	t.Helper()
	n := seq.Add(1)
	u, err := postgres.NewUserStore(db).CreateUser(admin.ctx, warmline.NewUser{
		Email: fmt.Sprintf("user%d@example.com", n), Name: fmt.Sprintf("User %d", n), Role: role, Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	return login(t, db, u)
}

func login(t *testing.T, db *postgres.DB, u *warmline.User) *member {
	token, err := postgres.NewSessionStore(db, time.Hour).OpenFor(context.Background(), u, "")
	if err != nil {
		t.Fatal(err)
	}
	return &member{user: u, token: token, ctx: warmline.WithActor(context.Background(), warmline.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role})}
}

// stream is a browser's open /ws. A goroutine reads it into a channel,
// because gorilla's connection is unusable after a read deadline passes.
type stream struct {
	t    *testing.T
	ws   *websocket.Conn
	msgs chan []byte
	err  chan error
	gate chan struct{} // full while the stream is paused
}

// pause stops reading the socket (after the read in progress), as a
// browser busy elsewhere; resume reads again.
func (s *stream) pause()  { s.gate <- struct{}{} }
func (s *stream) resume() { <-s.gate }

func newStream(t *testing.T, ws *websocket.Conn) *stream {
	s := &stream{t: t, ws: ws, msgs: make(chan []byte, 1024), err: make(chan error, 1), gate: make(chan struct{}, 1)}
	go func() {
		for {
			s.gate <- struct{}{} // held while paused
			<-s.gate
			_, b, err := ws.ReadMessage()
			if err != nil {
				s.err <- err
				return
			}
			s.msgs <- b
		}
	}()
	return s
}

func dial(t *testing.T, n *node, m *member, after string) (*stream, *http.Response, error) {
	t.Helper()
	url := "ws" + strings.TrimPrefix(n.URL, "http") + "/ws"
	if after != "" {
		url += "?after=" + after
	}
	h := http.Header{"Origin": {n.URL}}
	if m != nil {
		h.Set("Cookie", httpapi.SessionCookie+"="+m.token)
	}
	ws, res, err := websocket.DefaultDialer.Dial(url, h)
	if err != nil {
		return nil, res, err
	}
	t.Cleanup(func() { ws.Close() })
	return newStream(t, ws), res, nil
}

func mustDial(t *testing.T, n *node, m *member, after string) *stream {
	t.Helper()
	s, res, err := dial(t, n, m, after)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial: %v (HTTP %d)", err, status)
	}
	return s
}

var errTimeout = errors.New("nothing arrived in time")

func (s *stream) next(within time.Duration) (realtime.Message, error) {
	var m realtime.Message
	select {
	case b := <-s.msgs:
		return m, json.Unmarshal(b, &m)
	case err := <-s.err:
		s.err <- err // stays failed
		return m, err
	case <-time.After(within):
		return m, errTimeout
	}
}

func (s *stream) must(within time.Duration) realtime.Message {
	s.t.Helper()
	m, err := s.next(within)
	if err != nil {
		s.t.Fatalf("read: %v", err)
	}
	return m
}

// silent asserts nothing arrives for a while.
func (s *stream) silent(d time.Duration) {
	s.t.Helper()
	if m, err := s.next(d); err == nil {
		s.t.Fatalf("unexpected message %s #%d", m.Type, m.Seq)
	}
}

func newClients(t *testing.T, db *postgres.DB, m *member, n int) {
	t.Helper()
	cs := postgres.NewClientStore(db)
	for i := 0; i < n; i++ {
		if _, err := cs.CreateClient(m.ctx, warmline.ClientInput{Name: ptr(fmt.Sprintf("Client %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestHub_DeliversEveryEventInCommitOrder(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{})
	admin := signUp(t, db)
	s := mustDial(t, n, admin, "")
	hello := s.must(2 * time.Second)
	if hello.Type != realtime.TypeHello {
		t.Fatalf("first message %s", hello.Type)
	}
	// Writers race on purpose: the sequence must still arrive gap-free and in order.
	const writers, each = 4, 15
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cs := postgres.NewClientStore(db)
			for i := 0; i < each; i++ {
				if _, err := cs.CreateClient(admin.ctx, warmline.ClientInput{Name: ptr("Racer")}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	want := hello.Seq + 1
	for i := 0; i < writers*each; i++ {
		m := s.must(5 * time.Second)
		if m.Seq != want || m.Type != warmline.EventClientCreated {
			t.Fatalf("event %d: got %s #%d, want client.created #%d", i, m.Type, m.Seq, want)
		}
		want++
	}
	s.silent(300 * time.Millisecond)
}

func TestHub_ResumeGetsExactlyWhatWasMissed(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{})
	admin := signUp(t, db)
	s := mustDial(t, n, admin, "")
	s.must(2 * time.Second)
	newClients(t, db, admin, 3)
	var last int64
	for i := 0; i < 3; i++ {
		last = s.must(5 * time.Second).Seq
	}
	s.ws.Close()

	newClients(t, db, admin, 7) // missed while offline
	r := mustDial(t, n, admin, fmt.Sprint(last))
	if h := r.must(2 * time.Second); h.Type != realtime.TypeHello || h.Seq != last {
		t.Fatalf("hello = %+v, want seq %d", h, last)
	}
	for i := int64(1); i <= 7; i++ {
		if m := r.must(2 * time.Second); m.Seq != last+i {
			t.Fatalf("resumed event %d has seq %d, want %d", i, m.Seq, last+i)
		}
	}
	r.silent(300 * time.Millisecond)
	newClients(t, db, admin, 1) // and then live again
	if m := r.must(5 * time.Second); m.Seq != last+8 {
		t.Fatalf("live after resume: seq %d, want %d", m.Seq, last+8)
	}
}

func TestHub_TooFarBehindOrAheadGetsResync(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{MaxBackfill: 5})
	admin := signUp(t, db)
	newClients(t, db, admin, 10)
	latest, _ := postgres.NewEventStore(db).LatestSeq(admin.ctx)
	for _, after := range []string{"1", fmt.Sprint(latest + 100)} {
		s := mustDial(t, n, admin, after)
		s.must(2 * time.Second) // hello
		if m := s.must(2 * time.Second); m.Type != realtime.TypeResync || m.Seq != latest {
			t.Fatalf("after=%s: got %s #%d, want resync #%d", after, m.Type, m.Seq, latest)
		}
	}
	// Within the backfill window, no resync: the events themselves.
	s := mustDial(t, n, admin, fmt.Sprint(latest-3))
	s.must(2 * time.Second)
	if m := s.must(2 * time.Second); m.Seq != latest-2 {
		t.Fatalf("got %s #%d", m.Type, m.Seq)
	}
}

func TestHub_TwoNodesEachDeliverEveryEvent(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	a := startNode(t, db, dsn, realtime.Config{})
	b := startNode(t, db, dsn, realtime.Config{})
	admin := signUp(t, db)
	sa, sb := mustDial(t, a, admin, ""), mustDial(t, b, admin, "")
	ha, hb := sa.must(2*time.Second), sb.must(2*time.Second)
	// Writes go through node a's API, as a browser on node a would.
	c := &http.Client{}
	for i := 0; i < 5; i++ {
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/api/v1/clients", strings.NewReader(`{"name":"Via node a"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", a.URL)
		req.Header.Set("Cookie", httpapi.SessionCookie+"="+admin.token)
		res, err := c.Do(req)
		if err != nil || res.StatusCode != 201 {
			t.Fatalf("create via node a: %v %v", err, res)
		}
		res.Body.Close()
	}
	for name, s := range map[string]*stream{"a": sa, "b": sb} {
		start := ha.Seq
		if name == "b" {
			start = hb.Seq
		}
		for i := int64(1); i <= 5; i++ {
			if m := s.must(5 * time.Second); m.Seq != start+i {
				t.Fatalf("node %s: event seq %d, want %d", name, m.Seq, start+i)
			}
		}
	}
}

func TestHub_SlowClientIsDroppedOthersUnaffected(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{SendBuffer: 32})
	admin := signUp(t, db)
	// The slow browser never reads: a raw connection with no reader goroutine
	// and a tiny receive buffer, so the server's writes block and its queue fills.
	url := "ws" + strings.TrimPrefix(n.URL, "http") + "/ws"
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			c.(*net.TCPConn).SetReadBuffer(4096)
		}
		return c, err
	}}
	slow, _, err := dialer.Dial(url, http.Header{"Origin": {n.URL}, "Cookie": {httpapi.SessionCookie + "=" + admin.token}})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fast := mustDial(t, n, admin, "")
	fast.must(2 * time.Second)
	big := strings.Repeat("ж", 19000) // ~38 KB a frame: kernel buffers fill after a few MB
	cs := postgres.NewClientStore(db)
	const total = 200
	got := make(chan error, 1)
	go func() {
		for i := 0; i < total; i++ {
			m, err := fast.next(5 * time.Second)
			if err != nil {
				got <- fmt.Errorf("fast client, event %d: %w", i, err)
				return
			}
			if m.Type != warmline.EventClientCreated {
				got <- fmt.Errorf("fast client got %s", m.Type)
				return
			}
		}
		got <- nil
	}()
	for i := 0; i < total; i++ {
		if _, err := cs.CreateClient(admin.ctx, warmline.ClientInput{Name: ptr("Bulky"), Notes: &big}); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	// The slow one was dropped from delivery (it resumes when it reconnects).
	if c := n.hub.Connections(); c != 1 {
		t.Fatalf("%d connections on the hub, want only the fast one", c)
	}
}

// A browser that stops reading for a while, with pings due meanwhile,
// then reads everything: every frame arrives whole and in order. The
// node's sockets have small send buffers, so writes block half done and
// pings wait behind them.
func TestHub_LateReaderGetsWholeFramesInOrder(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNodeOn(t, db, dsn, realtime.Config{SendBuffer: 4096, PingEvery: 5 * time.Millisecond},
		func(l net.Listener) net.Listener { return smallSendBuffers{l} })
	admin := signUp(t, db)
	late := mustDial(t, n, admin, "")
	hello := late.must(2 * time.Second) // subscribed: every event after it comes
	late.pause()
	big := strings.Repeat("ж", 19000) // ~38 KB a frame
	cs := postgres.NewClientStore(db)
	const total = 40
	for i := 0; i < total; i++ {
		if _, err := cs.CreateClient(admin.ctx, warmline.ClientInput{Name: ptr(fmt.Sprint("Bulky ", i)), Notes: &big}); err != nil {
			t.Fatal(err)
		}
	}
	late.resume()
	for i := 0; i < total; i++ {
		m := late.must(5 * time.Second)
		var c warmline.Client
		if err := json.Unmarshal(m.Data, &c); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if m.Type != warmline.EventClientCreated || m.Seq != hello.Seq+int64(i)+1 || c.Name != fmt.Sprint("Bulky ", i) || c.Notes != big {
			t.Fatalf("event %d: %s #%d %q, want client.created #%d %q", i, m.Type, m.Seq, c.Name, hello.Seq+int64(i)+1, fmt.Sprint("Bulky ", i))
		}
	}
}

// smallSendBuffers gives every accepted connection a send buffer of 4 KiB.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		c.(*net.TCPConn).SetWriteBuffer(4096)
	}
	return c, err
}

func TestHub_RefusesForeignOriginsAndStrangers(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{})
	admin := signUp(t, db)
	url := "ws" + strings.TrimPrefix(n.URL, "http") + "/ws"
	cases := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"a foreign origin with the cookie", http.Header{"Origin": {"https://evil.example"}, "Cookie": {httpapi.SessionCookie + "=" + admin.token}}, 403},
		{"no origin with the cookie", http.Header{"Cookie": {httpapi.SessionCookie + "=" + admin.token}}, 403},
		{"our origin without a session", http.Header{"Origin": {n.URL}}, 401},
		{"our origin with a dead session", http.Header{"Origin": {n.URL}, "Cookie": {httpapi.SessionCookie + "=forged"}}, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, res, err := websocket.DefaultDialer.Dial(url, tc.header)
			if err == nil || res == nil || res.StatusCode != tc.want {
				t.Fatalf("dial: err=%v status=%v, want %d", err, res, tc.want)
			}
		})
	}
}

func TestHub_NoEventCrossesOrganisations(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{})
	alpha, bravo := signUp(t, db), signUp(t, db)
	sa, sb := mustDial(t, n, alpha, ""), mustDial(t, n, bravo, "")
	sa.must(2 * time.Second)
	sb.must(2 * time.Second)
	newClients(t, db, alpha, 3)
	for i := 0; i < 3; i++ {
		sa.must(5 * time.Second)
	}
	sb.silent(500 * time.Millisecond)
	newClients(t, db, bravo, 1)
	if m := sb.must(5 * time.Second); m.Type != warmline.EventClientCreated || strings.Contains(string(m.Data), "Client 1") {
		t.Fatalf("bravo got %s %s", m.Type, m.Data)
	}
	sa.silent(300 * time.Millisecond)
}

func TestHub_AgentsLimitedToOwnClientsGetOnlyTheirEvents(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{})
	admin := signUp(t, db)
	agent := addUser(t, db, admin, warmline.RoleAgent)
	other := addUser(t, db, admin, warmline.RoleAgent)
	if _, err := postgres.NewOrganisationStore(db).UpdateOrganisation(admin.ctx, warmline.OrganisationUpdate{AgentsOwnOnly: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	s := mustDial(t, n, agent, "")
	sup := mustDial(t, n, admin, "")
	s.must(2 * time.Second)
	sup.must(2 * time.Second)
	cs := postgres.NewClientStore(db)
	if _, err := cs.CreateClient(other.ctx, warmline.ClientInput{Name: ptr("Not yours")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CreateClient(agent.ctx, warmline.ClientInput{Name: ptr("Yours")}); err != nil {
		t.Fatal(err)
	}
	// The other agent's client arrives as a bare skip, keeping the sequence whole.
	skip, mine := s.must(5*time.Second), s.must(5*time.Second)
	if skip.Type != realtime.TypeSkip || len(skip.Data) != 0 || strings.Contains(string(mine.Data), "Not yours") ||
		!strings.Contains(string(mine.Data), "Yours") || mine.Seq != skip.Seq+1 {
		t.Fatalf("agent got %s #%d %s, then %s #%d %s", skip.Type, skip.Seq, skip.Data, mine.Type, mine.Seq, mine.Data)
	}
	for _, name := range []string{"Not yours", "Yours"} {
		if m := sup.must(5 * time.Second); !strings.Contains(string(m.Data), name) {
			t.Fatalf("admin got %s, want %s", m.Data, name)
		}
	}
}

func TestHub_BadInputClosesOnlyThatConnection(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{})
	admin := signUp(t, db)
	bystander := mustDial(t, n, admin, "")
	bystander.must(2 * time.Second)
	cases := []struct {
		name string
		send func(ws *websocket.Conn)
		code int
	}{
		{"an unknown message type", func(ws *websocket.Conn) { ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"shutdown"}`)) }, realtime.CloseUnknownType},
		{"a frame over 4 KiB", func(ws *websocket.Conn) {
			ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping","pad":"`+strings.Repeat("a", 5000)+`"}`))
		}, websocket.CloseMessageTooBig},
		{"not JSON", func(ws *websocket.Conn) { ws.WriteMessage(websocket.TextMessage, []byte(`{{{`)) }, websocket.CloseUnsupportedData},
		{"a flood of pings", func(ws *websocket.Conn) {
			for i := 0; i < 50; i++ {
				ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`))
			}
		}, realtime.CloseFlood},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := mustDial(t, n, admin, "")
			s.must(2 * time.Second)
			tc.send(s.ws)
			for {
				_, err := s.next(5 * time.Second)
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					if ce.Code != tc.code {
						t.Fatalf("closed with %d %q, want %d", ce.Code, ce.Text, tc.code)
					}
					break
				} else if err != nil {
					t.Fatalf("want a close frame, got %v", err)
				}
			}
		})
	}
	// The bystander still gets live events promptly.
	start := time.Now()
	newClients(t, db, admin, 1)
	bystander.must(5 * time.Second)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("bystander waited %v", d)
	}
	// And a ping is answered.
	bystander.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`))
	if m := bystander.must(2 * time.Second); m.Type != realtime.TypePong {
		t.Fatalf("got %s, want pong", m.Type)
	}
}

// A logout (or a deactivation, an expiry) closes the connections of that
// session, found by the hub's one check of all its sessions; the same
// user's other sessions stay connected.
func TestHub_EndedSessionIsClosedOthersStay(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{SessionCheckEvery: 100 * time.Millisecond})
	admin := signUp(t, db)
	other := login(t, db, admin.user) // the same admin in another browser
	gone := []*stream{mustDial(t, n, admin, ""), mustDial(t, n, admin, "")}
	stays := mustDial(t, n, other, "")
	for _, s := range append(gone, stays) {
		s.must(2 * time.Second)
	}
	if err := postgres.NewSessionStore(db, time.Hour).Logout(context.Background(), admin.token); err != nil {
		t.Fatal(err)
	}
	for _, s := range gone {
		_, err := s.next(3 * time.Second)
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != realtime.CloseSessionEnd {
			t.Fatalf("after logout the connection got %v, want close %d", err, realtime.CloseSessionEnd)
		}
	}
	time.Sleep(300 * time.Millisecond) // three more checks
	newClients(t, db, other, 1)
	if m := stays.must(5 * time.Second); m.Type != warmline.EventClientCreated {
		t.Fatalf("the other session's connection got %s, want client.created", m.Type)
	}
}

func TestHub_ClosedTabMakesTheAgentOfflineWithinSeconds(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{HeartbeatEvery: 200 * time.Millisecond, OfflineAfter: 1 * time.Second})
	admin := signUp(t, db)
	agent := addUser(t, db, admin, warmline.RoleAgent)
	sup := mustDial(t, n, admin, "")
	sup.must(2 * time.Second)
	tab := mustDial(t, n, agent, "")
	tab.must(2 * time.Second)
	ps := postgres.NewPresenceStore(db)
	if _, err := ps.SetState(agent.ctx, warmline.AgentAvailable, ""); err != nil {
		t.Fatal(err)
	}
	want := func(state warmline.AgentState, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			m, err := sup.next(time.Until(deadline))
			if err != nil {
				t.Fatalf("waiting for %s: %v", state, err)
			}
			if m.Type == warmline.EventAgentState {
				var p warmline.Presence
				json.Unmarshal(m.Data, &p)
				if p.UserID == agent.user.ID && p.State == state {
					return
				}
			}
		}
	}
	want(warmline.AgentAvailable, 3*time.Second)
	// While the tab is open, heartbeats keep the agent available.
	sup.silent(2500 * time.Millisecond)
	tab.ws.Close()
	start := time.Now()
	want(warmline.AgentOffline, 5*time.Second)
	t.Logf("offline %v after the tab closed", time.Since(start).Round(100*time.Millisecond))
}

// The browser's control frames are answered by the connection's writer:
// a ping with a pong carrying its data, a close with a close echoing its
// code (RFC 6455 §5.5).
func TestHub_AnswersPingAndCloseFrames(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	n := startNode(t, db, dsn, realtime.Config{})
	admin := signUp(t, db)
	s := mustDial(t, n, admin, "")
	s.must(2 * time.Second)
	pong := make(chan string, 1)
	s.ws.SetPongHandler(func(data string) error { pong <- data; return nil })
	if err := s.ws.WriteControl(websocket.PingMessage, []byte("still there?"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-pong:
		if got != "still there?" {
			t.Fatalf("pong carried %q", got)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no pong")
	}
	// Still live after it.
	newClients(t, db, admin, 1)
	if m := s.must(2 * time.Second); m.Type != warmline.EventClientCreated {
		t.Fatalf("got %s, want %s", m.Type, warmline.EventClientCreated)
	}
	if err := s.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "bye"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err := s.next(2 * time.Second)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("after closing: %v, want the close echoed with %d", err, websocket.CloseGoingAway)
	}
}
