package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/media"
)

// dialPhone opens /ws/phone as c's browser would, with origin (none when empty).
func dialPhone(t *testing.T, ts *testServer, c *client, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := websocket.Dialer{Jar: c.http.Jar, HandshakeTimeout: 5 * time.Second}
	return d.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/ws/phone", h)
}

func TestPhoneWS_AuthOriginAndHandOver(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Phone WS Org")
	agent := ts.addUser(t, admin, "agent")

	refused := func(name string, c *client, origin string, status int) {
		t.Helper()
		ws, res, err := dialPhone(t, ts, c, origin)
		if err == nil {
			ws.Close()
			t.Fatalf("%s: upgraded", name)
		}
		if res == nil || res.StatusCode != status {
			t.Fatalf("%s: %v %v, want %d", name, res, err, status)
		}
	}
	refused("no session", ts.newClient(t), ts.URL, 401)
	refused("a foreign origin", agent.client, "https://evil.example", 403)
	refused("no origin", agent.client, "", 403)
	refused("no gateway", agent.client, ts.URL, 503)

	phone := newPhoneRecorder()
	ts.API.Phone = phone
	ws, _, err := dialPhone(t, ts, agent.client, ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	select {
	case a := <-phone.served:
		if a != (media.Agent{OrgID: warmline.OrgID(agent.OrgID), ID: warmline.UserID(agent.ID), Name: "A agent"}) {
			t.Fatalf("served %+v", a)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the gateway never got the socket")
	}
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	if _, b, err := ws.ReadMessage(); err != nil || string(b) != `{"type":"ping"}` {
		t.Fatalf("echo %q %v", b, err)
	}
	// A frame over 64 KiB closes the socket (1009, message too big).
	ws.WriteMessage(websocket.TextMessage, []byte(`"`+strings.Repeat("x", 64<<10)+`"`))
	select {
	case err := <-phone.closed:
		if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) && !strings.Contains(err.Error(), "read limit") {
			t.Fatalf("closed with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an oversized frame was read")
	}
}

func TestPhoneWS_EndsWithTheSession(t *testing.T) {
	ts := newTestServer(t)
	ts.API.PhoneSessionCheck = 50 * time.Millisecond
	admin := ts.signUp(t, "Phone Session Org")
	phone := newPhoneRecorder()
	ts.API.Phone = phone
	ws, _, err := dialPhone(t, ts, admin.client, ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	<-phone.served
	select {
	case err := <-phone.closed:
		t.Fatalf("closed while logged in: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	// Logging out (here or in another tab) ends the softphone.
	admin.do("POST", "/api/v1/auth/logout", nil).must(t, 204)
	select {
	case <-phone.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the softphone outlived its session")
	}
}
