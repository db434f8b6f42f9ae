package media

import (
	"fmt"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// Test hooks: reading the gateway's state, never changing its behaviour
// (except SetPollerPriority, which puts back what a test changed).

// WaitRunning waits until Run has its listeners up.
func (g *Gateway) WaitRunning(d time.Duration) bool {
	select {
	case <-g.running:
		return true
	case <-time.After(d):
		return false
	}
}

// CallRTP returns the local RTP port of a call's SIP leg and how many
// packets it dropped from foreign addresses.
func (g *Gateway) CallRTP(id warmline.CallID) (port int, dropped uint64, ok bool) {
	g.mu.Lock()
	c := g.calls[id]
	g.mu.Unlock()
	if c == nil {
		return 0, 0, false
	}
	c.mu.Lock()
	d := c.dlg
	c.mu.Unlock()
	if d == nil {
		return 0, 0, false
	}
	return d.rtp.port, d.rtp.dropped.Load(), true
}

// ParseSDPForTest exposes the SIP SDP reader to the fuzz tests.
func ParseSDPForTest(b []byte) (dir string, err error) {
	m, err := parseSDP(b)
	if err != nil {
		return "", err
	}
	return m.Dir, nil
}

// CallStats describes a call's media counters (for failing tests).
func (g *Gateway) CallStats(id warmline.CallID) string {
	g.mu.Lock()
	c := g.calls[id]
	g.mu.Unlock()
	if c == nil {
		return "no call"
	}
	c.mu.Lock()
	d, agent := c.dlg, c.agent
	c.mu.Unlock()
	s := ""
	if d != nil {
		p := d.rtp.peer.Load()
		s += fmt.Sprintf("sip leg: port %d peer %v received %d sent %d dropped %d sink %v; ", d.rtp.port, p, d.rtp.received.Load(), d.rtp.sent.Load(), d.rtp.dropped.Load(), d.rtp.sink.Load() != nil)
	}
	if sess := g.session(agent); sess != nil {
		if l := sess.currentLeg(); l != nil {
			l.mu.Lock()
			bound := l.bind != nil
			l.mu.Unlock()
			s += fmt.Sprintf("browser leg: received %d sent %d bound %v sink %v own SRTP %v dropped %d", l.received.Load(), l.sent.Load(), bound, l.sink.Load() != nil, l.srtpProven.Load(), l.srtpDropped.Load())
		}
	}
	return s
}

// BrowserSRTP reports whether the agent's current browser leg runs its
// own SRTP (browsersrtp.go) and how many of the browser's packets it
// dropped there (failed authentication or replayed).
func (g *Gateway) BrowserSRTP(agent warmline.UserID) (owned bool, dropped uint64) {
	sess := g.session(agent)
	if sess == nil {
		return false, 0
	}
	l := sess.currentLeg()
	if l == nil {
		return false, 0
	}
	return l.srtpProven.Load(), l.srtpDropped.Load()
}

// PollerThread is the media poller's OS thread (starting the poller if
// no gateway has yet).
func PollerThread() int {
	p, err := mediaPoller()
	if err != nil {
		return 0
	}
	return p.tid
}

// SetPollerPriority puts the poller's thread back after a test that
// changed it (0: normal).
func SetPollerPriority(prio int) error {
	p, err := mediaPoller()
	if err != nil {
		return err
	}
	return p.setPriority(prio)
}

// PollerCounts is the poller's wake-ups and the packets they read since
// the process started.
func PollerCounts() (wakes, packets uint64) {
	return pollerWakes.Load(), pollerPackets.Load()
}
