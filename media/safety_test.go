package media_test

import (
	"context"
	"github.com/emiago/sipgo/sip"
	"net"
	"strings"
	"testing"
	"time"
)

func countCalls(t *testing.T, f *fixture) int {
	t.Helper()
	var n int
	if err := f.db.Get(&n, `SELECT count(*) FROM calls WHERE org_id = $1`, f.org.ID); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInviteFromUnknownSource_403NoRecord(t *testing.T) {
	f := newFixture(t, 0)
	// 127.0.0.2 is loopback too, but not the trunk's address.
	code, reason := rawInvite(t, "127.0.0.2", f.sipPort, f.line.Number, true)
	if code != 403 {
		t.Fatalf("INVITE from an unknown source: %d %s", code, reason)
	}
	// From the trunk's address the same INVITE to an unknown number is 404.
	if code, reason := rawInvite(t, "127.0.0.1", f.sipPort, "+79990001122", true); code != 404 {
		t.Fatalf("INVITE to an unknown number: %d %s", code, reason)
	}
	if n := countCalls(t, f); n != 0 {
		t.Fatalf("%d call records, want none", n)
	}
}

func TestMediaTimeout_ByeAndReason(t *testing.T) {
	f := newFixture(t, 2*time.Second)
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)
	waitTone(t, b.rec, 600, "the agent hears the client")
	pc.tone.Load().stop() // the far end's RTP stops
	pc.waitBye(t, 6*time.Second)
	ended := b.expectCall("ended")
	if ended["end_reason"] != "media_timeout" {
		t.Fatalf("ended = %v", ended)
	}
	r := f.waitEnded(id)
	if r.EndReason != "media_timeout" || deref(r.HangupSide) != "system" || deref(r.Outcome) != "answered" {
		t.Fatalf("record = %+v", r)
	}
}

func TestLatching_ForeignRTPDropped(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)
	waitTone(t, b.rec, 600, "the agent hears the client")
	port, _, ok := f.gw.CallRTP(id)
	if !ok {
		t.Fatal("no SIP leg")
	}
	// A stranger on another address streams 300 Hz at the call's port.
	rogue, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP("127.0.0.3")})
	if err != nil {
		t.Fatal(err)
	}
	defer rogue.Close()
	dst := &net.UDPAddr{IP: net.ParseIP("127.0.0.1"), Port: port}
	ts := startTone(300, 0, func(pkt []byte) { _, _ = rogue.WriteToUDP(pkt, dst) })
	defer ts.stop()
	time.Sleep(time.Second)
	b.rec.reset()
	waitTone(t, b.rec, 600, "the agent still hears only the client")
	if _, dropped, _ := f.gw.CallRTP(id); dropped < 20 {
		t.Fatalf("%d foreign packets dropped, want the rogue's", dropped)
	}
	pc.bye()
	f.waitEnded(id)
}

func TestBlindTransferToNumber(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)
	waitTone(t, pc.rec, 1000, "the client hears the agent")
	f.peer.mu.Lock()
	f.peer.tone = 800 // the transfer target's voice
	f.peer.mu.Unlock()
	b.send(map[string]any{"type": "transfer", "call_id": id, "to": "+79160000002", "ref": "t"})
	b.expect("ack", func(m map[string]any) bool { return m["ref"] == "t" })
	var target *peerCall
	select {
	case target = <-f.peer.calls:
	case <-time.After(10 * time.Second):
		t.Fatal("no INVITE for the transfer")
	}
	if target.invite.Recipient.User != "+79160000002" {
		t.Fatalf("transfer INVITE to %q", target.invite.Recipient.User)
	}
	ended := b.expectCall("ended")
	if ended["end_reason"] != "transferred" {
		t.Fatalf("agent's call = %v", ended)
	}
	pc.rec.reset()
	waitTone(t, pc.rec, 800, "the client hears the transfer target")
	waitTone(t, target.rec, 600, "the target hears the client")
	r := f.waitEnded(id)
	if r.EndReason != "transferred" || deref(r.Outcome) != "answered" {
		t.Fatalf("record = %+v", r)
	}
	// When the client hangs up, the target gets a BYE.
	pc.bye()
	target.waitBye(t, 5*time.Second)
}

