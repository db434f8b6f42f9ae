package media

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// The /ws/phone protocol (docs/phone-protocol.md).

const (
	maxPhoneFrame   = 64 << 10
	maxPhoneRate    = 20 // frames per second
	closeTooLarge   = 4400
	closeFlood      = 4429
	phoneWriteWait  = 10 * time.Second
	phoneIdle       = 90 * time.Second // the browser pings; nothing for this long: gone
	phoneSendBuffer = 64
)

// phoneIn is a message from the browser.
type phoneIn struct {
	Type     string `json:"type"`
	Ref      string `json:"ref,omitempty"`
	SDP      string `json:"sdp,omitempty"`
	To       string `json:"to,omitempty"`
	ClientID int64  `json:"client_id,omitempty"`
	CallID   int64  `json:"call_id,omitempty"`
	Digits   string `json:"digits,omitempty"`
	AgentID  int64  `json:"agent_id,omitempty"`
}

// phoneOut is a message to the browser.
type phoneOut struct {
	Type              string      `json:"type"`
	Ref               string      `json:"ref,omitempty"`
	SDP               string      `json:"sdp,omitempty"`
	State             string      `json:"state,omitempty"`
	Call              *phoneCall  `json:"call,omitempty"`
	CallID            int64       `json:"call_id,omitempty"`
	Code              string      `json:"code,omitempty"`
	Error             string      `json:"error,omitempty"`
	Field             string      `json:"field,omitempty"`
	ICEServers        []ICEServer `json:"ice_servers,omitempty"`
	AutoAnswerSeconds *int        `json:"auto_answer_seconds,omitempty"`
	Demo              *bool       `json:"demo,omitempty"`
}

// phoneCall is a call as the softphone sees it.
type phoneCall struct {
	ID         warmline.CallID        `json:"id"`
	Direction  warmline.CallDirection `json:"direction"`
	State      string                 `json:"state"`
	From       string                 `json:"from"`
	To         string                 `json:"to"`
	ClientID   *warmline.ClientID     `json:"client_id"`
	ClientName string                 `json:"client_name"`
	CreatedAt  time.Time              `json:"created_at"`
	AnsweredAt *time.Time             `json:"answered_at"`
	Held       bool                   `json:"held"`
	EndReason  string                 `json:"end_reason"`
	HangupSide *warmline.HangupSide   `json:"hangup_side"`
}

// decodePhoneMsg reads and checks one browser frame. Its errors are
// *warmline.Error naming the field at fault.
func decodePhoneMsg(data []byte) (*phoneIn, error) {
	var m phoneIn
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, warmline.Errorf(warmline.EINVALID, "The message is not a JSON object.")
	}
	if dec.More() {
		return nil, warmline.Errorf(warmline.EINVALID, "One JSON object per frame.")
	}
	if len(m.Ref) > 64 {
		return &m, warmline.FieldErrorf(warmline.EINVALID, "ref", "ref is longer than 64 characters.")
	}
	needCall := func() error {
		if m.CallID <= 0 {
			return warmline.FieldErrorf(warmline.EINVALID, "call_id", "call_id is required.")
		}
		return nil
	}
	switch m.Type {
	case "ping":
	case "offer":
		if m.SDP == "" {
			return &m, warmline.FieldErrorf(warmline.EINVALID, "sdp", "sdp is required.")
		}
	case "dial":
		if m.To == "" || len(m.To) > 64 {
			return &m, warmline.FieldErrorf(warmline.EINVALID, "to", "to must be a phone number.")
		}
		if m.ClientID < 0 {
			return &m, warmline.FieldErrorf(warmline.EINVALID, "client_id", "client_id must be positive.")
		}
	case "answer", "decline", "hangup", "hold", "resume":
		if err := needCall(); err != nil {
			return &m, err
		}
	case "dtmf":
		if err := needCall(); err != nil {
			return &m, err
		}
		if m.Digits == "" || len(m.Digits) > 32 {
			return &m, warmline.FieldErrorf(warmline.EINVALID, "digits", "digits must be 1 to 32 of 0-9*#A-D.")
		}
		for _, d := range m.Digits {
			if _, ok := dtmfEvent(d); !ok {
				return &m, warmline.FieldErrorf(warmline.EINVALID, "digits", "digits must be 1 to 32 of 0-9*#A-D.")
			}
		}
	case "transfer":
		if err := needCall(); err != nil {
			return &m, err
		}
		if (m.To == "") == (m.AgentID == 0) {
			return &m, warmline.FieldErrorf(warmline.EINVALID, "to", "Give either to or agent_id.")
		}
		if len(m.To) > 64 || m.AgentID < 0 {
			return &m, warmline.FieldErrorf(warmline.EINVALID, "to", "to must be a phone number.")
		}
	case "":
		return &m, warmline.FieldErrorf(warmline.EINVALID, "type", "type is required.")
	default:
		return &m, warmline.FieldErrorf(warmline.EINVALID, "type", "Unknown message type %q.", truncate(m.Type, 32))
	}
	return &m, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// agentSession is one softphone's connection: its socket and its leg.
