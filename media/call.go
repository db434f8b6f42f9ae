package media

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

// Call states as the softphone sees them (docs/phone-protocol.md).
const (
	stateRinging = "ringing"
	stateDialing = "dialing"
	stateEarly   = "early"
	stateActive  = "active"
	stateEnded   = "ended"
)

const (
	agentRingTimeout = 60 * time.Second // click-to-call: the agent's own softphone rings this long
	defaultRingFor   = 30 * time.Second
	storeTimeout     = 10 * time.Second
)

// endInfo is how a call ends.
type endInfo struct {
	outcome  warmline.CallOutcome // empty: answered if it was, else failed
	missed   warmline.MissedReason
	sipCause int
	reason   string
	side     warmline.HangupSide
}

// agentAction is the softphone's answer to a ringing call.
type agentAction struct {
	agent  warmline.UserID
	answer bool
}

// call is one call record's life in the gateway.
type call struct {
	g   *Gateway
	rec warmline.Call // as started: id, org, direction, numbers, trunk, line, client

	mu          sync.Mutex
	state       string
	agent       warmline.UserID // the agent on the call (or whose click-to-call it is)
	ringing     warmline.UserID // the agent whose softphone rings now
	agentOnCall bool            // the agent picked up (for after-call states)
	answeredAt  *time.Time
	dlg         *sipDialog
	actions     chan agentAction
	cancelDial  context.CancelFunc
	grace       *time.Timer
	endReason   string
	endSide     *warmline.HangupSide
	done        chan struct{}
	endOnce     sync.Once
	watched     atomic.Bool // answered: watchMedia checks its media
}

func (g *Gateway) newCall(rec warmline.Call) *call {
	c := &call{g: g, rec: rec, state: stateRinging, actions: make(chan agentAction, 4), done: make(chan struct{})}
	g.mu.Lock()
	g.calls[rec.ID] = c
	g.mu.Unlock()
	return c
}

func storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), storeTimeout)
}

// view is the call as its softphone shows it.
func (c *call) view() *phoneCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.viewLocked()
}

func (c *call) viewLocked() *phoneCall {
	v := &phoneCall{ID: c.rec.ID, Direction: c.rec.Direction, State: c.state, From: c.rec.From, To: c.rec.To,
		ClientID: c.rec.ClientID, ClientName: c.rec.ClientName, CreatedAt: c.rec.CreatedAt, AnsweredAt: c.answeredAt,
		EndReason: c.endReason, HangupSide: c.endSide}
	if c.dlg != nil {
		v.Held = c.dlg.held()
	}
	return v
}

// notify pushes the call to the softphones it concerns.
func (c *call) notify() {
	c.mu.Lock()
	v := c.viewLocked()
	who := []warmline.UserID{c.agent}
	if c.ringing != 0 && c.ringing != c.agent {
		who = append(who, c.ringing)
	}
	c.mu.Unlock()
	for _, id := range who {
		if s := c.g.session(id); s != nil {
			s.push(phoneOut{Type: "call", Call: v})
		}
	}
}

func (c *call) setState(s string) {
	c.mu.Lock()
	c.state = s
	c.mu.Unlock()
	c.notify()
}

func (c *call) isEnded() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// afterCall puts an agent into wrap-up, then available.
func (g *Gateway) afterCall(org warmline.OrgID, id warmline.UserID) {
	var ps *PhoneSettings
	err := g.ends.do(func(ctx context.Context) (err error) {
		ps, err = g.store.PhoneSettings(ctx, org)
		return err
	})
	if err != nil || ps.WrapUp <= 0 {
		g.setAgentState(org, id, warmline.AgentAvailable)
		return
	}
	g.setAgentState(org, id, warmline.AgentWrapUp)
	time.AfterFunc(ps.WrapUp, func() {
		if !g.agentBusy(id) {
			g.setAgentState(org, id, warmline.AgentAvailable)
		}
	})
}

