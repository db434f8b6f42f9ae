package media_test

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// The gateway answers providers' OPTIONS keep-alives on UDP and on TCP.
func TestOptionsOverUDPAndTCP(t *testing.T) {
	f := newFixture(t, 0)
	ua, _ := sipgo.NewUA(sipgo.WithUserAgentHostname("127.0.0.1"))
	defer ua.Close()
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	for _, tr := range []string{"UDP", "TCP"} {
		req := sip.NewRequest(sip.OPTIONS, sip.Uri{Host: "127.0.0.1", Port: f.sipPort})
		req.SetTransport(tr)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		res, err := cli.Do(ctx, req)
		cancel()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("OPTIONS over %s: %v %v", tr, res, err)
		}
		if h := res.GetHeader("Allow"); h == nil || h.Value() == "" {
			t.Fatalf("OPTIONS over %s: no Allow", tr)
		}
	}
}
