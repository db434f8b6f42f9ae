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

// A softphone whose network vanishes while its page stays open (the
// WebSocket too, here): the browser stops answering and sending ICE
// checks, the gateway's ICE goes disconnected, then failed, and the call
// ends with BYE as browser_lost. The gateway is an ICE-lite agent: the
// browser's own checks are what it watches.
func TestBrowserNetworkVanishes_BrowserLost(t *testing.T) {
	shortGrace(t)
	f := newFixture(t, 0)
	dark := newDarkConn(t)
	f.browserNet = dark
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)
	waitTone(t, pc.rec, 1000, "before the network goes")
	dark.dark.Store(true)
	went := time.Now()
	// Disconnected after 5 s without a check, failed 10 s later, checked
	// every 2 s; then the reconnect grace (1.5 s here).
	pc.waitBye(t, 25*time.Second)
	r := f.waitEnded(id)
	if r.EndReason != "browser_lost" || deref(r.HangupSide) != "system" || deref(r.Outcome) != "answered" {
		t.Fatalf("record = %+v", r)
	}
	if d := time.Since(went); d < 15*time.Second {
		t.Fatalf("the call ended %v after the network went: before ICE could fail", d)
	}
}
