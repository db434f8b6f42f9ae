package media_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// outboundCall runs click-to-call up to both talking: the agent's
// softphone rings first, the agent answers, the gateway calls the trunk.
func (f *fixture) outboundCall(b *browser) (warmline.CallID, *peerCall) {
	f.t.Helper()
	b.send(map[string]any{"type": "dial", "to": "8 916 123-45-67", "ref": "d1"})
	ack := b.expect("ack", func(m map[string]any) bool { return m["ref"] == "d1" })
	ringing := b.expectCall("ringing")
	id := callID(ringing)
	if warmline.CallID(ack["call_id"].(float64)) != id {
		f.t.Fatalf("ack for call %v, ringing call %d", ack["call_id"], id)
	}
	if ringing["client_name"] != "ООО Ромашка" || ringing["to"] != "+79161234567" {
		f.t.Fatalf("ringing call = %v", ringing)
	}
	b.send(map[string]any{"type": "answer", "call_id": id})
	b.expectCall("dialing")
	var pc *peerCall
	select {
	case pc = <-f.peer.calls:
	case <-time.After(10 * time.Second):
		f.t.Fatal("the trunk got no INVITE")
	}
	if got := pc.invite.Recipient.User; got != "+79161234567" {
		f.t.Fatalf("INVITE to %q", got)
	}
	if got := pc.invite.From().Address.User; got != "+74950000000" {
		f.t.Fatalf("caller ID %q", got)
	}
	if testing.Verbose() {
		f.t.Log(pc.invite.String())
	}
	b.expectCall("active")
	return id, pc
}

func TestOutboundCallAgentFirst_AudioDTMFHoldHangup(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)

	waitTone(t, b.rec, 600, "the agent hears the client")
	waitTone(t, pc.rec, 1000, "the client hears the agent")

	// DTMF both ways.
	b.send(map[string]any{"type": "dtmf", "call_id": id, "digits": "12#"})
	pc.sendDigit(5)
	deadline := time.Now().Add(5 * time.Second)
	for (pc.rec.gotDigits() != "12#" || b.rec.gotDigits() != "5") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if pc.rec.gotDigits() != "12#" || b.rec.gotDigits() != "5" {
		t.Fatalf("digits at the far end %q (want 12#), at the browser %q (want 5)", pc.rec.gotDigits(), b.rec.gotDigits())
	}
	waitTone(t, pc.rec, 1000, "audio after DTMF")

	// Hold: we re-INVITE sendonly, the far end answers recvonly, no audio either way.
	b.send(map[string]any{"type": "hold", "call_id": id, "ref": "h"})
	if offer := <-f.peer.reinvites; sdpDir(offer) != "sendonly" {
		t.Fatalf("hold re-INVITE direction %q", sdpDir(offer))
	}
	b.expect("ack", func(m map[string]any) bool { return m["ref"] == "h" })
	held := b.expectCall("active")
	if held["held"] != true {
		t.Fatalf("call not held: %v", held)
	}
	time.Sleep(300 * time.Millisecond)
	bp, pp := b.rec.packets.Load(), pc.rec.packets.Load()
	time.Sleep(time.Second)
	if d1, d2 := b.rec.packets.Load()-bp, pc.rec.packets.Load()-pp; d1 > 0 || d2 > 0 {
		t.Fatalf("audio while held: %d packets to the browser, %d to the far end", d1, d2)
	}
	if r := f.record(id); r.Status != "answered" {
		t.Fatalf("record while held: %+v", r)
	}
	b.send(map[string]any{"type": "resume", "call_id": id})
	if offer := <-f.peer.reinvites; sdpDir(offer) != "sendrecv" {
		t.Fatalf("resume re-INVITE direction %q", sdpDir(offer))
	}
	b.rec.reset()
	pc.rec.reset()
	waitTone(t, b.rec, 600, "the agent hears the client after resume")
	waitTone(t, pc.rec, 1000, "the client hears the agent after resume")

	// The far end holds us: our answer must be recvonly, then sendrecv.
	for _, c := range []struct{ offer, want string }{{"sendonly", "recvonly"}, {"inactive", "inactive"}, {"sendrecv", "sendrecv"}} {
		res, err := pc.uas.Do(context.Background(), reinvite(pc, c.offer))
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("re-INVITE %s: %v %v", c.offer, res, err)
		}
		if got := sdpDir(string(res.Body())); got != c.want {
			t.Fatalf("answer to %s is %s, want %s", c.offer, got, c.want)
		}
		_ = pc.uas.WriteRequest(ackFor(pc))
	}
	b.rec.reset()
	waitTone(t, b.rec, 600, "audio after the far end's resume")

	// The agent hangs up: BYE to the far end, record closed.
	b.send(map[string]any{"type": "hangup", "call_id": id})
	pc.waitBye(t, 5*time.Second)
	ended := b.expectCall("ended")
	if ended["hangup_side"] != "agent" {
		t.Fatalf("ended = %v", ended)
	}
	r := f.waitEnded(id)
	if deref(r.Outcome) != "answered" || deref(r.HangupSide) != "agent" || !r.Answered || deref(r.ClientID) != int64(f.client.ID) || deref(r.AgentID) != int64(f.agent.ID) {
		t.Fatalf("record = %+v", r)
	}
}

