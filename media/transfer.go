package media

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

// transfer is the agent's blind transfer: to another agent (their
// softphone rings; on answer the caller is bridged to them) or to a
// number (a new INVITE; on answer the caller is bridged to it and the
// agent is released).
func (c *call) transfer(from Agent, to string, target warmline.UserID) error {
	dlg, err := c.activeDialog()
	if err != nil {
		return err
	}
	if target != 0 {
		if target == from.ID {
			return warmline.FieldErrorf(warmline.EINVALID, "agent_id", "That is you.")
		}
		s := c.g.session(target)
		if s == nil || s.agent.OrgID != c.rec.OrgID || s.currentLeg() == nil {
			return warmline.FieldErrorf(warmline.ECONFLICT, "agent_id", "That agent's softphone is off.")
		}
		if c.g.agentBusy(target) {
			return warmline.FieldErrorf(warmline.ECONFLICT, "agent_id", "That agent is on a call.")
		}
		go c.transferToAgent(from.ID, target)
		return nil
	}
	number, ok := phone.Normalize(to, dlg.trunk.country)
	if !ok {
		return warmline.FieldErrorf(warmline.EINVALID, "to", "%q is not a phone number.", truncate(to, 40))
	}
	go c.transferToNumber(from.ID, dlg, number)
	return nil
}

func (c *call) transferToAgent(from, target warmline.UserID) {
	c.mu.Lock()
	c.ringing = target
	c.mu.Unlock()
	c.g.setAgentState(c.rec.OrgID, target, warmline.AgentRinging)
	if s := c.g.session(target); s != nil {
		v := c.view()
		v.State = stateRinging
		s.push(phoneOut{Type: "call", Call: v})
	}
	timer := time.NewTimer(defaultRingFor)
	defer timer.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-timer.C:
		case act := <-c.actions:
			if act.agent != target {
				continue
			}
			if act.answer {
				c.mu.Lock()
				c.ringing, c.agent = 0, target
				c.mu.Unlock()
				if s := c.g.session(from); s != nil {
					if l := s.currentLeg(); l != nil {
						l.setSink(nil)
					}
					v := c.view()
					v.State, v.EndReason = stateEnded, "transferred"
					side := warmline.HangupAgent
					v.HangupSide = &side
					s.push(phoneOut{Type: "call", Call: v})
				}
				c.bridge()
				c.g.setAgentState(c.rec.OrgID, target, warmline.AgentOnCall)
				c.g.afterCall(c.rec.OrgID, from)
				ctx, cancel := storeCtx()
				if err := c.g.store.UpdateCall(ctx, c.rec.OrgID, c.rec.ID, CallUpdate{AgentID: target}); err != nil {
					c.g.log.Error("update call (transferred)", "call", c.rec.ID, "err", err)
				}
				cancel()
				c.notify()
				return
			}
		}
		break
	}
	// Declined or not answered: the call stays with the first agent.
	c.mu.Lock()
	c.ringing = 0
	c.mu.Unlock()
	c.g.setAgentState(c.rec.OrgID, target, warmline.AgentAvailable)
	if s := c.g.session(target); s != nil {
		v := c.view()
		v.State, v.EndReason = stateEnded, "declined"
		s.push(phoneOut{Type: "call", Call: v})
	}
	if s := c.g.session(from); s != nil {
		s.pushError("", c.rec.ID, warmline.FieldErrorf(warmline.ECONFLICT, "agent_id", "The other agent did not take the call."))
	}
}

