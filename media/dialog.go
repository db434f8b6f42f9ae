package media

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/warmline/warmline/backend/warmline"
)

// sipDialog is one SIP dialog with a trunk (or the demo network) and its
// RTP leg, whichever side placed the INVITE.
type sipDialog struct {
	g      *Gateway
	trunk  *trunk
	callID string
	uac    *sipgo.DialogClientSession // we placed the INVITE
	uas    *sipgo.DialogServerSession // we answered it
	rtp    *rtpLeg

	mu         sync.Mutex
	target     sip.Uri // the far end's Contact: in-dialog requests go there
	transport  string
	local      sdpBody
	remote     *mediaDesc
	localHold  bool // we hold the far end
	remoteHold bool // the far end holds us
	// Session timer (RFC 4028): every refresh interval we refresh (re-INVITE)
	// or the far end must have.
	seInterval  time.Duration
	weRefresh   bool
	farTimer    bool // the far end supports session timers (its Supported/Require)
	lastRefresh time.Time
	onEnd       func(endInfo) // the far end ended it (BYE, session expiry)
	onChange    func()        // hold state or media changed by the far end
	onRefer     func(target string) (int, error)
	ended       chan struct{}
	endOnce     sync.Once
	closeOnce   sync.Once
}

func (g *Gateway) newDialog(t *trunk, rtp *rtpLeg) *sipDialog {
	return &sipDialog{g: g, trunk: t, rtp: rtp, transport: t.cfg.Transport, ended: make(chan struct{}),
		local:       sdpBody{IP: g.sdpIP, Port: rtp.port, SessID: rand.Uint64() >> 2, Version: 1, Codecs: t.codecs, TE: ptTE, Dir: dirSendRecv},
		lastRefresh: time.Now()}
}

func (d *sipDialog) register() {
	d.g.mu.Lock()
	d.g.dialogs[d.callID] = d
	d.g.mu.Unlock()
}

// finish marks the dialog over and frees its port (once).
func (d *sipDialog) finish() {
	d.closeOnce.Do(func() {
		close(d.ended)
		d.g.mu.Lock()
		if d.g.dialogs[d.callID] == d {
			delete(d.g.dialogs, d.callID)
		}
		d.g.mu.Unlock()
		d.rtp.close()
		if d.uac != nil {
			_ = d.uac.Close()
		}
		if d.uas != nil {
			_ = d.uas.Close()
		}
	})
}

// remoteEnded reports a far-end hang-up to the call (once).
func (d *sipDialog) remoteEnded(e endInfo) {
	d.endOnce.Do(func() {
		d.mu.Lock()
		f := d.onEnd
		d.mu.Unlock()
		if f != nil {
			go f(e)
		}
	})
}

// request builds an in-dialog request to the far end's target.
func (d *sipDialog) request(method sip.RequestMethod) *sip.Request {
	d.mu.Lock()
	req := sip.NewRequest(method, d.target)
	d.mu.Unlock()
	req.SetTransport(strings.ToUpper(d.transport))
	if d.trunk.cfg.OutboundProxy != "" {
		req.SetDestination(d.trunk.target)
	}
	ct := d.g.contact(d.transport)
	req.AppendHeader(&ct)
	return req
}

func (d *sipDialog) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	if d.uac != nil {
		return answered(d.uac.Do(ctx, req))
	}
	return answered(d.uas.Do(ctx, req))
}

// errNoAnswer is a request whose transaction ended with neither a response
// nor an error.
var errNoAnswer = errors.New("the transaction ended without a response")

// answered guards sipgo's Do, which returns no response and no error when
// the transaction ends by itself (its transport closed, e.g. while the
// gateway shuts down): callers may then read the response safely.
func answered(res *sip.Response, err error) (*sip.Response, error) {
	if err == nil && res == nil {
		return nil, errNoAnswer
	}
	return res, err
}

// bye ends the dialog from our side.
func (d *sipDialog) bye() {
	d.endOnce.Do(func() {}) // a BYE crossing ours is not the far end hanging up
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var err error
	if d.uac != nil {
		err = d.uac.WriteBye(ctx, d.request(sip.BYE))
	} else if d.uas != nil {
		err = d.uas.WriteBye(ctx, d.request(sip.BYE))
	}
	if err != nil {
		d.g.log.Debug("BYE", "call_id", d.callID, "err", err)
	}
	d.finish()
}

