package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"net"
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
	maxFrame      = 4 << 10 // a browser's messages are tiny
	maxMsgsPerSec = 20
	writeWait     = 10 * time.Second
)

var upgrader = websocket.Upgrader{
	// No buffer sizes: reads reuse the HTTP server's hijacked buffer, and
	// gorilla writes nothing after the handshake (the writer below writes
	// frames itself), so an idle connection holds no write buffer.
	WriteBufferPool: &sync.Pool{},
	// The Origin was checked by the caller (Serve's contract); gorilla's
	// own check would refuse a configured public URL behind a proxy.
	CheckOrigin: func(*http.Request) bool { return true },
}

// subscriber is one WebSocket connection. Only its writer goroutine writes
// to the socket; everyone else hands it frames (frame.go): the feed and the
// reader's answers through send, pongs through control, the close through
// closing.
type subscriber struct {
	actor warmline.Actor
	token string // the session's, for Hub.sessionLoop
	ws    *websocket.Conn
	send  chan []byte
	// control carries a pong for a ping of the browser's; one waiting
	// answers any ping after it too.
	control chan []byte
	// closing carries the one close frame to write, after which the writer stops.
	closing chan []byte
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
	s.once.Do(func() { s.closing <- closeFrame(code, reason) })
}

// Serve upgrades the request to a WebSocket for actor and runs it until it
// closes. The caller has authenticated the request (token is its session's)
// and checked its Origin.
// `after` is the query parameter of docs/realtime.md.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, actor warmline.Actor, token string) error {
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
	s := &subscriber{actor: actor, token: token, ws: ws, send: make(chan []byte, h.cfg.SendBuffer),
		control: make(chan []byte, 1), closing: make(chan []byte, 1)}
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
	s.handleControl(ws)
	go s.readLoop(ws, h.cfg.PongWait+h.cfg.PingEvery)
	s.writeLoop(ctx, ws.UnderlyingConn(), append([][]byte{mustFrame(hello)}, backlog...), h.cfg.PingEvery)
	ws.Close()
	return nil
}

// maxBatch bounds the frames written with one system call.
const maxBatch = 64

// writeLoop owns every write: hello and the backlog (first), live frames,
// pings, pongs and the close frame. It writes the frames as they are to the
// socket, every frame waiting in send with one system call (writev), under
// a deadline pushed back at most once a second rather than per frame: a
// write still has at least writeWait less a second to finish.
func (s *subscriber) writeLoop(ctx context.Context, conn net.Conn, first [][]byte, pingEvery time.Duration) {
	// A requested close goes before any further frame; a dropped browser
	// gets no more data, and its close frame only a short try.
	closeWith := func(f []byte) {
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		conn.Write(f)
		time.Sleep(100 * time.Millisecond) // let the browser answer the close
	}
	var pushed time.Time // when the write deadline was last set
	write := func(frames [][]byte) bool {
		select {
		case f := <-s.closing:
			closeWith(f)
			return false
		default:
		}
		if now := time.Now(); now.Sub(pushed) > time.Second {
			if conn.SetWriteDeadline(now.Add(writeWait)) != nil {
				return false
			}
			pushed = now
		}
		var err error
		if len(frames) == 1 {
			_, err = conn.Write(frames[0])
		} else {
			bufs := net.Buffers(frames) // consumed by the write; frames keeps the batch's array
			_, err = bufs.WriteTo(conn)
		}
		return err == nil
	}
	if !write(first) {
		return
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	batch := make([][]byte, 0, maxBatch)
	for {
		select {
		case f := <-s.closing:
			closeWith(f)
			return
		case f := <-s.send:
			batch = append(batch[:0], f)
		more:
			for len(batch) < maxBatch {
				select {
				case f := <-s.send:
					batch = append(batch, f)
				default:
					break more
				}
			}
			if !write(batch) {
				return
			}
		case f := <-s.control:
			if !write([][]byte{f}) {
				return
			}
		case <-ping.C:
			if !write([][]byte{pingFrame}) {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// handleControl routes the answers to the browser's control frames through
// the writer, gorilla's default handlers would write them from the reading
// goroutine: a pong to a ping, and the close frame echoing a close
// (RFC 6455 §5.5.1).
func (s *subscriber) handleControl(ws *websocket.Conn) {
	ws.SetPingHandler(func(data string) error {
		select {
		case s.control <- frame(opPong, []byte(data)):
		default: // a pong is already waiting
		}
		return nil
	})
	ws.SetCloseHandler(func(code int, _ string) error {
		s.close(code, "")
		return nil
	})
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
			s.offer(pongMessage)
		default:
			s.close(CloseUnknownType, "unknown message type")
			return
		}
	}
}

// pongMessage answers a browser's "ping" message (not a ping frame).
var pongMessage = mustFrame(Message{Type: TypePong})