// agentBusy reports whether an agent has a live call.
func (g *Gateway) agentBusy(id warmline.UserID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range g.calls {
		c.mu.Lock()
		busy := c.agent == id || c.ringing == id
		c.mu.Unlock()
		if busy {
			return true
		}
	}
	return false
}

// end tears the call down once: hangs up the SIP side, unbridges, closes
// the record with the real outcome and frees the agent.
func (c *call) end(e endInfo) {
	c.endOnce.Do(func() {
		c.mu.Lock()
		dlg := c.dlg
		wasAnswered, answeredAt := c.answeredAt != nil, c.answeredAt
		if e.outcome == "" {
			if wasAnswered {
				e.outcome = warmline.OutcomeAnswered
			} else {
				e.outcome = warmline.OutcomeFailed
			}
		}
		c.state = stateEnded
		c.endReason = e.reason
		side := e.side
		c.endSide = &side
		agent, ringing, onCall := c.agent, c.ringing, c.agentOnCall
		if c.cancelDial != nil {
			c.cancelDial()
		}
		if c.grace != nil {
			c.grace.Stop()
		}
		c.mu.Unlock()
		close(c.done)
		if s := c.g.session(agent); s != nil {
			if l := s.currentLeg(); l != nil {
				l.setSink(nil)
			}
		}
		if dlg != nil {
			dlg.rtp.setSink(nil)
			if e.side != warmline.HangupClient || e.reason != "hangup" {
				dlg.bye()
			} else {
				dlg.finish()
			}
		}
		end := CallEnd{At: time.Now(), Outcome: e.outcome, MissedReason: e.missed, SIPCause: e.sipCause, Reason: e.reason, Side: e.side}
		if wasAnswered {
			end.AnsweredAt, end.AgentID = answeredAt, agent
		}
		c.g.endRecord(c.rec.OrgID, c.rec.ID, end)
		c.notify()
		c.g.mu.Lock()
		delete(c.g.calls, c.rec.ID)
		c.g.mu.Unlock()
		if onCall {
			c.g.afterCall(c.rec.OrgID, agent)
		} else if agent != 0 && c.rec.Direction == warmline.CallOutbound {
			c.g.setAgentState(c.rec.OrgID, agent, warmline.AgentAvailable)
		}
		if ringing != 0 && ringing != agent {
			c.g.setAgentState(c.rec.OrgID, ringing, warmline.AgentAvailable)
		}
		c.g.log.Info("call ended", "call", c.rec.ID, "outcome", e.outcome, "reason", e.reason, "side", e.side, "sip_cause", e.sipCause)
	})
}

// bridge connects the call's SIP leg and its agent's browser leg.
func (c *call) bridge() {
	c.mu.Lock()
	dlg, agent := c.dlg, c.agent
	c.mu.Unlock()
	if dlg == nil || c.isEnded() {
		return
	}
	s := c.g.session(agent)
	var leg *agentLeg
	if s != nil {
		leg = s.currentLeg()
	}
	if leg == nil || dlg.held() {
		dlg.rtp.setSink(nil)
		if leg != nil {
			leg.setSink(nil)
		}
		return
	}
	now := time.Now().UnixNano()
	dlg.rtp.lastRecv.Store(now)
	leg.lastRecv.Store(now)
	dlg.rtp.setSink(leg)
	leg.setSink(dlg.rtp)
}

// --- agent commands ---

func (g *Gateway) agentCall(a Agent, id warmline.CallID) (*call, error) {
	g.mu.Lock()
	c := g.calls[id]
	g.mu.Unlock()
	if c != nil && c.rec.OrgID == a.OrgID {
		c.mu.Lock()
		mine := c.agent == a.ID || c.ringing == a.ID
		c.mu.Unlock()
		if mine {
			return c, nil
		}
	}
	return nil, warmline.FieldErrorf(warmline.ENOTFOUND, "call_id", "No call %d on this softphone.", id)
}

