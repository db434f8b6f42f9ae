package media

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

const (
	allowMethods    = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, REFER, NOTIFY, INFO"
	maxInviteBody   = 16 << 10
	inviteAckWait   = 32 * time.Second
	referInviteWait = 60 * time.Second
)

// SIPTimers are the trunk leg's protocol intervals (a part of Config).
// Zero values are the RFC defaults, which production keeps; tests shorten
// them to see refreshes and expiries in seconds (RFC 4028 forbids a Min-SE
// under 90 s on a real network).
type SIPTimers struct {
	// SessionExpires is the session interval offered on outbound INVITEs
	// (RFC 4028; 1800 s).
	SessionExpires time.Duration
	// MinSE is the shortest session interval accepted: an INVITE asking
	// for less gets 422 with Min-SE (90 s, whole seconds).
	MinSE time.Duration
	// RegisterRetry is the first wait after a failed REGISTER, doubled on
	// each further failure up to 5 minutes, and the shortest refresh
	// interval however short the registrar's expiry (5 s).
	RegisterRetry time.Duration
}

func (g *Gateway) sessionExpires() time.Duration {
	return cmp.Or(g.cfg.SessionExpires, 1800*time.Second)
}

func (g *Gateway) minSE() time.Duration { return cmp.Or(g.cfg.MinSE, 90*time.Second) }

func (g *Gateway) registerRetry() time.Duration { return cmp.Or(g.cfg.RegisterRetry, 5*time.Second) }

// seconds formats an interval for Session-Expires, Min-SE and Expires.
func seconds(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

func (g *Gateway) handleSIP() {
	g.srv.OnInvite(g.onInvite)
	g.srv.OnAck(g.onAck)
	g.srv.OnBye(g.onBye)
	g.srv.OnOptions(g.onOptions)
	g.srv.OnUpdate(g.onUpdate)
	g.srv.OnRefer(g.onRefer)
	g.srv.OnNotify(func(req *sip.Request, tx sip.ServerTransaction) { respond(tx, req, 200, "OK") })
	g.srv.OnInfo(func(req *sip.Request, tx sip.ServerTransaction) {
		if g.dialogOf(req) == nil {
			respond(tx, req, 481, "Call/Transaction Does Not Exist")
			return
		}
		respond(tx, req, 200, "OK")
	})
}

func respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	_ = tx.Respond(res)
}

// warning is a Warning header (RFC 3261 §20.43) saying precisely why.
func warning(code int, text string) sip.Header {
	return sip.NewHeader("Warning", fmt.Sprintf("%d warmline %q", code, text))
}

func (g *Gateway) dialogOf(req *sip.Request) *sipDialog {
	id := req.CallID()
	if id == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.dialogs[id.Value()]
}

func sourceAddr(req *sip.Request) netip.AddrPort {
	ap, _ := netip.ParseAddrPort(req.Source())
	return ap
}

func (g *Gateway) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	respond(tx, req, 200, "OK", sip.NewHeader("Allow", allowMethods),
		sip.NewHeader("Accept", "application/sdp"), sip.NewHeader("Supported", "timer"))
}

func (g *Gateway) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if d := g.dialogOf(req); d != nil && d.uas != nil {
		_ = d.uas.ReadAck(req, tx)
	}
}