func TestBlindTransferToAgent(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)
	// A second agent with their softphone on.
	other, err := postgresUser(f, "Борис")
	if err != nil {
		t.Fatal(err)
	}
	b2 := f.connectBrowserAs(other)
	b2.tone.freq.Store(f64(1400))
	b.send(map[string]any{"type": "transfer", "call_id": id, "agent_id": other.ID})
	ring := b2.expectCall("ringing")
	b2.send(map[string]any{"type": "answer", "call_id": callID(ring)})
	if e := b.expectCall("ended"); e["end_reason"] != "transferred" {
		t.Fatalf("first agent's call = %v", e)
	}
	b2.rec.reset()
	pc.rec.reset()
	waitTone(t, b2.rec, 600, "the second agent hears the client")
	waitTone(t, pc.rec, 1400, "the client hears the second agent")
	var agentID int64
	if err := f.db.Get(&agentID, `SELECT agent_id FROM calls WHERE id = $1`, id); err != nil || agentID != int64(other.ID) {
		t.Fatalf("call's agent %d (%v), want %d", agentID, err, other.ID)
	}
	b2.send(map[string]any{"type": "hangup", "call_id": id})
	pc.waitBye(t, 5*time.Second)
}

func TestInboundCancelledWhileRinging_Abandoned(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	pc, ring := f.inboundRinging(b, "+79035550000")
	if ring["client_id"] != nil {
		t.Fatalf("unknown caller shown as a client: %v", ring)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	err := pc.answered(ctx) // cancelled: sends CANCEL
	if err == nil || !strings.Contains(err.Error(), "cancel") && ctx.Err() == nil {
		t.Fatalf("WaitAnswer = %v", err)
	}
	if e := b.expectCall("ended"); e["hangup_side"] != "client" {
		t.Fatalf("ended = %v", e)
	}
	r := f.waitEnded(callID(ring))
	if deref(r.Outcome) != "missed" || deref(r.Missed) != "abandoned" {
		t.Fatalf("record = %+v", r)
	}
}

// The trunk transfers us (REFER): the gateway calls the Refer-To number
// through the same trunk, moves the agent to it, reports progress in
// NOTIFY and ends the old dialog.
func TestReferFromTrunk(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)
	waitTone(t, b.rec, 600, "before the transfer")
	f.peer.mu.Lock()
	f.peer.tone = 800
	f.peer.mu.Unlock()
	req := sip.NewRequest(sip.REFER, pc.invite.Contact().Address)
	req.AppendHeader(sip.NewHeader("Refer-To", "<sip:+79160000003@127.0.0.1>"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := pc.uas.Do(ctx, req)
	if err != nil || res.StatusCode != 202 {
		t.Fatalf("REFER: %v %v", res, err)
	}
	var target *peerCall
	select {
	case target = <-f.peer.calls:
	case <-time.After(10 * time.Second):
		t.Fatal("no INVITE to the Refer-To number")
	}
	if target.invite.Recipient.User != "+79160000003" {
		t.Fatalf("INVITE to %q", target.invite.Recipient.User)
	}
	pc.waitBye(t, 5*time.Second) // the old dialog ends
	final := ""
	for final == "" || strings.Contains(final, " 100 ") {
		select {
		case final = <-f.peer.notifies:
		case <-time.After(5 * time.Second):
			t.Fatalf("NOTIFYs ended with %q", final)
		}
	}
	if !strings.HasPrefix(final, "SIP/2.0 200") {
		t.Fatalf("final NOTIFY %q", final)
	}
	b.rec.reset()
	waitTone(t, b.rec, 800, "the agent hears the transfer target")
	waitTone(t, target.rec, 1000, "the target hears the agent")
	b.send(map[string]any{"type": "hangup", "call_id": id})
	target.waitBye(t, 5*time.Second)
}