// transferToNumber calls number; when it answers, the caller's leg is
// bridged to it and the agent's part of the call record ends as
// transferred. The two SIP legs then live on until either hangs up.
func (c *call) transferToNumber(from warmline.UserID, dlg *sipDialog, number string) {
	ctx, cancel := context.WithTimeout(context.Background(), referInviteWait)
	defer cancel()
	nd, res, err := c.g.invite(ctx, dlg.trunk, number, c.rec.From, nil)
	if err != nil {
		code := 0
		if res != nil {
			code = res.StatusCode
		}
		c.g.log.Info("transfer failed", "call", c.rec.ID, "code", code, "err", err)
		if s := c.g.session(from); s != nil {
			s.pushError("", c.rec.ID, warmline.FieldErrorf(warmline.ECONFLICT, "to", "The transfer failed (%s).", failureText(code)))
		}
		return
	}
	c.mu.Lock()
	if c.dlg != dlg || c.isEnded() {
		c.mu.Unlock()
		nd.bye()
		return
	}
	c.dlg = nil // the caller's leg now belongs to the detached bridge
	c.mu.Unlock()
	joinDialogs(c.g, dlg, nd)
	c.end(endInfo{outcome: warmline.OutcomeAnswered, reason: "transferred", side: warmline.HangupAgent})
}

func failureText(code int) string {
	switch e := outboundFailure(code); {
	case code == 0:
		return "no answer from the network"
	default:
		return fmt.Sprintf("%s, SIP %d", e.reason, code)
	}
}

// joinDialogs bridges two SIP legs with no agent: when either hangs up
// (or their media stops) the other gets a BYE.
func joinDialogs(g *Gateway, a, b *sipDialog) {
	for _, p := range [][2]*sipDialog{{a, b}, {b, a}} {
		x, y := p[0], p[1]
		x.mu.Lock()
		x.onEnd = func(endInfo) { y.bye() }
		x.onChange, x.onRefer = nil, nil
		x.mu.Unlock()
	}
	now := time.Now().UnixNano()
	a.rtp.lastRecv.Store(now)
	b.rtp.lastRecv.Store(now)
	a.rtp.setSink(b.rtp)
	b.rtp.setSink(a.rtp)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-a.ended:
				b.bye()
				return
			case <-b.ended:
				a.bye()
				return
			case <-t.C:
				limit := time.Now().Add(-g.cfg.MediaTimeout).UnixNano()
				if !a.held() && !b.held() && (a.rtp.lastRecv.Load() < limit || b.rtp.lastRecv.Load() < limit) {
					a.bye()
					b.bye()
					return
				}
			}
		}
	}()
}

// referred: the far end sent REFER (blind transfer of us). We call the
// target through the same trunk; when it answers, the agent is bridged
// to it and the old dialog ends. Progress goes back as NOTIFY.
func (c *call) referred(target string) (int, error) {
	c.mu.Lock()
	old := c.dlg
	active := c.state == stateActive
	c.mu.Unlock()
	if !active || old == nil {
		return 491, errors.New("Request Pending")
	}
	number, ok := phone.Normalize(target, old.trunk.country)
	if !ok {
		number = target
	}
	go func() {
		old.notifyRefer(100, "Trying")
		ctx, cancel := context.WithTimeout(context.Background(), referInviteWait)
		defer cancel()
		nd, res, err := c.g.invite(ctx, old.trunk, number, c.rec.From, nil)
		if err != nil {
			code, reason := 503, "Service Unavailable"
			if res != nil && res.StatusCode >= 300 {
				code, reason = res.StatusCode, res.Reason
			}
			old.notifyRefer(code, reason)
			return
		}
		c.mu.Lock()
		if c.isEnded() {
			c.mu.Unlock()
			nd.bye()
			return
		}
		c.dlg = nd
		c.mu.Unlock()
		old.mu.Lock()
		old.onEnd, old.onChange, old.onRefer = nil, nil, nil
		old.mu.Unlock()
		nd.mu.Lock()
		nd.onEnd = func(e endInfo) { c.end(e) }
		nd.onChange = c.heldChanged
		nd.onRefer = c.referred
		nd.mu.Unlock()
		c.bridge()
		ctx2, cancel2 := storeCtx()
		if err := c.g.store.UpdateCall(ctx2, c.rec.OrgID, c.rec.ID, CallUpdate{SIPCallID: nd.callID}); err != nil {
			c.g.log.Error("update call (referred)", "call", c.rec.ID, "err", err)
		}
		cancel2()
		old.notifyRefer(200, "OK")
		old.bye()
		go nd.runSessionTimer()
		c.notify()
	}()
	return 202, nil
}