type agentSession struct {
	g     *Gateway
	agent Agent
	ws    *websocket.Conn
	send  chan []byte
	done  chan struct{}
	once  sync.Once

	mu  sync.Mutex
	leg *agentLeg
}

func (s *agentSession) closeWith(code int, text string) {
	s.once.Do(func() {
		_ = s.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
		close(s.done)
		_ = s.ws.Close()
	})
}

// push queues a message; a softphone that cannot keep up is disconnected
// (it reconnects and gets its calls again).
func (s *agentSession) push(m phoneOut) {
	b, err := json.Marshal(m)
	if err != nil {
		return
	}
	select {
	case s.send <- b:
	case <-s.done:
	default:
		go s.closeWith(websocket.CloseTryAgainLater, "too slow")
	}
}

func (s *agentSession) pushError(ref string, callID warmline.CallID, err error) {
	s.push(phoneOut{Type: "error", Ref: ref, CallID: int64(callID), Code: warmline.ErrorCode(err),
		Error: warmline.ErrorMessage(err), Field: warmline.ErrorField(err)})
}

func (s *agentSession) currentLeg() *agentLeg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leg
}

// writeLoop sends queued messages and pings until the session closes; it
// closes the session when ctx ends (the server stopping).
func (s *agentSession) writeLoop(ctx context.Context) {
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case b := <-s.send:
			_ = s.ws.SetWriteDeadline(time.Now().Add(phoneWriteWait))
			if err := s.ws.WriteMessage(websocket.TextMessage, b); err != nil {
				s.closeWith(websocket.CloseGoingAway, "")
				return
			}
		case <-ping.C:
			if err := s.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(phoneWriteWait)); err != nil {
				s.closeWith(websocket.CloseGoingAway, "")
				return
			}
		case <-ctx.Done():
			s.closeWith(websocket.CloseGoingAway, "server stopping")
			return
		case <-s.done:
			return
		}
	}
}

// ServeAgent serves one softphone over ws (already upgraded and
// authenticated by httpapi) until it closes. A newer connection of the
// same agent replaces an older one.
func (g *Gateway) ServeAgent(ctx context.Context, a Agent, ws *websocket.Conn) {
	s := &agentSession{g: g, agent: a, ws: ws, send: make(chan []byte, phoneSendBuffer), done: make(chan struct{})}
	defer s.closeWith(websocket.CloseNormalClosure, "")
	go s.writeLoop(ctx)

	settings, err := g.store.PhoneSettings(ctx, a.OrgID)
	if err != nil {
		g.log.Error("phone settings", "org", a.OrgID, "err", err)
		s.closeWith(websocket.CloseInternalServerErr, "internal error")
		return
	}
	auto := int(settings.AutoAnswer / time.Second)
	demo := settings.Demo && g.cfg.Demo
	ice := g.cfg.ICEServers
	if ice == nil {
		ice = []ICEServer{}
	}
	s.push(phoneOut{Type: "config", ICEServers: ice, AutoAnswerSeconds: &auto, Demo: &demo})
	g.attachSession(s)
	defer g.detachSession(s)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	window, count := time.Now(), 0
	for {
		_ = ws.SetReadDeadline(time.Now().Add(phoneIdle))
		typ, r, err := ws.NextReader()
		if err != nil {
			return
		}
		data, err := io.ReadAll(io.LimitReader(r, maxPhoneFrame+1))
		if err != nil {
			return
		}
		if len(data) > maxPhoneFrame {
			s.closeWith(closeTooLarge, "frame over 64 KiB")
			return
		}
		if time.Since(window) > time.Second {
			window, count = time.Now(), 0
		}
		if count++; count > maxPhoneRate {
			s.closeWith(closeFlood, "too many messages")
			return
		}
		if typ != websocket.TextMessage {
			s.pushError("", 0, warmline.Errorf(warmline.EINVALID, "Send JSON text frames."))
			continue
		}
		m, err := decodePhoneMsg(data)
		if err != nil {
			ref := ""
			if m != nil {
				ref = m.Ref
			}
			s.pushError(ref, 0, err)
			continue
		}
		g.handlePhone(ctx, s, m)
	}
}

