package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/warmline/warmline/backend/warmline"
)

// Close codes beyond RFC 6455's, in the 4000–4999 range left to applications.
const (
	CloseUnknownType = 4400 // a message type the server does not know
	CloseFlood       = 4429 // too many messages too fast
	CloseTooSlow     = 4408 // the send buffer filled up: reconnect and resume
	CloseSessionEnd  = 4401 // logged out or deactivated
)

const (
	maxFrame       = 4 << 10 // a browser's messages are tiny
	maxMsgsPerSec  = 20
	writeWait      = 10 * time.Second
	sessionRecheck = 30 * time.Second
)

var upgrader = websocket.Upgrader{
	// No buffer sizes: reads reuse the HTTP server's hijacked buffer, and
	// write buffers come from a pool while a frame is written, so an idle
	// connection holds none (about 3 MB less per 1 000 connections).
	WriteBufferPool: &sync.Pool{},
	// The Origin was checked by the caller (Serve's contract); gorilla's
	// own check would refuse a configured public URL behind a proxy.
	CheckOrigin: func(*http.Request) bool { return true },
}

// subscriber is one WebSocket connection. Only its writer goroutine writes
// to the socket; everyone else hands frames over through send.
type subscriber struct {
	actor warmline.Actor
	ws    *websocket.Conn
	send  chan []byte
	// closing carries the one close frame to write, after which the writer stops.
	closing chan *websocket.PreparedMessage
	once    sync.Once
}

// offer queues a frame without waiting. A full buffer drops the
// connection (it resumes on reconnect) and offer reports false, so the feed
// stops offering it anything at once.
func (s *subscriber) offer(frame []byte) bool {
	select {
	case s.send <- frame:
		return true
	default:
		s.close(CloseTooSlow, "too slow; reconnect with after=<last seq>")
		// The writer is likely stuck in a write to a browser that does not
		// read: end that write now rather than at its deadline.
		s.ws.UnderlyingConn().SetWriteDeadline(time.Now())
		return false
	}
}

// close asks the writer to send a close frame and stop; only the first call counts.
func (s *subscriber) close(code int, reason string) {
	s.once.Do(func() {
		pm, _ := websocket.NewPreparedMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason))
		s.closing <- pm
	})
}

// SessionCheck says whether the connection's session is still valid.
type SessionCheck func(ctx context.Context) bool

// Serve upgrades the request to a WebSocket for actor and runs it until it
// closes. The caller has authenticated the request and checked its Origin.
// `after` is the query parameter of docs/realtime.md.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, actor warmline.Actor, alive SessionCheck) error {
	var after *int64
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return warmline.FieldErrorf(warmline.EINVALID, "after", "after must be the last sequence number applied.")
		}
		after = &n
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return nil // the upgrader has answered the client
	}
	s := &subscriber{actor: actor, ws: ws, send: make(chan []byte, h.cfg.SendBuffer), closing: make(chan *websocket.PreparedMessage, 1)}
	h.mu.Lock() // Run sets the hub's lifetime under the same lock
	base := h.ctx
	h.mu.Unlock()
	ctx, cancel := context.WithCancel(base)
	defer cancel()
	hello, backlog, err := h.subscribe(r.Context(), s, after)
	if err != nil {
		h.log.Error("subscribe to events", "org", actor.OrgID, "err", err)
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "try again"), time.Now().Add(writeWait))
		ws.Close()
		return nil
	}
	defer h.unsubscribe(s)
	go s.readLoop(ws, h.cfg.PongWait+h.cfg.PingEvery)
	go s.watchSession(ctx, alive)
	s.writeLoop(ctx, ws, mustFrame(hello), backlog, h.cfg.PingEvery)
	return nil
}

// writeLoop owns every write: hello, the backlog, live frames, pings and
// the close frame, each under a deadline.
func (s *subscriber) writeLoop(ctx context.Context, ws *websocket.Conn, hello []byte, backlog [][]byte, pingEvery time.Duration) {
	defer ws.Close()
	// A requested close goes before any further frame; a dropped browser
	// gets no more data, and its close frame only a short try.
	closeNow := func(pm *websocket.PreparedMessage) {
		ws.SetWriteDeadline(time.Now().Add(time.Second))
		ws.WritePreparedMessage(pm)
		time.Sleep(100 * time.Millisecond) // let the browser answer the close
	}
	write := func(frame []byte) bool {
		select {
		case pm := <-s.closing:
			closeNow(pm)
			return false
		default:
		}
		ws.SetWriteDeadline(time.Now().Add(writeWait))
		return ws.WriteMessage(websocket.TextMessage, frame) == nil
	}
	if !write(hello) {
		return
	}
	for _, f := range backlog {
		if !write(f) {
			return
		}
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case pm := <-s.closing:
			closeNow(pm)
			return
		case f := <-s.send:
			if !write(f) {
				return
			}
		case <-ping.C:
			if ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// readLoop reads the browser's messages: pongs keep the connection alive;
// "ping" gets "pong"; anything else, too big or too many closes it.
func (s *subscriber) readLoop(ws *websocket.Conn, wait time.Duration) {
	defer s.close(websocket.CloseNormalClosure, "")
	ws.SetReadLimit(maxFrame)
	ws.SetReadDeadline(time.Now().Add(wait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(wait)) })
	window, count := time.Now(), 0
	for {
		typ, data, err := ws.ReadMessage()
		if errors.Is(err, websocket.ErrReadLimit) {
			s.close(websocket.CloseMessageTooBig, "frame too large")
			return
		} else if err != nil {
			return
		}
		ws.SetReadDeadline(time.Now().Add(wait))
		if time.Since(window) > time.Second {
			window, count = time.Now(), 0
		}
		if count++; count > maxMsgsPerSec {
			s.close(CloseFlood, "too many messages")
			return
		}
		var m clientMessage
		if typ != websocket.TextMessage || json.Unmarshal(data, &m) != nil {
			s.close(websocket.CloseUnsupportedData, "send JSON text frames")
			return
		}
		switch m.Type {
		case TypePing:
			s.offer(mustFrame(Message{Type: TypePong}))
		default:
			s.close(CloseUnknownType, "unknown message type")
			return
		}
	}
}

// watchSession closes the connection when its session ends (logout,
// deactivation, expiry), checking now and then.
func (s *subscriber) watchSession(ctx context.Context, alive SessionCheck) {
	if alive == nil {
		return
	}
	t := time.NewTicker(sessionRecheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if !alive(ctx) {
				s.close(CloseSessionEnd, "session ended")
				return
			}
		}
	}
}