func TestInboundCall_RingAnswerAudio_GarbageAndMalformedSIP(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	pc, ringing := f.inboundRinging(b, "+79161234567")
	id := callID(ringing)
	if ringing["direction"] != "inbound" || ringing["client_name"] != "ООО Ромашка" {
		t.Fatalf("ringing = %v", ringing)
	}
	if r := f.record(id); r.Status != "ringing" {
		t.Fatalf("record before answer: %+v", r)
	}
	b.send(map[string]any{"type": "answer", "call_id": id})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pc.answered(ctx); err != nil {
		t.Fatalf("the caller's INVITE: %v", err)
	}
	b.expectCall("active")
	waitTone(t, b.rec, 600, "the agent hears the caller")
	waitTone(t, pc.rec, 1000, "the caller hears the agent")

	// Garbage on the phone socket: errors, the connection stays.
	b.sendRaw(1, []byte("not json at all"))
	b.expect("error", func(m map[string]any) bool { return m["code"] == "invalid" })
	b.send(map[string]any{"type": "bogus", "ref": "g"})
	e := b.expect("error", func(m map[string]any) bool { return m["ref"] == "g" })
	if e["field"] != "type" {
		t.Fatalf("unknown type error = %v", e)
	}
	b.send(map[string]any{"type": "dtmf", "call_id": id, "digits": "12x", "ref": "x"})
	if e := b.expect("error", func(m map[string]any) bool { return m["ref"] == "x" }); e["field"] != "digits" {
		t.Fatalf("bad digits error = %v", e)
	}
	b.send(map[string]any{"type": "hangup", "call_id": 999999, "ref": "nf"})
	if e := b.expect("error", func(m map[string]any) bool { return m["ref"] == "nf" }); e["code"] != "not_found" {
		t.Fatalf("foreign call error = %v", e)
	}
	b.sendRaw(2, []byte{0, 1, 2, 3})
	b.expect("error", nil)
	b.send(map[string]any{"type": "offer", "sdp": "v=0\r\nthis is not sdp", "ref": "o"})
	if e := b.expect("error", func(m map[string]any) bool { return m["ref"] == "o" }); e["field"] != "sdp" {
		t.Fatalf("bad offer error = %v", e)
	}

	// Malformed SIP at the gateway: garbage datagrams are dropped; an
	// INVITE without Contact gets 400 with the reason.
	garbage(t, f.sipPort)
	code, reason := rawInvite(t, "127.0.0.1", f.sipPort, f.line.Number, false)
	if code != 400 || !strings.Contains(reason, "Contact") {
		t.Fatalf("INVITE without Contact: %d %s", code, reason)
	}
	b.rec.reset()
	pc.rec.reset()
	waitTone(t, b.rec, 600, "the agent still hears the caller after garbage")
	waitTone(t, pc.rec, 1000, "the caller still hears the agent after garbage")

	// The caller hangs up.
	pc.bye()
	ended := b.expectCall("ended")
	if ended["hangup_side"] != "client" {
		t.Fatalf("ended = %v", ended)
	}
	r := f.waitEnded(id)
	if deref(r.Outcome) != "answered" || deref(r.HangupSide) != "client" || deref(r.ClientID) != int64(f.client.ID) || deref(r.AgentID) != int64(f.agent.ID) {
		t.Fatalf("record = %+v", r)
	}
}