func (g *Gateway) onBye(req *sip.Request, tx sip.ServerTransaction) {
	d := g.dialogOf(req)
	if d == nil {
		respond(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	var err error
	if d.uac != nil {
		err = d.uac.ReadBye(req, tx)
	} else {
		err = d.uas.ReadBye(req, tx)
	}
	if err != nil {
		respond(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	d.remoteEnded(endInfo{reason: "hangup", side: warmline.HangupClient})
}

// onInvite: a new call from a trunk, or a re-INVITE in a dialog.
func (g *Gateway) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil {
		if _, ok := to.Params.Get("tag"); ok {
			g.onReinvite(req, tx)
			return
		}
	}
	if !g.isRunning() {
		respond(tx, req, 503, "Service Unavailable", sip.NewHeader("Retry-After", "5"))
		return
	}
	trunks := g.trunksFrom(sourceAddr(req))
	if d := g.demoNet(); d != nil && d.isOwn(req) {
		trunks = []*trunk{d.trunk}
	}
	if len(trunks) == 0 {
		g.log.Warn("INVITE from an address that is no trunk", "source", req.Source())
		respond(tx, req, 403, "Forbidden", warning(399, "source address is not a configured trunk"))
		return
	}
	switch {
	case req.From() == nil:
		respond(tx, req, 400, "Missing From header")
		return
	case req.Contact() == nil:
		respond(tx, req, 400, "Missing Contact header")
		return
	case len(req.Body()) == 0:
		respond(tx, req, 488, "Not Acceptable Here", warning(399, "INVITE without an SDP offer is not supported"))
		return
	case len(req.Body()) > maxInviteBody:
		respond(tx, req, 413, "Request Entity Too Large")
		return
	}
	if ct := req.ContentType(); ct != nil && !strings.HasPrefix(strings.ToLower(ct.Value()), "application/sdp") {
		respond(tx, req, 415, "Unsupported Media Type", sip.NewHeader("Accept", "application/sdp"))
		return
	}
	offer, err := parseSDP(req.Body())
	if err != nil {
		var se *sdpError
		if errors.As(err, &se) {
			respond(tx, req, 400, "Bad SDP: "+se.reason)
		} else {
			respond(tx, req, 488, "Not Acceptable Here", warning(304, "media type not available: offer PCMU or PCMA"))
		}
		return
	}
	// The dialled number: the Request-URI's user (DID), else the To user.
	var line *warmline.Line
	var t *trunk
	for _, cand := range []string{req.Recipient.User, req.To().Address.User} {
		for _, tr := range trunks {
			if l, ok := tr.line(cand); ok {
				line, t = l, tr
				break
			}
			if tr.demo && strings.HasPrefix(cand, "demo-") {
				t = tr
			}
		}
		if line != nil {
			break
		}
	}
	var org warmline.OrgID
	switch {
	case line != nil:
		org = line.OrgID
		if org == 0 {
			org = t.cfg.OrgID
		}
	case t != nil && t.demo:
		n, err := strconv.ParseInt(strings.TrimPrefix(req.Recipient.User, "demo-"), 10, 64)
		if err != nil {
			respond(tx, req, 404, "Not Found")
			return
		}
		org = warmline.OrgID(n)
	default:
		respond(tx, req, 404, "Not Found", warning(399, "no line has this number"))
		return
	}
	if iv, _ := sessionExpires(req); iv > 0 && iv < g.minSE() {
		respond(tx, req, 422, "Session Interval Too Small", sip.NewHeader("Min-SE", seconds(g.minSE())))
		return
	}
	if _, ok := pickCodec(offer.Codecs, t.codecs); !ok {
		respond(tx, req, 488, "Not Acceptable Here", warning(305, "incompatible media format: the trunk's codecs are not offered"))
		return
	}
	g.inbound(req, tx, t, org, line, offer)
}

// inbound runs an inbound call: record first, 180, routing, ringing
// agents, answer or a precise final response.
func (g *Gateway) inbound(req *sip.Request, tx sip.ServerTransaction, t *trunk, org warmline.OrgID, line *warmline.Line, offer *mediaDesc) {
	respond(tx, req, 100, "Trying")
	uas, err := g.dua.ReadInvite(req, tx)
	if err != nil {
		respond(tx, req, 400, "Bad Request", warning(399, err.Error()))
		return
	}
	from := req.From().Address.User
	if n, ok := phone.Normalize(from, t.country); ok {
		from = n
	}
	rec := warmline.Call{OrgID: org, Direction: warmline.CallInbound, From: from, CreatedAt: time.Now(),
		SIPCallID: req.CallID().Value(), Node: g.cfg.Node, Status: warmline.CallRinging}
	if !t.demo {
		tid := int64(t.cfg.ID)
		rec.TrunkID = &tid
	}
	if line != nil {
		rec.To, rec.LineID = line.Number, &line.ID
	} else {
		rec.To = req.Recipient.User
	}
	ctx, cancel := storeCtx()
	defer cancel()
	client, err := g.store.ClientByPhone(ctx, org, from)
	if err != nil {
		g.log.Error("client by phone", "err", err)
	} else if client != nil {
		rec.ClientID, rec.ClientName = &client.ID, client.Name
	}
	id, err := g.store.StartCall(ctx, &rec)
	if err != nil {
		g.log.Error("start call", "err", err)
		_ = uas.Respond(500, "Server Internal Error", nil, warning(399, "the call could not be recorded"))
		return
	}
	rec.ID = id
	c := g.newCall(rec)
	rtp, err := newRTPLeg(g.ports, g.rtpIP)
	if err != nil {
		_ = uas.Respond(503, "Service Unavailable", nil, warning(399, "no RTP port free"))
		c.end(endInfo{outcome: warmline.OutcomeMissed, missed: warmline.MissedOverload, sipCause: 503, reason: "no_rtp_port", side: warmline.HangupSystem})
		return
	}
	d := g.newDialog(t, rtp)
	d.uas, d.callID, d.target, d.transport = uas, rec.SIPCallID, req.Contact().Address, strings.ToLower(req.Transport())
	d.register()
	d.takeTimerRequest(req)
	d.applyRemote(offer)
	if err := uas.Respond(180, "Ringing", nil); err != nil {
		d.finish()
		c.end(endInfo{outcome: warmline.OutcomeMissed, missed: warmline.MissedAbandoned, reason: "abandoned", side: warmline.HangupClient})
		return
	}
	if err := g.store.UpdateCall(ctx, org, id, CallUpdate{RingingAt: time.Now()}); err != nil {
		g.log.Error("update call (ringing)", "call", id, "err", err)
	}
	route, err := g.store.RouteInbound(ctx, InboundCall{OrgID: org, LineID: lineID(line), CallID: id, From: from, At: time.Now()})
	cancel()
	if err != nil {
		g.log.Error("route inbound", "call", id, "err", err)
		route = &Route{MissedReason: warmline.MissedOverload}
	}
	if route.Client != nil && rec.ClientID == nil {
		c.mu.Lock()
		c.rec.ClientID, c.rec.ClientName = &route.Client.ID, route.Client.Name
		c.mu.Unlock()
	}
	agent, e := c.ringAgents(route, uas)
	if agent == 0 {
		code, reason := missedResponse(e)
		if e.missed != warmline.MissedAbandoned {
			_ = uas.Respond(code, reason, nil)
		}
		e.sipCause = code
		if e.missed == warmline.MissedAbandoned {
			e.sipCause = 487
		}
		d.finish()
		c.end(e)
		return
	}
	// Answer: 200 OK with our SDP; audio flows as soon as the ACK is in.
	d.mu.Lock()
	d.local.Dir = answerDir(offer.Dir, false)
	body := d.local.bytes()
	d.mu.Unlock()
	res := sip.NewSDPResponseFromRequest(uas.InviteRequest, body)
	ct := g.contact(d.transport)
	res.AppendHeader(&ct)
	res.AppendHeader(sip.NewHeader("Allow", allowMethods))
	d.timerAnswerHeaders(res)
	c.mu.Lock()
	c.dlg = d
	c.mu.Unlock()
	c.bridge()
	if err := uas.WriteResponse(res); err != nil {
		g.log.Warn("inbound answer not acknowledged", "call", id, "err", err)
		c.end(endInfo{outcome: warmline.OutcomeFailed, reason: "no_ack", side: warmline.HangupSystem, sipCause: 408})
		return
	}
	c.connected(d)
}

func lineID(l *warmline.Line) int64 {
	if l == nil {
		return 0
	}
	return l.ID
}

// missedResponse is the caller's final response for a missed call.
func missedResponse(e endInfo) (int, string) {
	switch e.missed {
	case warmline.MissedAllBusy:
		return 486, "Busy Here"
	case warmline.MissedOverload:
		return 503, "Service Unavailable"
	case warmline.MissedAbandoned:
		return 487, "Request Terminated"
	}
	if e.reason == "declined" {
		return 603, "Decline"
	}
	return 480, "Temporarily Unavailable"
}

// ringAgents rings the route's agents in turn; it returns the one who
// answered, or 0 and how the call was missed.
func (c *call) ringAgents(route *Route, uas *sipgo.DialogServerSession) (warmline.UserID, endInfo) {
	missed := func(r warmline.MissedReason, reason string) endInfo {
		return endInfo{outcome: warmline.OutcomeMissed, missed: r, reason: reason, side: warmline.HangupSystem}
	}
	if route.MissedReason != "" {
		return 0, missed(route.MissedReason, string(route.MissedReason))
	}
	ringFor := route.RingFor
	if ringFor <= 0 {
		ringFor = defaultRingFor
	}
	rang := false
	deadline := time.NewTimer(ringFor)
	defer deadline.Stop()
	for _, a := range route.Agents {
		s := c.g.session(a)
		if s == nil || s.currentLeg() == nil || s.agent.OrgID != c.rec.OrgID || c.g.agentBusy(a) {
			continue
		}
		rang = true
		c.mu.Lock()
		c.ringing = a
		c.state = stateRinging
		c.mu.Unlock()
		c.g.setAgentState(c.rec.OrgID, a, warmline.AgentRinging)
		c.notify()
		for {
			select {
			case <-uas.Context().Done(): // CANCEL: the caller hung up
				c.mu.Lock()
				c.endSide = nil
				c.mu.Unlock()
				e := missed(warmline.MissedAbandoned, "cancelled")
				e.side = warmline.HangupClient
				return 0, e
			case <-deadline.C:
				return 0, missed(warmline.MissedNoAnswer, "no_answer")
			case act := <-c.actions:
				if act.agent != a {
					continue
				}
				if act.answer {
					c.mu.Lock()
					c.ringing, c.agent, c.agentOnCall = 0, a, true
					c.mu.Unlock()
					c.g.setAgentState(c.rec.OrgID, a, warmline.AgentOnCall)
					return a, endInfo{}
				}
				c.mu.Lock()
				c.ringing = 0
				c.mu.Unlock()
				c.g.setAgentState(c.rec.OrgID, a, warmline.AgentAvailable)
				if s := c.g.session(a); s != nil {
					v := c.view()
					v.State, v.EndReason = stateEnded, "declined"
					s.push(phoneOut{Type: "call", Call: v})
				}
			}
			break
		}
	}
	if !rang {
		return 0, missed(warmline.MissedNoAgentsOnline, "no_agents_online")
	}
	// Every agent who rang declined.
	e := missed(warmline.MissedNoAnswer, "declined")
	e.side = warmline.HangupAgent
	return 0, e
}

// inDialog finds the dialog of an in-dialog request and checks its
// CSeq; otherwise it answers 481 / 500 and returns nil.
func (g *Gateway) inDialog(req *sip.Request, tx sip.ServerTransaction) *sipDialog {
	d := g.dialogOf(req)
	if d == nil {
		respond(tx, req, 481, "Call/Transaction Does Not Exist")
		return nil
	}
	if err := d.readRequest(req, tx); err != nil {
		respond(tx, req, 500, "Server Internal Error", sip.NewHeader("Retry-After", "1"))
		return nil
	}
	return d
}

// onReinvite and onUpdate: the far end changes the session (hold, new
// address) or refreshes it (RFC 4028: a re-INVITE, or an UPDATE without
// SDP, RFC 3311).
func (g *Gateway) onReinvite(req *sip.Request, tx sip.ServerTransaction) { g.onSessionChange(req, tx) }
func (g *Gateway) onUpdate(req *sip.Request, tx sip.ServerTransaction)   { g.onSessionChange(req, tx) }

func (g *Gateway) onSessionChange(req *sip.Request, tx sip.ServerTransaction) {
	d := g.inDialog(req, tx)
	if d == nil {
		return
	}
	var res *sip.Response
	if req.Method == sip.UPDATE && len(req.Body()) == 0 {
		d.mu.Lock()
		d.lastRefresh = time.Now()
		d.mu.Unlock()
		res = sip.NewResponseFromRequest(req, 200, "OK", nil)
	} else {
		body, code, reason := d.offerAnswer(req)
		if code != 200 {
			respond(tx, req, code, reason)
			return
		}
		res = sip.NewSDPResponseFromRequest(req, body)
	}
	ct := g.contact(d.transport)
	res.AppendHeader(&ct)
	if d.takeTimerRequest(req) {
		d.timerAnswerHeaders(res)
	}
	if err := tx.Respond(res); err != nil {
		return
	}
	d.changed()
}

func (d *sipDialog) readRequest(req *sip.Request, tx sip.ServerTransaction) error {
	if d.uac != nil {
		return d.uac.ReadRequest(req, tx)
	}
	return d.uas.ReadRequest(req, tx)
}

// offerAnswer answers an in-dialog offer (RFC 3264 §8): the far end's
// address and direction are applied; our answer's direction follows
// §6.1 (sendonly → recvonly, inactive → inactive, and our own hold).
func (d *sipDialog) offerAnswer(req *sip.Request) ([]byte, int, string) {
	if c := req.Contact(); c != nil {
		d.mu.Lock()
		d.target = c.Address
		d.mu.Unlock()
	}
	if len(req.Body()) == 0 { // an offerless re-INVITE: offer what we have
		d.mu.Lock()
		defer d.mu.Unlock()
		d.lastRefresh = time.Now()
		return d.local.bytes(), 200, "OK"
	}
	m, err := parseSDP(req.Body())
	if err != nil {
		var se *sdpError
		if errors.As(err, &se) {
			return nil, 400, "Bad SDP: " + se.reason
		}
		return nil, 488, "Not Acceptable Here"
	}
	if _, ok := pickCodec(m.Codecs, d.trunk.codecs); !ok {
		return nil, 488, "Not Acceptable Here"
	}
	d.applyRemote(m)
	d.mu.Lock()
	defer d.mu.Unlock()
	prev := d.local
	d.local.Dir = answerDir(m.Dir, d.localHold)
	d.local.Version = prev.Version
	if string(prev.bytes()) != string(d.local.bytes()) {
		d.local.Version++
	}
	d.lastRefresh = time.Now()
	return d.local.bytes(), 200, "OK"
}

func (d *sipDialog) changed() {
	d.mu.Lock()
	f := d.onChange
	d.mu.Unlock()
	if f != nil {
		go f()
	}
}

// onRefer: the far end transfers us (RFC 3515).
func (g *Gateway) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	d := g.inDialog(req, tx)
	if d == nil {
		return
	}
	rt := req.GetHeader("Refer-To")
	if rt == nil {
		respond(tx, req, 400, "Missing Refer-To header")
		return
	}
	var uri sip.Uri
	if _, err := sip.ParseAddressValue(rt.Value(), &uri, nil); err != nil || uri.User == "" {
		respond(tx, req, 400, "Bad Refer-To header")
		return
	}
	if strings.Contains(strings.ToLower(rt.Value()), "replaces") {
		respond(tx, req, 501, "Not Implemented", warning(399, "attended transfer (Replaces) is not supported"))
		return
	}
	d.mu.Lock()
	f := d.onRefer
	d.mu.Unlock()
	if f == nil {
		respond(tx, req, 603, "Decline")
		return
	}
	code, err := f(uri.User)
	if err != nil {
		respond(tx, req, code, err.Error())
		return
	}
	respond(tx, req, 202, "Accepted")
}

// notifyRefer reports a REFER's progress (RFC 3515 §2.4.4).
func (d *sipDialog) notifyRefer(code int, reason string) {
	req := d.request(sip.NOTIFY)
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	state := "active;expires=60"
	if code >= 200 {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte(fmt.Sprintf("SIP/2.0 %d %s\r\n", code, reason)))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := d.do(ctx, req); err != nil {
		d.g.log.Debug("NOTIFY", "err", err)
	}
}

// invite places a call through t: INVITE (digest auth on 401/407) →
// 18x → 200 → ACK. progress gets the dialog at 180/183 (early: with
// SDP, whose audio is bridged). On a final failure it returns the response.
//
// A 422 (Session Interval Too Small) is retried once with the far end's
// Min-SE as our Session-Expires and Min-SE (RFC 4028 §7.4), as a new
// transaction of the same Call-ID and From tag, CSeq one higher
// (RFC 3261 §8.1.3.5).
func (g *Gateway) invite(ctx context.Context, t *trunk, to, from string, progress func(d *sipDialog, early bool)) (*sipDialog, *sip.Response, error) {
	se, minSE := g.sessionExpires(), g.minSE()
	d, res, req, err := g.inviteOnce(ctx, t, to, from, se, minSE, nil, progress)
	if res == nil || res.StatusCode != 422 {
		return d, res, err
	}
	asked := minSEOf(res)
	if asked <= se {
		return d, res, err // nothing larger to offer: the failure stands
	}
	g.log.Info("trunk asked for a longer session interval", "trunk", t.cfg.ID, "min_se", seconds(asked))
	d, res, _, err = g.inviteOnce(ctx, t, to, from, asked, max(minSE, asked), req, progress)
	return d, res, err
}

// minSEOf reads a 422's Min-SE (0 when missing or unreadable).
func minSEOf(res *sip.Response) time.Duration {
	h := res.GetHeader("Min-SE")
	if h == nil {
		return 0
	}
	v, _, _ := strings.Cut(h.Value(), ";")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// inviteOnce sends one INVITE offering session interval se and minSE;
// prev, when set, is the INVITE this one retries. It returns the INVITE
// it sent with the outcome.
func (g *Gateway) inviteOnce(ctx context.Context, t *trunk, to, from string, se, minSE time.Duration, prev *sip.Request,
	progress func(d *sipDialog, early bool)) (*sipDialog, *sip.Response, *sip.Request, error) {
	rtp, err := newRTPLeg(g.ports, g.rtpIP)
	if err != nil {
		return nil, nil, nil, err
	}
	d := g.newDialog(t, rtp)
	port := t.cfg.Port
	if port == 0 {
		port = 5060
	}
	ruri := sip.Uri{User: to, Host: t.cfg.Host, Port: port}
	if from == "" {
		from = t.cfg.Username
	}
	if from == "" {
		from = "warmline"
	}
	req := sip.NewRequest(sip.INVITE, ruri)
	if prev != nil {
		req.AppendHeader(sip.HeaderClone(prev.From()))
		req.AppendHeader(sip.HeaderClone(prev.CallID()))
		req.AppendHeader(&sip.CSeqHeader{SeqNo: prev.CSeq().SeqNo + 1, MethodName: sip.INVITE})
	} else {
		req.AppendHeader(&sip.FromHeader{Address: sip.Uri{User: from, Host: t.cfg.Host}, Params: tagParams()})
	}
	req.AppendHeader(&sip.ToHeader{Address: ruri})
	ct := g.contact(t.cfg.Transport)
	req.AppendHeader(&ct)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	req.AppendHeader(sip.NewHeader("Supported", "timer"))
	req.AppendHeader(sip.NewHeader("Session-Expires", seconds(se)))
	req.AppendHeader(sip.NewHeader("Min-SE", seconds(minSE)))
	d.mu.Lock()
	d.local.Codecs = t.codecs
	req.SetBody(d.local.bytes())
	d.mu.Unlock()
	req.SetTransport(strings.ToUpper(t.cfg.Transport))
	if t.cfg.OutboundProxy != "" {
		req.SetDestination(t.target)
	}
	d.target, d.transport = ruri, t.cfg.Transport
	sess, err := g.dua.WriteInvite(ctx, req)
	if err != nil {
		rtp.close()
		return nil, nil, req, fmt.Errorf("INVITE: %w", err)
	}
	d.uac, d.callID = sess, req.CallID().Value()
	d.register()
	var early bool
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{Username: t.cfg.Username, Password: t.cfg.Password,
		OnResponse: func(res *sip.Response) error {
			if !res.IsProvisional() || res.StatusCode == 100 {
				return nil
			}
			if len(res.Body()) > 0 {
				if m, err := parseSDP(res.Body()); err == nil {
					d.applyRemote(m)
					early = true
				}
			}
			if progress != nil {
				progress(d, early)
			}
			return nil
		}})
	if err != nil {
		var de *sipgo.ErrDialogResponse
		if errors.As(err, &de) {
			d.finish()
			return nil, de.Res, req, err
		}
		d.finish()
		return nil, nil, req, err
	}
	res := sess.InviteResponse
	if c := res.Contact(); c != nil {
		d.mu.Lock()
		d.target = c.Address
		d.mu.Unlock()
	}
	m, perr := parseSDP(res.Body())
	if perr != nil {
		_ = sess.Ack(ctx)
		d.bye()
		return nil, &sip.Response{StatusCode: 488}, req, fmt.Errorf("the answer's SDP is unusable: %w", perr)
	}
	d.applyRemote(m)
	if err := sess.Ack(ctx); err != nil {
		d.bye()
		return nil, nil, req, fmt.Errorf("ACK: %w", err)
	}
	d.takeTimerAnswer(res)
	return d, res, req, nil
}
