package media_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/media"
)

// Session timers (RFC 4028) on the trunk leg, with intervals of seconds
// (Config.SIPTimers) so that refreshes and expiry happen within a test.

func shortTimers(t *testing.T) {
	configure = func(c *media.Config) { c.SessionExpires, c.MinSE = 2*time.Second, time.Second }
	t.Cleanup(func() { configure = nil })
}

// answeredInbound: the peer calls the line with hdrs, the agent answers,
// the caller's INVITE is answered.
func (f *fixture) answeredInbound(b *browser, hdrs ...sip.Header) (warmline.CallID, *peerCall) {
	f.t.Helper()
	if err := f.cs.SetAgentState(context.Background(), f.org.ID, f.agent.ID, warmline.AgentAvailable); err != nil {
		f.t.Fatal(err)
	}
	pc, err := f.peer.dial(f.sipPort, f.line.Number, "+79161234567", hdrs...)
	if err != nil {
		f.t.Fatal(err)
	}
	id := callID(b.expectCall("ringing"))
	b.send(map[string]any{"type": "answer", "call_id": id})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pc.answered(ctx); err != nil {
		f.t.Fatalf("the caller's INVITE: %v", err)
	}
	b.expectCall("active")
	return id, pc
}

func header(m interface{ GetHeader(string) sip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// expectRefreshes waits for n re-INVITEs from the gateway carrying
// Session-Expires want, about every period, with our SDP unchanged.
func expectRefreshes(t *testing.T, p *sipPeer, n int, want string, period time.Duration) {
	t.Helper()
	last, lastCSeq := time.Now(), 0
	for i := 0; i < n; i++ {
		select {
		case h := <-p.reinviteHdrs:
			offer := <-p.reinvites
			gap := time.Since(last)
			last = time.Now()
			if h["Session-Expires"] != want || !strings.Contains(h["Supported"], "timer") {
				t.Fatalf("refresh %d: Session-Expires %q Supported %q, want %q and timer", i+1, h["Session-Expires"], h["Supported"], want)
			}
			var cseq int
			fmt.Sscanf(h["CSeq"], "%d", &cseq)
			if cseq <= lastCSeq {
				t.Fatalf("refresh %d: CSeq %q after %d", i+1, h["CSeq"], lastCSeq)
			}
			lastCSeq = cseq
			if sdpDir(offer) != "sendrecv" {
				t.Fatalf("refresh %d offers %s", i+1, sdpDir(offer))
			}
			if i > 0 && (gap < period/2 || gap > period*2) {
				t.Fatalf("refresh %d came %v after the previous one, want about %v", i+1, gap, period)
			}
		case <-time.After(3 * period):
			t.Fatalf("refresh %d: no re-INVITE within %v", i+1, 3*period)
		}
	}
}

// An inbound call whose caller makes us the refresher — by refresher=uas,
// or by not supporting timers (RFC 4028 §9) — is refreshed by our
// re-INVITEs at half the interval; audio goes on.
func TestSessionTimer_GatewayRefreshesInbound(t *testing.T) {
	for _, c := range []struct {
		name    string
		timers  bool // the caller supports timers (and echoes Session-Expires)
		hdrs    []sip.Header
		require string
	}{
		{"refresher=uas", true, []sip.Header{sip.NewHeader("Supported", "timer"), sip.NewHeader("Session-Expires", "2;refresher=uas")}, "timer"},
		// A proxy asked for the timer; the caller knows nothing of it.
		{"caller without timer support", false, []sip.Header{sip.NewHeader("Session-Expires", "2")}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			shortTimers(t)
			f := newFixture(t, 0)
			f.peer.timers = c.timers
			b := f.connectBrowser()
			id, pc := f.answeredInbound(b, c.hdrs...)
			res := pc.uac.InviteResponse
			if se, req := header(res, "Session-Expires"), header(res, "Require"); se != "2;refresher=uas" || req != c.require {
				t.Fatalf("200 OK: Session-Expires %q Require %q, want 2;refresher=uas and %q", se, req, c.require)
			}
			expectRefreshes(t, f.peer, 3, "2;refresher=uac", time.Second)
			b.rec.reset()
			pc.rec.reset()
			waitTone(t, b.rec, 600, "the agent hears the caller after the refreshes")
			waitTone(t, pc.rec, 1000, "the caller hears the agent after the refreshes")
			if r := f.record(id); r.Status == "ended" {
				t.Fatalf("refreshed call ended: %+v", r)
			}
		})
	}
}

// Outbound: we offer SessionExpires and MinSE; the far end's 200 makes us
// the refresher; we re-INVITE at half the interval, CSeq rising.
func TestSessionTimer_GatewayRefreshesOutbound(t *testing.T) {
	shortTimers(t)
	f := newFixture(t, 0)
	f.peer.timers = true
	f.peer.answerHdrs = []sip.Header{sip.NewHeader("Require", "timer"), sip.NewHeader("Session-Expires", "2;refresher=uac")}
	b := f.connectBrowser()
	_, pc := f.outboundCall(b)
	if se, minSE := header(pc.invite, "Session-Expires"), header(pc.invite, "Min-SE"); se != "2" || minSE != "1" {
		t.Fatalf("INVITE: Session-Expires %q Min-SE %q, want 2 and 1", se, minSE)
	}
	expectRefreshes(t, f.peer, 3, "2;refresher=uac", time.Second)
	waitTone(t, pc.rec, 1000, "the client hears the agent after the refreshes")
}

// The far end is the refresher: its UPDATE (no SDP) and re-INVITE keep the
// call up past the interval; when it stops, we send BYE before the session
// would expire and the record says session_expired.
func TestSessionTimer_FarEndRefreshesThenExpires(t *testing.T) {
	shortTimers(t)
	f := newFixture(t, 0)
	b := f.connectBrowser()
	id, pc := f.answeredInbound(b, sip.NewHeader("Supported", "timer"), sip.NewHeader("Session-Expires", "2;refresher=uac"))
	if se := header(pc.uac.InviteResponse, "Session-Expires"); se != "2;refresher=uac" {
		t.Fatalf("200 OK: Session-Expires %q", se)
	}
	target := pc.uac.InviteResponse.Contact().Address
	refresh := func(method sip.RequestMethod) {
		t.Helper()
		time.Sleep(900 * time.Millisecond)
		req := sip.NewRequest(method, target)
		req.AppendHeader(sip.NewHeader("Supported", "timer"))
		req.AppendHeader(sip.NewHeader("Session-Expires", "2;refresher=uac"))
		if method == sip.INVITE {
			req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
			req.SetBody(pc.sdp("sendrecv", 2))
		}
		res, err := pc.uac.Do(context.Background(), req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s refresh: %v %v", method, res, err)
		}
		if se := header(res, "Session-Expires"); se != "2;refresher=uac" {
			t.Fatalf("%s refresh answered Session-Expires %q", method, se)
		}
		if method == sip.INVITE {
			if err := pc.uac.WriteRequest(sip.NewRequest(sip.ACK, target)); err != nil {
				t.Fatal(err)
			}
		}
	}
	refresh(sip.UPDATE)
	refresh(sip.INVITE)
	last := time.Now()
	time.Sleep(900 * time.Millisecond) // 2.7 s after the answer: only the refreshes kept it up
	if r := f.record(id); r.Status == "ended" {
		t.Fatalf("the call ended although the far end refreshed it: %+v", r)
	}
	pc.waitBye(t, 3*time.Second)
	// BYE at the interval minus a third (§10): 1.33 s after the last refresh.
	if d := time.Since(last); d < time.Second || d > 2500*time.Millisecond {
		t.Fatalf("BYE %v after the last refresh, want about 1.3 s", d)
	}
	if e := b.expectCall("ended"); e["end_reason"] != "session_expired" || e["hangup_side"] != "system" {
		t.Fatalf("ended = %v", e)
	}
	if r := f.waitEnded(id); r.EndReason != "session_expired" || deref(r.HangupSide) != "system" || deref(r.Outcome) != "answered" {
		t.Fatalf("record = %+v", r)
	}
}

// An INVITE asking for less than MinSE gets 422 with our Min-SE and no call.
func TestSessionTimer_IntervalTooSmall(t *testing.T) {
	f := newFixture(t, 0) // MinSE: the RFC's 90 s
	pc, err := f.peer.dial(f.sipPort, f.line.Number, "+79161234567", sip.NewHeader("Supported", "timer"), sip.NewHeader("Session-Expires", "60"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = pc.uac.WaitAnswer(ctx, sipgo.AnswerOptions{})
	var de *sipgo.ErrDialogResponse
	if !errors.As(err, &de) || de.Res.StatusCode != 422 || header(de.Res, "Min-SE") != "90" {
		t.Fatalf("answer = %v, want 422 with Min-SE: 90", err)
	}
	var n int
	if err := f.db.Get(&n, `SELECT count(*) FROM calls WHERE org_id = $1`, f.org.ID); err != nil || n != 0 {
		t.Fatalf("calls recorded: %d %v", n, err)
	}
}

// A trunk that wants a longer session interval answers our INVITE 422
// with its Min-SE: we retry once with that interval (RFC 4028 §7.4), in
// the same Call-ID with the next CSeq, and the call goes up refreshed at
// the new interval.
func TestSessionTimer_422RetriedWithTheTrunksMinSE(t *testing.T) {
	shortTimers(t) // we offer 2 s, Min-SE 1 s
	f := newFixture(t, 0)
	f.peer.timers = true
	f.peer.answerHdrs = []sip.Header{sip.NewHeader("Require", "timer"), sip.NewHeader("Session-Expires", "4;refresher=uac")}
	var first *sip.Request
	f.peer.challenge = func(req *sip.Request, tx sip.ServerTransaction) bool {
		if iv, _ := sessionSeconds(req); iv >= 4 {
			return false
		}
		first = req
		res := sip.NewResponseFromRequest(req, 422, "Session Interval Too Small", nil)
		res.AppendHeader(sip.NewHeader("Min-SE", "4"))
		_ = tx.Respond(res)
		return true
	}
	b := f.connectBrowser()
	_, pc := f.outboundCall(b)
	if first == nil {
		t.Fatal("the first INVITE was not refused")
	}
	if se, minSE := header(pc.invite, "Session-Expires"), header(pc.invite, "Min-SE"); se != "4" || minSE != "4" {
		t.Fatalf("retried INVITE: Session-Expires %q Min-SE %q, want 4 and 4", se, minSE)
	}
	tag, _ := pc.invite.From().Params.Get("tag")
	firstTag, _ := first.From().Params.Get("tag")
	if pc.invite.CallID().Value() != first.CallID().Value() || pc.invite.CSeq().SeqNo != first.CSeq().SeqNo+1 || tag != firstTag {
		t.Fatalf("retry: Call-ID %s CSeq %d, after %s CSeq %d", pc.invite.CallID().Value(), pc.invite.CSeq().SeqNo,
			first.CallID().Value(), first.CSeq().SeqNo)
	}
	expectRefreshes(t, f.peer, 2, "4;refresher=uac", 2*time.Second)
	waitTone(t, pc.rec, 1000, "the client hears the agent")
}

// A far end that wants a longer interval refuses our refresh 422 with
// its Min-SE: the refresh is retried at once with that interval and the
// session goes on, refreshed at the new half-interval.
func TestSessionTimer_Refresh422RetriedWithMinSE(t *testing.T) {
	shortTimers(t)
	f := newFixture(t, 0)
	f.peer.timers = true
	f.peer.answerHdrs = []sip.Header{sip.NewHeader("Require", "timer"), sip.NewHeader("Session-Expires", "2;refresher=uac")}
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)
	f.peer.reinviteMinSE.Store(3)
	expectRefreshes(t, f.peer, 2, "3;refresher=uac", 1500*time.Millisecond)
	if r := f.record(id); r.Status == "ended" {
		t.Fatalf("the call ended: %+v", r)
	}
	waitTone(t, pc.rec, 1000, "the client hears the agent after the refreshes")
}