// applyRemote takes the far end's SDP (answer or offer).
func (d *sipDialog) applyRemote(m *mediaDesc) {
	d.mu.Lock()
	d.remote = m
	d.remoteHold = m.Dir == dirSendOnly || m.Dir == dirInactive
	if c, ok := pickCodec(m.Codecs, d.trunk.codecs); ok {
		m.Codec = c
	}
	d.local.Codecs = []uint8{m.Codec}
	if m.TE == 0 {
		d.local.TE = 0
	} else {
		d.local.TE = m.TE
	}
	sending := !d.localHold && (m.Dir == dirSendRecv || m.Dir == dirRecvOnly)
	d.mu.Unlock()
	d.rtp.setRemote(m)
	d.rtp.setSending(sending)
}

// held says whether either side holds the call.
func (d *sipDialog) held() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.localHold || d.remoteHold
}

// reinvite sends a re-INVITE with our direction and applies the answer.
func (d *sipDialog) reinvite(ctx context.Context, hold bool) error {
	d.mu.Lock()
	prevHold := d.localHold
	d.localHold = hold
	d.local.Version++
	d.local.Dir = dirSendRecv
	if hold {
		d.local.Dir = dirSendOnly
	}
	body := d.local.bytes()
	d.mu.Unlock()
	res, err := d.sendInvite(ctx, body)
	if err == nil && res.StatusCode != 200 {
		err = fmt.Errorf("re-INVITE answered %d %s", res.StatusCode, res.Reason)
	}
	if err != nil {
		d.mu.Lock()
		d.localHold = prevHold
		d.mu.Unlock()
		return err
	}
	if m, perr := parseSDP(res.Body()); perr == nil {
		d.applyRemote(m)
	}
	d.takeTimerAnswer(res) // a re-INVITE refreshes the session too
	if !hold {
		d.rtp.setSending(true)
	} else {
		d.rtp.setSending(false)
	}
	return nil
}

// sendInvite sends an in-dialog INVITE with body and ACKs a 2xx. A 422
// whose Min-SE is above our session interval is retried once with that
// interval (RFC 4028 §7.4).
func (d *sipDialog) sendInvite(ctx context.Context, body []byte) (*sip.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, 32*time.Second)
	defer cancel()
	res, err := d.inviteInDialog(ctx, body)
	if err == nil && res.StatusCode == 422 {
		asked := minSEOf(res)
		d.mu.Lock()
		retry := d.seInterval > 0 && asked > d.seInterval
		if retry {
			d.seInterval = asked
		}
		d.mu.Unlock()
		if retry {
			d.g.log.Info("far end asked for a longer session interval", "call_id", d.callID, "min_se", seconds(asked))
			res, err = d.inviteInDialog(ctx, body)
		}
	}
	if err != nil {
		return nil, err
	}
	if res.IsSuccess() {
		ack := d.request(sip.ACK)
		if d.uac != nil {
			err = d.uac.WriteAck(ctx, ack)
		} else {
			err = d.uas.WriteRequest(ack)
		}
		if err != nil {
			return nil, fmt.Errorf("ACK: %w", err)
		}
	}
	return res, nil
}

func (d *sipDialog) inviteInDialog(ctx context.Context, body []byte) (*sip.Response, error) {
	req := d.request(sip.INVITE)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	d.addTimerHeaders(req)
	req.SetBody(body)
	return d.do(ctx, req)
}

func (d *sipDialog) addTimerHeaders(req *sip.Request) {
	d.mu.Lock()
	iv, we := d.seInterval, d.weRefresh
	d.mu.Unlock()
	if iv == 0 {
		return
	}
	// In a request we send we are its UAC: "uac" says we keep refreshing.
	ref := "uas"
	if we {
		ref = "uac"
	}
	req.AppendHeader(sip.NewHeader("Supported", "timer"))
	req.AppendHeader(sip.NewHeader("Session-Expires", seconds(iv)+";refresher="+ref))
}

