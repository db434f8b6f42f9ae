package media

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/warmline/warmline/backend/warmline"
)

// The demo line: a small simulated phone network inside the process, a
// real SIP user agent on a loopback port that the gateway reaches over
// real SIP and RTP. Called, it rings for 2 s, answers, plays a tone
// sequence (440 Hz, pause, 660 Hz, pause) mixed with the caller's own
// voice echoed 1 s late, and hangs up after 3 minutes. DemoCallIn makes
// it call an organisation. Organisations without a trunk use it.

const (
	demoRing      = 2 * time.Second
	demoCallLimit = 3 * time.Minute
	demoEchoDelay = 50 // frames of 20 ms
	demoCaller    = "+74951234567"
	demoHeader    = "X-Warmline-Demo"
)

type demoNet struct {
	g     *Gateway
	ua    *sipgo.UserAgent
	srv   *sipgo.Server
	dua   *sipgo.DialogUA
	addr  netip.AddrPort // where the demo UA listens
	trunk *trunk         // how the gateway sees it
	gw    sip.Uri        // the gateway's SIP address, for call-ins
	ctx   context.Context
	// secret marks the demo network's own call-ins (its client's source
	// port is not its listening port).
	secret string

	mu    sync.Mutex
	calls map[string]*demoCall
}

type demoCall struct {
	uac  *sipgo.DialogClientSession
	uas  *sipgo.DialogServerSession
	rtp  *net.UDPConn
	peer netip.AddrPort
	done chan struct{}
	once sync.Once
}

func (c *demoCall) stop() {
	c.once.Do(func() {
		close(c.done)
		_ = c.rtp.Close()
	})
}

func startDemoNet(ctx context.Context, g *Gateway) (*demoNet, error) {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("Warmline demo network"), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		return nil, err
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		return nil, err
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		return nil, err
	}
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := netip.MustParseAddrPort(pc.LocalAddr().String())
	d := &demoNet{g: g, ua: ua, srv: srv, addr: addr, ctx: ctx, calls: map[string]*demoCall{},
		secret: strconv.FormatUint(rand.Uint64(), 36),
		dua:    &sipgo.DialogUA{Client: cli, ContactHDR: sip.ContactHeader{Address: sip.Uri{User: "demo", Host: "127.0.0.1", Port: int(addr.Port())}}}}
	d.trunk = &trunk{demo: true, country: "RU", codecs: []uint8{ptPCMU, ptPCMA}, target: addr.String(),
		cfg: TrunkConfig{Trunk: warmline.Trunk{Name: "demo", Host: "127.0.0.1", Port: int(addr.Port()), Transport: "udp", AuthMode: "ip", CallerID: demoCaller}}}
	for _, l := range g.listen {
		if l.network == "udp" {
			host := l.host
			if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
				host = "127.0.0.1"
			}
			d.gw = sip.Uri{Host: host, Port: l.port}
		}
	}
	srv.OnInvite(d.onInvite)
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		if c := d.call(req); c != nil && c.uas != nil {
			_ = c.uas.ReadAck(req, tx)
		}
	})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		c := d.call(req)
		if c == nil {
			respond(tx, req, 481, "Call/Transaction Does Not Exist")
			return
		}
		if c.uas != nil {
			_ = c.uas.ReadBye(req, tx)
		} else {
			_ = c.uac.ReadBye(req, tx)
		}
		c.stop()
	})
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) { respond(tx, req, 200, "OK") })
	go func() { _ = srv.ServeUDP(pc) }()
	context.AfterFunc(ctx, func() { _ = pc.Close(); _ = ua.Close() })
	return d, nil
}

// isOwn tells the demo network's own INVITEs (carrying the secret it was
// started with, from this host) from anything else's. They come from
// loopback, or, when the gateway listens on another address of the host
// (WARMLINE_SIP_LISTEN=udp:192.0.2.10:5060), from that address: the
// kernel picks it as the source of a packet to itself.
func (d *demoNet) isOwn(req *sip.Request) bool {
	h := req.GetHeader(demoHeader)
	if h == nil || h.Value() != d.secret {
		return false
	}
	src := sourceAddr(req).Addr().Unmap()
	gw, _ := netip.ParseAddr(d.gw.Host)
	return src.IsLoopback() || src == gw
}

func (g *Gateway) demoNet() *demoNet {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.demo
}

func (d *demoNet) allows(src netip.AddrPort) bool {
	return src.Addr().Unmap() == d.addr.Addr() && src.Port() == d.addr.Port()
}

func (d *demoNet) call(req *sip.Request) *demoCall {
	if req.CallID() == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[req.CallID().Value()]
}

func (d *demoNet) track(id string, c *demoCall) {
	d.mu.Lock()
	d.calls[id] = c
	d.mu.Unlock()
	go func() {
		<-c.done
		d.mu.Lock()
		delete(d.calls, id)
		d.mu.Unlock()
	}()
}

