package media_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// heardAll waits until each frequency has been the dominant one at some
// moment (the demo alternates 440 and 660 Hz and echoes the agent).
func heardAll(t *testing.T, r *recorder, what string, freqs ...float64) {
	t.Helper()
	seen := map[float64]bool{}
	deadline := time.Now().Add(12 * time.Second)
	for time.Now().Before(deadline) && len(seen) < len(freqs) {
		got := r.dominant()
		for _, f := range freqs {
			if math.Abs(got-f) <= 10 {
				seen[f] = true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(seen) < len(freqs) {
		t.Fatalf("%s: heard %v of %v", what, seen, freqs)
	}
}

func TestDemoLine_CallOutAndCallIn(t *testing.T) {
	f := newFixtureWith(t, 0, true)
	b := f.connectBrowser()
	id, _ := f.demoCall(b)
	heardAll(t, b.rec, "the demo line's tones and the agent's echo", 440, 660, 1000)
	b.send(map[string]any{"type": "hangup", "call_id": id})
	if r := f.waitEnded(id); deref(r.Outcome) != "answered" || r.EndReason != "hangup" {
		t.Fatalf("record = %+v", r)
	}

	// The demo network calls the organisation.
	if err := f.cs.SetAgentState(context.Background(), f.org.ID, f.agent.ID, warmline.AgentAvailable); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if err := f.gw.DemoCallIn(context.Background(), f.org.ID, ""); err != nil {
		t.Fatal(err)
	}
	ring := b.expectCall("ringing")
	if ring["direction"] != "inbound" {
		t.Fatalf("demo call-in = %v", ring)
	}
	b.send(map[string]any{"type": "answer", "call_id": callID(ring)})
	b.expectCall("active")
	b.rec.reset()
	heardAll(t, b.rec, "the demo caller", 440, 660)
	b.send(map[string]any{"type": "hangup", "call_id": callID(ring)})
	f.waitEnded(callID(ring))
}

func (f *fixture) demoCall(b *browser) (warmline.CallID, map[string]any) {
	f.t.Helper()
	b.send(map[string]any{"type": "dial", "to": "+79161234567"})
	ring := b.expectCall("ringing")
	b.send(map[string]any{"type": "answer", "call_id": callID(ring)})
	b.expectCall("dialing")
	return callID(ring), b.expectCall("active")
}
