package media_test

import (
	"context"
	"strings"
	"testing"
)

// The far end's final response decides the outbound call's outcome.
func TestOutboundFailures_Outcomes(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	for _, c := range []struct {
		code          int
		outcome, side string
	}{{486, "busy", "client"}, {480, "no_answer", "client"}, {603, "declined", "client"}, {503, "failed", "system"}} {
		f.peer.reject.Store(int32(c.code))
		b.send(map[string]any{"type": "dial", "to": "+79161234567"})
		ring := b.expectCall("ringing")
		b.send(map[string]any{"type": "answer", "call_id": callID(ring)})
		ended := b.expectCall("ended")
		r := f.waitEnded(callID(ring))
		if deref(r.Outcome) != c.outcome || deref(r.SIPCause) != c.code || deref(r.HangupSide) != c.side || ended["end_reason"] != c.outcome {
			t.Fatalf("%d: record %+v, softphone %v", c.code, r, ended)
		}
	}
}

// An agent who declines an inbound call: the caller gets 603 and the
// call is missed.
func TestInboundDeclined_603Missed(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	pc, ring := f.inboundRinging(b, "+79161234567")
	b.send(map[string]any{"type": "decline", "call_id": callID(ring)})
	err := pc.answered(context.Background())
	if err == nil || !strings.Contains(err.Error(), "603") {
		t.Fatalf("caller's INVITE ended with %v, want 603", err)
	}
	r := f.waitEnded(callID(ring))
	if deref(r.Outcome) != "missed" || deref(r.SIPCause) != 603 {
		t.Fatalf("record = %+v", r)
	}
}