// runSessionTimer refreshes the session or ends it on expiry (RFC 4028):
// as the refresher we re-INVITE at half the interval; otherwise, when no
// refresh came, we send BYE shortly before the session would expire
// (§10: the interval minus a third of it, at most 32 s).
func (d *sipDialog) runSessionTimer() {
	for {
		d.mu.Lock()
		iv, we, last := d.seInterval, d.weRefresh, d.lastRefresh
		d.mu.Unlock()
		if iv <= 0 {
			return
		}
		due := last.Add(iv - min(32*time.Second, iv/3))
		if we {
			due = last.Add(iv / 2)
		}
		select {
		case <-d.ended:
			return
		case <-time.After(time.Until(due)):
		}
		d.mu.Lock()
		changed := d.lastRefresh != last || d.seInterval != iv || d.weRefresh != we
		body := d.local.bytes()
		d.mu.Unlock()
		if changed { // refreshed or renegotiated meanwhile
			continue
		}
		if !we {
			d.g.log.Info("session expired: the far end did not refresh it", "call_id", d.callID, "interval", iv)
			d.expire()
			return
		}
		res, err := d.sendInvite(context.Background(), body)
		switch {
		case err != nil || res.StatusCode == 408 || res.StatusCode == 481:
			d.g.log.Info("session refresh failed: ending the call", "call_id", d.callID, "err", err, "res", res)
			d.expire()
			return
		case res.IsSuccess():
			d.takeTimerAnswer(res)
		default: // e.g. 491 (glare): the session lives on, try again sooner
			d.g.log.Warn("session refresh refused", "call_id", d.callID, "code", res.StatusCode)
			d.mu.Lock()
			d.lastRefresh = time.Now().Add(-iv / 4)
			d.mu.Unlock()
		}
	}
}

func (d *sipDialog) expire() {
	d.remoteEnded(endInfo{reason: "session_expired", side: warmline.HangupSystem})
	d.bye()
}

// takeTimerRequest applies a request's Session-Expires as its UAS (RFC
// 4028 §9): the interval asked for, refreshed by whom the refresher
// parameter names, else by the UAC when it supports timers, else by us.
// It reports whether the request asked for a session timer.
func (d *sipDialog) takeTimerRequest(req *sip.Request) bool {
	iv, ref := sessionExpires(req)
	if iv <= 0 {
		return false
	}
	supports := supportsTimer(req)
	if ref == "" {
		ref = "uas"
		if supports {
			ref = "uac"
		}
	}
	d.mu.Lock()
	d.seInterval, d.weRefresh, d.farTimer, d.lastRefresh = iv, ref == "uas", supports, time.Now()
	d.mu.Unlock()
	return true
}

// timerAnswerHeaders puts the session timer in our 2xx; Require: timer
// only when the far end supports timers (§9).
func (d *sipDialog) timerAnswerHeaders(res *sip.Response) {
	d.mu.Lock()
	iv, we, require := d.seInterval, d.weRefresh, d.farTimer
	d.mu.Unlock()
	if iv <= 0 {
		return
	}
	ref := "uac"
	if we {
		ref = "uas"
	}
	if require {
		res.AppendHeader(sip.NewHeader("Require", "timer"))
	}
	res.AppendHeader(sip.NewHeader("Session-Expires", seconds(iv)+";refresher="+ref))
}

// takeTimerAnswer applies the Session-Expires of a 2xx to an INVITE we
// sent (§7.2): refresher=uac means us; none turns the timer off — except
// from a far end without timer support that made us the refresher (§9):
// it never echoes the header, and our refreshes go on (a dead dialog
// answers them 408/481).
func (d *sipDialog) takeTimerAnswer(res *sip.Response) {
	iv, ref := sessionExpires(res)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lastRefresh = time.Now()
	if iv <= 0 && d.seInterval > 0 && d.weRefresh && !d.farTimer {
		return
	}
	d.seInterval, d.weRefresh = iv, iv > 0 && ref != "uas"
	d.farTimer = d.farTimer || supportsTimer(res)
}

// supportsTimer says whether a message's Supported (or compact k) or
// Require lists "timer".
func supportsTimer(m interface{ GetHeaders(string) []sip.Header }) bool {
	for _, name := range []string{"Supported", "k", "Require"} {
		for _, h := range m.GetHeaders(name) {
			for _, o := range strings.Split(h.Value(), ",") {
				if strings.EqualFold(strings.TrimSpace(o), "timer") {
					return true
				}
			}
		}
	}
	return false
}

// sessionExpires reads Session-Expires: interval and refresher.
func sessionExpires(m interface{ GetHeader(string) sip.Header }) (time.Duration, string) {
	h := m.GetHeader("Session-Expires")
	if h == nil {
		h = m.GetHeader("x") // the compact form
	}
	if h == nil {
		return 0, ""
	}
	v, params, _ := strings.Cut(h.Value(), ";")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0, ""
	}
	ref := ""
	for _, p := range strings.Split(params, ";") {
		if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "refresher") {
			ref = strings.ToLower(val)
		}
	}
	return time.Duration(n) * time.Second, ref
}
