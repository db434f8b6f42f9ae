package media_test

import (
	"testing"
	"time"

	"github.com/warmline/warmline/media"
)

func shortGrace(t *testing.T) {
	configure = func(c *media.Config) { c.ReconnectGrace = 1500 * time.Millisecond }
	t.Cleanup(func() { configure = nil })
}

// A softphone that comes back within ReconnectGrace gets its call back
// on the new leg, audio both ways.
func TestReconnectWithinGrace_CallSurvives(t *testing.T) {
	shortGrace(t)
	f := newFixture(t, 0)
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)
	waitTone(t, b.rec, 600, "before the drop")
	_ = b.ws.Close()
	_ = b.pc.Close()
	b2 := f.connectBrowser()
	b2.expectCall("active")
	waitTone(t, b2.rec, 600, "the agent hears the client again")
	pc.rec.reset()
	waitTone(t, pc.rec, 1000, "the client hears the agent again")
	if r := f.record(id); r.Status == "ended" {
		t.Fatalf("call ended on reconnect: %+v", r)
	}
	b2.send(map[string]any{"type": "hangup", "call_id": id})
	pc.waitBye(t, 5*time.Second)
}

// A softphone that does not come back: BYE, browser_lost.
func TestBrowserGone_BrowserLost(t *testing.T) {
	shortGrace(t)
	f := newFixture(t, 0)
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)
	waitTone(t, pc.rec, 1000, "before the drop")
	_ = b.ws.Close()
	_ = b.pc.Close()
	pc.waitBye(t, 5*time.Second)
	r := f.waitEnded(id)
	if r.EndReason != "browser_lost" || deref(r.HangupSide) != "system" || deref(r.Outcome) != "answered" {
		t.Fatalf("record = %+v", r)
	}
}