// onInvite answers a call to a demo client after ringing.
func (d *demoNet) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil {
		if _, ok := to.Params.Get("tag"); ok { // a re-INVITE (hold): accept as is
			if c := d.call(req); c != nil {
				body := demoSDP(c.rtp, 2)
				_ = tx.Respond(sip.NewSDPResponseFromRequest(req, body))
				return
			}
			respond(tx, req, 481, "Call/Transaction Does Not Exist")
			return
		}
	}
	offer, err := parseSDP(req.Body())
	if err != nil {
		respond(tx, req, 488, "Not Acceptable Here")
		return
	}
	uas, err := d.dua.ReadInvite(req, tx)
	if err != nil {
		respond(tx, req, 400, "Bad Request")
		return
	}
	rtp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		respond(tx, req, 503, "Service Unavailable")
		return
	}
	c := &demoCall{uas: uas, rtp: rtp, peer: offer.Addr, done: make(chan struct{})}
	d.track(req.CallID().Value(), c)
	_ = uas.Respond(180, "Ringing", nil)
	select {
	case <-time.After(demoRing):
	case <-uas.Context().Done(): // cancelled
		c.stop()
		return
	}
	if err := uas.RespondSDP(demoSDP(rtp, 1)); err != nil {
		c.stop()
		return
	}
	go d.play(c, offer.Codec, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = uas.Bye(ctx)
	})
}

// callIn places a demo call to an organisation.
func (d *demoNet) callIn(org warmline.OrgID, from string) error {
	if d.gw.Port == 0 {
		return warmline.Errorf(warmline.ECONFLICT, "The demo line needs a UDP SIP listener.")
	}
	if from == "" {
		from = demoCaller
	}
	rtp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return fmt.Errorf("demo call-in: %w", err)
	}
	to := d.gw
	to.User = "demo-" + strconv.FormatInt(int64(org), 10)
	req := sip.NewRequest(sip.INVITE, to)
	req.AppendHeader(&sip.FromHeader{Address: sip.Uri{User: from, Host: "127.0.0.1"}, Params: tagParams()})
	req.AppendHeader(&sip.ToHeader{Address: to})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader(demoHeader, d.secret))
	req.SetBody(demoSDP(rtp, 1))
	c := &demoCall{rtp: rtp, done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(d.ctx, 90*time.Second)
	sess, err := d.dua.WriteInvite(ctx, req)
	if err != nil {
		cancel()
		_ = rtp.Close()
		return fmt.Errorf("demo call-in: %w", err)
	}
	c.uac = sess
	d.track(req.CallID().Value(), c)
	go func() {
		defer cancel()
		if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
			c.stop()
			return
		}
		m, err := parseSDP(sess.InviteResponse.Body())
		if err != nil {
			c.stop()
			return
		}
		c.peer = m.Addr
		_ = sess.Ack(ctx)
		d.play(c, m.Codec, func() {
			bctx, bcancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer bcancel()
			_ = sess.Bye(bctx)
		})
	}()
	return nil
}

func demoSDP(rtp *net.UDPConn, version uint64) []byte {
	port := rtp.LocalAddr().(*net.UDPAddr).Port
	return sdpBody{IP: netip.MustParseAddr("127.0.0.1"), Port: port, SessID: 1, Version: version,
		Codecs: []uint8{ptPCMU, ptPCMA}, TE: ptTE}.bytes()
}

// play sends the tone sequence plus the delayed echo every 20 ms until
// the call ends or its time is up, then hangs up with bye.
func (d *demoNet) play(c *demoCall, codec uint8, bye func()) {
	echo := make(chan [160]int16, demoEchoDelay*2)
	go func() { // what the caller says, decoded, into the echo line
		var buf [1500]byte
		for {
			n, _, err := c.rtp.ReadFromUDPAddrPort(buf[:])
			if err != nil {
				return
			}
			if n < 12+160 || buf[1]&0x7f > ptPCMA {
				continue
			}
			var f [160]int16
			for i := range f {
				if buf[1]&0x7f == ptPCMA {
					f[i] = ALawDecode(buf[12+i])
				} else {
					f[i] = ULawDecode(buf[12+i])
				}
			}
			select {
			case echo <- f:
			default:
			}
		}
	}()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	limit := time.NewTimer(demoCallLimit)
	defer limit.Stop()
	pkt := make([]byte, 12+160)
	pkt[0] = 0x80
	pkt[1] = codec
	ssrc := rand.Uint32()
	binary.BigEndian.PutUint32(pkt[8:], ssrc)
	seq, ts := uint16(rand.Uint32()), rand.Uint32()
	var n int
	for {
		select {
		case <-c.done:
			return
		case <-limit.C:
			bye()
			c.stop()
			return
		case <-tick.C:
		}
		var e [160]int16
		if len(echo) >= demoEchoDelay {
			e = <-echo
		}
		for i := 0; i < 160; i++ {
			s := demoTone(n+i)/2 + int32(e[i])/2
			s = max(min(s, 32767), -32768)
			if codec == ptPCMA {
				pkt[12+i] = ALawEncode(int16(s))
			} else {
				pkt[12+i] = ULawEncode(int16(s))
			}
		}
		n += 160
		binary.BigEndian.PutUint16(pkt[2:], seq)
		binary.BigEndian.PutUint32(pkt[4:], ts)
		seq++
		ts += 160
		if c.peer.IsValid() {
			_, _ = c.rtp.WriteToUDPAddrPort(pkt, c.peer)
		}
	}
}

// demoTone is sample n of the demo's 2 s cycle: 440 Hz for 0.5 s, a
// pause, 660 Hz for 0.5 s, a longer pause.
func demoTone(n int) int32 {
	t := n % 16000
	var f float64
	switch {
	case t < 4000:
		f = 440
	case t >= 6400 && t < 10400:
		f = 660
	default:
		return 0
	}
	return int32(12000 * math.Sin(2*math.Pi*f*float64(n)/8000))
}
