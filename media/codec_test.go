package media_test

import (
	"strings"
	"testing"
)

// The far end answers 183 with SDP: its audio reaches the agent before
// the answer (state early), then the call is active.
func TestOutboundEarlyMedia(t *testing.T) {
	f := newFixture(t, 0)
	f.peer.early.Store(true)
	b := f.connectBrowser()
	b.send(map[string]any{"type": "dial", "to": "+79161234567"})
	ring := b.expectCall("ringing")
	b.send(map[string]any{"type": "answer", "call_id": callID(ring)})
	b.expectCall("dialing")
	b.expectCall("early")
	waitTone(t, b.rec, 600, "early media")
	if r := f.record(callID(ring)); r.Answered {
		t.Fatalf("answered during early media: %+v", r)
	}
	b.expectCall("active")
	b.send(map[string]any{"type": "hangup", "call_id": callID(ring)})
	f.waitEnded(callID(ring))
}

// A caller that speaks PCMA only with a browser that negotiated PCMU:
// the bridge maps the law byte by byte, audio both ways.
func TestInboundPCMAOnly(t *testing.T) {
	f := newFixture(t, 0)
	f.peer.pcma.Store(true)
	b := f.connectBrowser()
	pc, ring := f.inboundRinging(b, "+79161234567")
	b.send(map[string]any{"type": "answer", "call_id": callID(ring)})
	if err := pc.answered(t.Context()); err != nil {
		t.Fatal(err)
	}
	if body := string(pc.uac.InviteResponse.Body()); !strings.Contains(body, "RTP/AVP 8") {
		t.Fatalf("answer to a PCMA offer:\n%s", body)
	}
	waitTone(t, b.rec, 600, "the agent hears the PCMA caller")
	waitTone(t, pc.rec, 1000, "the PCMA caller hears the agent")
	pc.bye()
	f.waitEnded(callID(ring))
}