func (c *call) agentAnswer(agent warmline.UserID) error {
	c.mu.Lock()
	ok := c.ringing == agent && !c.isEnded()
	c.mu.Unlock()
	if !ok {
		return warmline.FieldErrorf(warmline.ECONFLICT, "call_id", "The call is not ringing on this softphone.")
	}
	if s := c.g.session(agent); s == nil || s.currentLeg() == nil {
		return warmline.Errorf(warmline.ECONFLICT, "The softphone's audio is not connected yet.")
	}
	select {
	case c.actions <- agentAction{agent: agent, answer: true}:
	default:
	}
	return nil
}

func (c *call) agentDecline(agent warmline.UserID) error {
	c.mu.Lock()
	ok := c.ringing == agent && !c.isEnded()
	c.mu.Unlock()
	if !ok {
		return warmline.FieldErrorf(warmline.ECONFLICT, "call_id", "The call is not ringing on this softphone.")
	}
	select {
	case c.actions <- agentAction{agent: agent}:
	default:
	}
	return nil
}

func (c *call) agentHangup(agent warmline.UserID) error {
	c.mu.Lock()
	state, ringing := c.state, c.ringing
	c.mu.Unlock()
	switch {
	case state == stateRinging && ringing == agent:
		return c.agentDecline(agent)
	case state == stateDialing || state == stateEarly:
		c.end(endInfo{outcome: warmline.OutcomeCancelled, reason: "cancelled", side: warmline.HangupAgent})
	case state == stateActive:
		c.end(endInfo{reason: "hangup", side: warmline.HangupAgent})
	default:
		return warmline.FieldErrorf(warmline.ECONFLICT, "call_id", "The call has ended.")
	}
	return nil
}

func (c *call) activeDialog() (*sipDialog, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateActive || c.dlg == nil {
		return nil, warmline.FieldErrorf(warmline.ECONFLICT, "call_id", "The call is not connected.")
	}
	return c.dlg, nil
}

// setHold re-INVITEs the far end sendonly (hold) or sendrecv (resume).
func (c *call) setHold(ctx context.Context, hold bool) error {
	dlg, err := c.activeDialog()
	if err != nil {
		return err
	}
	dlg.mu.Lock()
	same := dlg.localHold == hold
	dlg.mu.Unlock()
	if same {
		return nil
	}
	if hold { // no audio either way from now on
		dlg.rtp.setSink(nil)
		if s := c.g.session(c.agentID()); s != nil && s.currentLeg() != nil {
			s.currentLeg().setSink(nil)
		}
	}
	if err := dlg.reinvite(ctx, hold); err != nil {
		c.g.log.Warn("hold re-INVITE", "call", c.rec.ID, "hold", hold, "err", err)
		c.bridge()
		return warmline.Errorf(warmline.ECONFLICT, "The far end refused the %s.", map[bool]string{true: "hold", false: "resume"}[hold])
	}
	c.heldChanged()
	return nil
}

// heldChanged records and shows a change of hold (ours or the far end's).
func (c *call) heldChanged() {
	c.mu.Lock()
	dlg := c.dlg
	c.mu.Unlock()
	if dlg == nil {
		return
	}
	held := dlg.held()
	c.bridge()
	ctx, cancel := storeCtx()
	if err := c.g.store.UpdateCall(ctx, c.rec.OrgID, c.rec.ID, CallUpdate{Held: &held}); err != nil {
		c.g.log.Error("update call (held)", "call", c.rec.ID, "err", err)
	}
	cancel()
	c.notify()
}

func (c *call) agentID() warmline.UserID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.agent
}

func (c *call) sendDTMF(digits string) error {
	dlg, err := c.activeDialog()
	if err != nil {
		return err
	}
	dlg.rtp.mu.Lock()
	te := dlg.rtp.tePT
	dlg.rtp.mu.Unlock()
	if te == 0 {
		return warmline.FieldErrorf(warmline.ECONFLICT, "digits", "The far end does not take RFC 4733 tones.")
	}
	go func() {
		if err := dlg.rtp.sendDTMF(digits); err != nil {
			c.g.log.Warn("dtmf", "call", c.rec.ID, "err", err)
		}
	}()
	return nil
}

