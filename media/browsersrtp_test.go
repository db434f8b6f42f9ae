package media_test

import (
	"testing"

	"github.com/warmline/warmline/media"
)

// The gateway runs the browser leg's SRTP itself once DTLS connects:
// audio both ways goes through it.
func TestBrowserSRTP_OwnPathCarriesAudio(t *testing.T) {
	f := newFixture(t, 0)
	b := f.connectBrowser()
	_, pc := f.outboundCall(b)

	waitTone(t, b.rec, 600, "the agent hears the client")
	waitTone(t, pc.rec, 1000, "the client hears the agent")
	if owned, dropped := f.gw.BrowserSRTP(f.agent.ID); !owned || dropped != 0 {
		t.Fatalf("browser leg on its own SRTP %v, dropped %d; want true, 0", owned, dropped)
	}

}

// Config.PionSRTP keeps pion's own SRTP path, which still carries the call.
func TestBrowserSRTP_PionPathStillWorks(t *testing.T) {
	configure = func(c *media.Config) { c.PionSRTP = true }
	f := newFixture(t, 0)
	configure = nil
	b := f.connectBrowser()
	_, pc := f.outboundCall(b)

	waitTone(t, b.rec, 600, "the agent hears the client")
	waitTone(t, pc.rec, 1000, "the client hears the agent")
	if owned, _ := f.gw.BrowserSRTP(f.agent.ID); owned {
		t.Fatal("the browser leg runs its own SRTP with PionSRTP set")
	}
}