// handlePhone carries out one valid browser message.
func (g *Gateway) handlePhone(ctx context.Context, s *agentSession, m *phoneIn) {
	id := warmline.CallID(m.CallID)
	ack := func(callID warmline.CallID) { s.push(phoneOut{Type: "ack", Ref: m.Ref, CallID: int64(callID)}) }
	fail := func(callID warmline.CallID, err error) {
		if warmline.ErrorCode(err) == warmline.EINTERNAL {
			g.log.Error("phone command", "type", m.Type, "agent", s.agent.ID, "call", callID, "err", err)
		}
		s.pushError(m.Ref, callID, err)
	}
	switch m.Type {
	case "ping":
		s.push(phoneOut{Type: "pong"})
	case "offer":
		// Gathering takes a moment: do not hold up the read loop.
		go func() {
			if err := g.openLeg(s, m.SDP); err != nil {
				fail(0, err)
			}
		}()
	case "dial":
		callID, err := g.dial(ctx, s.agent, m.To, warmline.ClientID(m.ClientID))
		if err != nil {
			fail(0, err)
			return
		}
		ack(callID)
	default:
		c, err := g.agentCall(s.agent, id)
		if err != nil {
			fail(id, err)
			return
		}
		var cmdErr error
		switch m.Type {
		case "answer":
			cmdErr = c.agentAnswer(s.agent.ID)
		case "decline":
			cmdErr = c.agentDecline(s.agent.ID)
		case "hangup":
			cmdErr = c.agentHangup(s.agent.ID)
		case "hold", "resume":
			cmdErr = c.setHold(ctx, m.Type == "hold")
		case "dtmf":
			cmdErr = c.sendDTMF(m.Digits)
		case "transfer":
			cmdErr = c.transfer(s.agent, m.To, warmline.UserID(m.AgentID))
		}
		if cmdErr != nil {
			fail(id, cmdErr)
			return
		}
		ack(id)
	}
}

// openLeg answers the browser's offer with a new leg, replacing the old
// one; calls on the old leg move to the new one.
func (g *Gateway) openLeg(s *agentSession, offer string) error {
	var leg *agentLeg
	onState := func(st webrtc.PeerConnectionState) {
		switch st {
		case webrtc.PeerConnectionStateConnected:
			s.push(phoneOut{Type: "leg", State: "connected"})
		case webrtc.PeerConnectionStateFailed:
			s.push(phoneOut{Type: "leg", State: "failed"})
			g.legLost(s, leg)
		case webrtc.PeerConnectionStateNew, webrtc.PeerConnectionStateConnecting:
			s.push(phoneOut{Type: "leg", State: "connecting"})
		}
	}
	l, answer, err := newAgentLeg(g.cfg, g.iceMux, g.routes, g.log, offer, onState)
	if err != nil {
		return warmline.FieldErrorf(warmline.EINVALID, "sdp", "%s", err.Error())
	}
	leg = l
	select {
	case <-s.done:
		l.close()
		return nil
	default:
	}
	s.mu.Lock()
	old := s.leg
	s.leg = l
	s.mu.Unlock()
	s.push(phoneOut{Type: "answer", SDP: answer})
	g.rebridgeAgent(s.agent.ID)
	if old != nil {
		old.close()
	}
	return nil
}