// watchMedia ends the calls whose RTP stopped (MediaTimeout) from the
// far end or from the browser, except while held: one goroutine for the
// node checks every answered call four times a second. A timer per call
// started a goroutine per call four times a second, and at hundreds of
// calls waking the scheduler for them cost more than the checks
// (BENCHMARKS.md, round 7).
func (g *Gateway) watchMedia(ctx context.Context) {
	t := time.NewTicker(time.Second / 4)
	defer t.Stop()
	var calls []*call
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		g.mu.Lock()
		for _, c := range g.calls {
			if c.watched.Load() {
				calls = append(calls, c)
			}
		}
		g.mu.Unlock()
		for _, c := range calls {
			if !c.isEnded() && c.mediaStopped() && c.watched.CompareAndSwap(true, false) {
				go c.end(endInfo{reason: "media_timeout", side: warmline.HangupSystem})
			}
		}
		clear(calls) // keep no ended call alive
		calls = calls[:0]
	}
}

// mediaStopped reports whether either side has been silent for
// MediaTimeout; a held call's silence does not count.
func (c *call) mediaStopped() bool {
	c.mu.Lock()
	dlg, agent := c.dlg, c.agent
	c.mu.Unlock()
	if dlg == nil || dlg.held() {
		if dlg != nil {
			dlg.rtp.lastRecv.Store(time.Now().UnixNano())
		}
		return false
	}
	limit := time.Now().Add(-c.g.cfg.MediaTimeout).UnixNano()
	silent := dlg.rtp.lastRecv.Load() < limit
	if s := c.g.session(agent); s != nil {
		if l := s.currentLeg(); l != nil && l.lastRecv.Load() < limit {
			silent = true
		}
	}
	return silent
}

// --- outbound: click-to-call, agent first ---

// dial starts click-to-call: the agent's softphone rings; when the agent
// answers, the gateway calls to.
func (g *Gateway) dial(ctx context.Context, a Agent, to string, client warmline.ClientID) (warmline.CallID, error) {
	s := g.session(a.ID)
	if s == nil || s.currentLeg() == nil {
		return 0, warmline.Errorf(warmline.ECONFLICT, "Turn the softphone on first.")
	}
	if !g.isRunning() {
		return 0, warmline.Errorf(warmline.ECONFLICT, "The phone gateway is starting.")
	}
	t := g.orgTrunk(a.OrgID)
	if t == nil {
		ps, err := g.store.PhoneSettings(ctx, a.OrgID)
		if err != nil {
			return 0, fmt.Errorf("phone settings: %w", err)
		}
		g.mu.Lock()
		d := g.demo
		g.mu.Unlock()
		if !ps.Demo || d == nil {
			return 0, warmline.Errorf(warmline.ECONFLICT, "No phone trunk is configured.")
		}
		t = d.trunk
	}
	number, ok := phone.Normalize(to, t.country)
	if !ok {
		return 0, warmline.FieldErrorf(warmline.EINVALID, "to", "%q is not a phone number.", truncate(to, 40))
	}
	if g.agentBusy(a.ID) {
		return 0, warmline.Errorf(warmline.ECONFLICT, "You are already on a call.")
	}
	rec := warmline.Call{OrgID: a.OrgID, Direction: warmline.CallOutbound, From: t.cfg.CallerID, To: number,
		AgentID: &a.ID, AgentName: a.Name, CreatedAt: time.Now(), Node: g.cfg.Node, Status: warmline.CallRinging}
	if !t.demo {
		tid := int64(t.cfg.ID)
		rec.TrunkID = &tid
	}
	if client != 0 {
		rec.ClientID = &client
	} else if cl, err := g.store.ClientByPhone(ctx, a.OrgID, number); err != nil {
		return 0, fmt.Errorf("client by phone: %w", err)
	} else if cl != nil {
		rec.ClientID = &cl.ID
		rec.ClientName = cl.Name
	}
	id, err := g.store.StartCall(ctx, &rec)
	if err != nil {
		return 0, fmt.Errorf("start call: %w", err)
	}
	rec.ID = id
	c := g.newCall(rec)
	c.mu.Lock()
	c.agent, c.ringing = a.ID, a.ID
	c.mu.Unlock()
	now := time.Now()
	if err := g.store.UpdateCall(ctx, a.OrgID, id, CallUpdate{RingingAt: now}); err != nil {
		g.log.Error("update call (ringing)", "call", id, "err", err)
	}
	g.setAgentState(a.OrgID, a.ID, warmline.AgentRinging)
	c.notify()
	go c.runOutbound(t)
	return id, nil
}

