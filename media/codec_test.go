package media_test

import (
	"strings"
	"testing"
	"time"
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

	// Hold and resume from the answering side (our re-INVITE as UAS).
	id := callID(ring)
	for _, c := range []struct{ cmd, dir string }{{"hold", "sendonly"}, {"resume", "sendrecv"}} {
		b.send(map[string]any{"type": c.cmd, "call_id": id, "ref": c.cmd})
		select {
		case offer := <-f.peer.reinvites:
			if sdpDir(offer) != c.dir || !strings.Contains(offer, "RTP/AVP 8") {
				t.Fatalf("%s re-INVITE:\n%s", c.cmd, offer)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no re-INVITE for %s", c.cmd)
		}
		b.expect("ack", func(m map[string]any) bool { return m["ref"] == c.cmd })
	}
	pc.rec.reset()
	waitTone(t, pc.rec, 1000, "the caller hears the agent after resume")
	pc.bye()
	f.waitEnded(callID(ring))
}
