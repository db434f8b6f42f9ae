package realtime

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Frames written as they are to a real socket read back, through a
// WebSocket client, as the messages they carry: every length encoding of
// RFC 6455 §5.2 (7 bits, 16 bits, 64 bits) on both sides of its bounds, a
// ping, a batch in one write, and the close with its code.
func TestFramesReadBackByAWebSocketClient(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 127, 0xFFFF, 0x10000, 70000}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		conn := ws.UnderlyingConn()
		for _, n := range sizes[:len(sizes)-2] {
			conn.Write(textFrame(bytes.Repeat([]byte{'a' + byte(n%26)}, n)))
		}
		conn.Write(frame(opPing, []byte("are you there")))
		batch := net.Buffers{textFrame(bytes.Repeat([]byte{'x'}, sizes[len(sizes)-2])), textFrame(bytes.Repeat([]byte{'y'}, sizes[len(sizes)-1]))}
		batch.WriteTo(conn)
		conn.Write(closeFrame(CloseTooSlow, "too slow; reconnect with after=<last seq>"))
		time.Sleep(200 * time.Millisecond)
	}))
	defer srv.Close()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	pinged := ""
	ws.SetPingHandler(func(data string) error { pinged = data; return nil })
	for i, n := range sizes {
		typ, b, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("message %d (%d bytes): %v", i, n, err)
		}
		if typ != websocket.TextMessage || len(b) != n || (n > 0 && (b[0] != b[n-1])) {
			t.Fatalf("message %d: type %d, %d bytes, want a text message of %d", i, typ, len(b), n)
		}
	}
	if pinged != "are you there" {
		t.Fatalf("ping carried %q", pinged)
	}
	_, _, err = ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != CloseTooSlow || !strings.HasPrefix(ce.Text, "too slow") {
		t.Fatalf("read after the close frame: %v, want close %d", err, CloseTooSlow)
	}
}