func (c *call) runOutbound(t *trunk) {
	timer := time.NewTimer(agentRingTimeout)
	defer timer.Stop()
	select {
	case <-c.done:
		return
	case <-timer.C:
		c.end(endInfo{outcome: warmline.OutcomeCancelled, reason: "cancelled", side: warmline.HangupSystem})
		return
	case act := <-c.actions:
		if !act.answer {
			c.end(endInfo{outcome: warmline.OutcomeCancelled, reason: "declined", side: warmline.HangupAgent})
			return
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	c.ringing, c.agentOnCall, c.cancelDial = 0, true, cancel
	c.state = stateDialing
	c.mu.Unlock()
	defer cancel()
	c.g.setAgentState(c.rec.OrgID, c.agentID(), warmline.AgentOnCall)
	c.notify()

	dlg, res, err := c.g.invite(ctx, t, c.rec.To, c.rec.From, func(d *sipDialog, early bool) {
		c.mu.Lock()
		if c.dlg == nil {
			c.dlg = d
		}
		c.mu.Unlock()
		if early {
			c.bridge()
			c.setState(stateEarly)
		}
	})
	if err != nil {
		if c.isEnded() {
			return // the agent hung up: CANCEL went out
		}
		e := endInfo{reason: "failed", side: warmline.HangupSystem, outcome: warmline.OutcomeFailed}
		if res != nil {
			e = outboundFailure(res.StatusCode)
		} else if errors.Is(err, context.DeadlineExceeded) {
			e = endInfo{outcome: warmline.OutcomeNoAnswer, reason: "no_answer", side: warmline.HangupSystem, sipCause: 408}
		}
		c.g.log.Info("outbound call failed", "call", c.rec.ID, "err", err)
		c.mu.Lock()
		c.dlg = nil // nothing to BYE
		c.mu.Unlock()
		if dlg != nil {
			dlg.finish()
		}
		c.end(e)
		return
	}
	c.connected(dlg)
}

// outboundFailure maps the far end's final response to the call's outcome.
func outboundFailure(code int) endInfo {
	e := endInfo{sipCause: code, side: warmline.HangupClient}
	switch code {
	case 486, 600:
		e.outcome, e.reason = warmline.OutcomeBusy, "busy"
	case 408, 480, 487:
		e.outcome, e.reason = warmline.OutcomeNoAnswer, "no_answer"
	case 603:
		e.outcome, e.reason = warmline.OutcomeDeclined, "declined"
	default:
		e.outcome, e.reason, e.side = warmline.OutcomeFailed, "failed", warmline.HangupSystem
	}
	return e
}

// connected is the far end's 200 OK (outbound) or the ACK of ours (inbound).
func (c *call) connected(dlg *sipDialog) {
	now := time.Now()
	c.mu.Lock()
	c.dlg = dlg
	c.answeredAt = &now
	c.state = stateActive
	c.mu.Unlock()
	dlg.mu.Lock()
	dlg.onEnd = func(e endInfo) {
		if e.outcome == "" && e.reason == "hangup" {
			e.side = warmline.HangupClient
		}
		c.end(e)
	}
	dlg.onChange = c.heldChanged
	dlg.onRefer = c.referred
	dlg.mu.Unlock()
	if c.isEnded() {
		dlg.bye()
		return
	}
	c.bridge()
	ctx, cancel := storeCtx()
	if err := c.g.store.UpdateCall(ctx, c.rec.OrgID, c.rec.ID, CallUpdate{AnsweredAt: now, AgentID: c.agentID(), SIPCallID: dlg.callID}); err != nil {
		c.g.log.Error("update call (answered)", "call", c.rec.ID, "err", err)
	}
	cancel()
	c.notify()
	c.watched.Store(true)
	go dlg.runSessionTimer()
}

// --- the agent's softphone went away ---

// session is the agent's live softphone, nil when off.
func (g *Gateway) session(id warmline.UserID) *agentSession {
	if id == 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sessions[id]
}

func (g *Gateway) attachSession(s *agentSession) {
	g.mu.Lock()
	old := g.sessions[s.agent.ID]
	g.sessions[s.agent.ID] = s
	g.mu.Unlock()
	if old != nil {
		old.closeWith(4409, "replaced by a newer connection")
	}
	for _, c := range g.agentCalls(s.agent.ID) {
		s.push(phoneOut{Type: "call", Call: c.view()})
	}
}

// detachSession: the socket closed. Ringing calls count as declined;
// connected calls wait ReconnectGrace for the softphone to come back.
func (g *Gateway) detachSession(s *agentSession) {
	g.mu.Lock()
	current := g.sessions[s.agent.ID] == s
	if current {
		delete(g.sessions, s.agent.ID)
	}
	g.mu.Unlock()
	s.mu.Lock()
	leg := s.leg
	s.leg = nil
	s.mu.Unlock()
	if leg != nil {
		leg.close()
	}
	if !current {
		return
	}
	for _, c := range g.agentCalls(s.agent.ID) {
		c.mu.Lock()
		ringingHere := c.ringing == s.agent.ID && c.state == stateRinging
		c.mu.Unlock()
		if ringingHere {
			select {
			case c.actions <- agentAction{agent: s.agent.ID}:
			default:
			}
			continue
		}
		c.startGrace()
	}
}

func (c *call) startGrace() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.grace != nil {
		c.grace.Stop()
	}
	c.grace = time.AfterFunc(c.g.cfg.ReconnectGrace, func() {
		c.end(endInfo{reason: "browser_lost", side: warmline.HangupSystem, outcome: c.lostOutcome()})
	})
}

func (c *call) lostOutcome() warmline.CallOutcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answeredAt != nil {
		return warmline.OutcomeAnswered
	}
	return warmline.OutcomeCancelled
}

// legLost: ICE failed while the socket lives; the browser is gone.
func (g *Gateway) legLost(s *agentSession, l *agentLeg) {
	if s.currentLeg() != l {
		return
	}
	for _, c := range g.agentCalls(s.agent.ID) {
		c.end(endInfo{reason: "browser_lost", side: warmline.HangupSystem, outcome: c.lostOutcome()})
	}
}

func (g *Gateway) agentCalls(id warmline.UserID) []*call {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []*call
	for _, c := range g.calls {
		c.mu.Lock()
		if c.agent == id || c.ringing == id {
			out = append(out, c)
		}
		c.mu.Unlock()
	}
	return out
}

// rebridgeAgent moves the agent's calls onto their new leg.
func (g *Gateway) rebridgeAgent(id warmline.UserID) {
	for _, c := range g.agentCalls(id) {
		c.mu.Lock()
		if c.grace != nil {
			c.grace.Stop()
			c.grace = nil
		}
		onLeg := c.agent == id && (c.state == stateActive || c.state == stateEarly)
		c.mu.Unlock()
		if onLeg {
			c.bridge()
		}
	}
}
