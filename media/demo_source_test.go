package media

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

// The demo network's own call-in is recognised by its secret and a source
// on this host: loopback, or the non-loopback address the gateway listens
// on (a packet from the host to itself leaves from that address). The same
// secret from elsewhere, or no secret, is not the demo network.
func TestDemoCallInSource(t *testing.T) {
	d := &demoNet{secret: "s3", gw: sip.Uri{Host: "192.0.2.10", Port: 5060}}
	for _, c := range []struct {
		src, secret string
		own         bool
	}{
		{"127.0.0.1:40000", "s3", true},
		{"192.0.2.10:40000", "s3", true}, // WARMLINE_SIP_LISTEN=udp:192.0.2.10:5060
		{"192.0.2.11:40000", "s3", false},
		{"127.0.0.1:40000", "other", false},
		{"127.0.0.1:40000", "", false},
	} {
		req := sip.NewRequest(sip.INVITE, sip.Uri{User: "demo-1", Host: "192.0.2.10", Port: 5060})
		if c.secret != "" {
			req.AppendHeader(sip.NewHeader(demoHeader, c.secret))
		}
		req.SetSource(c.src)
		if got := d.isOwn(req); got != c.own {
			t.Errorf("INVITE from %s with secret %q: own = %v, want %v", c.src, c.secret, got, c.own)
		}
	}
}
