// Command loadtest is the far side of the media gateway's load benchmark
// (media BenchmarkGatewayLoad), in a process of its own so that the
// gateway's CPU, memory and goroutines are measured alone.
//
// It plays both ends of N calls: N softphones (pion peers on /ws/phone,
// each places a click-to-call and answers it) and the trunk (a sipgo UAS
// answering the gateway's INVITEs, one Go RTP socket per call). Once every
// call is up it prints "ready" and streams, both ways, a PCMU packet every
// 20 ms per call whose payload starts with its send time (UnixNano).
//
// The same-run baseline (-direct K): K pairs of softphones of this
// process connected to each other, no gateway between them, streaming
// the same way. Every receiving socket asks the kernel for receive
// timestamps, so each packet has two latencies: up to the receiving
// goroutine's read (what a user of this process would see, including its
// own pion stack and scheduling) and up to the socket (what the path
// adds). The gateway's share is the difference between the calls' and
// the pairs' figures.
//
// Commands on stdin: "start" opens the measurement window, "stop" closes
// it, waits for packets in flight and prints one JSON line (result). A
// packet belongs to the window by its send stamp, so sent and received
// counts compare exactly.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"
)

const (
	frame   = 20 * time.Millisecond
	payload = 160 // 20 ms of G.711
)

func main() {
	wsURL := flag.String("ws", "", "the /ws/phone URL; ?user=<id> is appended")
	users := flag.String("users", "", "comma-separated user IDs, one softphone and one call each")
	sipAddr := flag.String("sip", "127.0.0.1:5090", "UDP address the trunk listens on")
	to := flag.String("to", "+79161234567", "number every softphone dials")
	parallel := flag.Int("parallel", 8, "call setups at a time")
	direct := flag.Int("direct", 1, "softphone pairs connected to each other without the gateway (the same-run baseline)")
	hangupRate := flag.Int("hangup-rate", 0, "hang-ups a second at the end; 0 ends every call at once")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("loadtest: ")

	ids := strings.Split(*users, ",")
	w := &window{}
	tr, err := startTrunk(*sipAddr, w)
	if err != nil {
		log.Fatal(err)
	}
	phones := make([]*phone, len(ids))
	errc := make(chan error, len(ids))
	sem := make(chan struct{}, max(*parallel, 1))
	for i, id := range ids {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			p, err := dialPhone(*wsURL+"?user="+id, *to, w)
			phones[i] = p
			errc <- err
		}()
	}
	for range ids {
		if err := <-errc; err != nil {
			log.Fatal(err)
		}
	}
	if n := tr.answered.Load(); n != int64(len(ids)) {
		log.Fatalf("%d calls up, the trunk answered %d", len(ids), n)
	}
	pairs := make([][2]*peer, *direct)
	for i := range pairs {
		a, b, err := dialDirect(w)
		if err != nil {
			log.Fatal(err)
		}
		pairs[i] = [2]*peer{a, b}
	}
	stop := make(chan struct{})
	for _, pair := range pairs {
		for _, p := range pair {
			go stream(stop, w, &w.direct, func(pkt []byte) error { _, err := p.track.Write(pkt); return err })
		}
	}
	for _, p := range phones {
		go p.keepAlive(stop)
		go stream(stop, w, &w.toTrunk, func(pkt []byte) error { _, err := p.track.Write(pkt); return err })
	}
	tr.streamAll(stop)
	fmt.Println("ready")

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "start":
			w.open(time.Now().UnixNano())
		case "stop":
			w.close(time.Now().UnixNano())
			w.settle()
			close(stop)
			out, _ := json.Marshal(w.result())
			fmt.Println(string(out))
			// Hang up (all at once unless -hangup-rate says otherwise) and
			// wait for the gateway's BYEs, so that it ends every call
			// while its database is still there.
			t0 := time.Now()
			for _, p := range phones {
				p.hangUp()
				if *hangupRate > 0 {
					time.Sleep(time.Second / time.Duration(*hangupRate))
				}
			}
			deadline := time.Now().Add(30 * time.Second)
			for tr.ended.Load() < tr.answered.Load() && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			log.Printf("%d of %d calls ended (BYE) %s after the first hang-up", tr.ended.Load(), tr.answered.Load(), time.Since(t0).Round(time.Millisecond))
			return
		}
	}
}

// --- the measurement window ---

// direction is one way's counts and latencies inside the window.
type direction struct {
	sent, received atomic.Int64
	mu             sync.Mutex
	lat            []int64 // nanoseconds, sender's stamp to the receiver's read
	sock           []int64 // nanoseconds, sender's stamp to the kernel's receive timestamp
}

type window struct {
	from, to         atomic.Int64 // send stamps in [from, to) count; to 0: open
	toTrunk, toPhone direction
	direct           direction // softphone to softphone, no gateway: the baseline
}

func (w *window) open(now int64) {
	w.to.Store(0)
	w.from.Store(now)
}

func (w *window) close(now int64) { w.to.Store(now) }

// settle waits for the window's packets in flight: until every one sent
// is received, or none has come for 300 ms (the rest are lost), at most
// 5 s. A fixed half second counted as lost packets a saturated load
// process had not read yet (its own reads' p99.9 at N=500 is 0.6 s, its
// maximum a second).
func (w *window) settle() {
	ways := []*direction{&w.toTrunk, &w.toPhone, &w.direct}
	last, lastAt, deadline := int64(-1), time.Now(), time.Now().Add(5*time.Second)
	for time.Now().Before(deadline) && time.Since(lastAt) < 300*time.Millisecond {
		sent, got := int64(0), int64(0)
		for _, d := range ways {
			sent, got = sent+d.sent.Load(), got+d.received.Load()
		}
		if got >= sent {
			return
		}
		if got != last {
			last, lastAt = got, time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w *window) in(stamp int64) bool {
	from, to := w.from.Load(), w.to.Load()
	return from != 0 && stamp >= from && (to == 0 || stamp < to)
}

func (w *window) sent(d *direction, stamp int64) {
	if w.in(stamp) {
		d.sent.Add(1)
	}
}

// got records a packet that arrived: pkt is RTP with our stamp, read at
// now; kern is when it reached the socket (0 unknown).
func (w *window) got(d *direction, pkt []byte, now, kern int64) {
	if len(pkt) < 12 || pkt[1]&0x7f != 0 {
		return
	}
	off := 12 + 4*int(pkt[0]&0x0f)
	if len(pkt) < off+8 {
		return
	}
	stamp := int64(binary.BigEndian.Uint64(pkt[off:]))
	if !w.in(stamp) {
		return
	}
	d.received.Add(1)
	d.mu.Lock()
	d.lat = append(d.lat, now-stamp)
	if kern != 0 {
		d.sock = append(d.sock, kern-stamp)
	}
	d.mu.Unlock()
}

// Result is what "stop" prints.
type Result struct {
	ToTrunk, ToPhone Way
	// Direct is the baseline: softphone to softphone in this process, the
	// same pion stacks and loopback, no gateway in between.
	Direct Way
}

// Way is one direction's counts and latencies: Read up to the
// receiving goroutine's read, Socket up to the kernel's receive
// timestamp (Stamped packets of the received had one).
type Way struct {
	Sent, Received, Stamped int64
	Read, Socket            Pcts
}

// Pcts are percentiles in microseconds.
type Pcts struct{ P50, P90, P99, P999, Max float64 }

func pcts(v []int64) Pcts {
	s := slices.Clone(v)
	slices.Sort(s)
	pct := func(p float64) float64 {
		if len(s) == 0 {
			return 0
		}
		return float64(s[int(float64(len(s)-1)*p)]) / 1e3
	}
	return Pcts{P50: pct(0.5), P90: pct(0.9), P99: pct(0.99), P999: pct(0.999), Max: pct(1)}
}

func (d *direction) way() Way {
	d.mu.Lock()
	defer d.mu.Unlock()
	return Way{Sent: d.sent.Load(), Received: d.received.Load(), Stamped: int64(len(d.sock)), Read: pcts(d.lat), Socket: pcts(d.sock)}
}

func (w *window) result() Result {
	return Result{ToTrunk: w.toTrunk.way(), ToPhone: w.toPhone.way(), Direct: w.direct.way()}
}

// stream sends a stamped packet every 20 ms until stop, starting at a
// random phase so the calls' packets spread over the frame as real ones do.
func stream(stop chan struct{}, w *window, d *direction, write func([]byte) error) {
	select {
	case <-time.After(rand.N(frame)):
	case <-stop:
		return
	}
	tick := time.NewTicker(frame)
	defer tick.Stop()
	pkt := make([]byte, 12+payload)
	pkt[0] = 0x80
	binary.BigEndian.PutUint32(pkt[8:], rand.Uint32())
	for i := range pkt[12:] {
		pkt[12+i] = 0xff // μ-law silence
	}
	for seq := uint16(rand.Uint32()); ; seq++ {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		binary.BigEndian.PutUint16(pkt[2:], seq)
		binary.BigEndian.PutUint32(pkt[4:], uint32(seq)*payload)
		now := time.Now().UnixNano()
		binary.BigEndian.PutUint64(pkt[12:], uint64(now))
		if write(pkt) == nil {
			w.sent(d, now)
		}
	}
}

// --- the softphones ---

type phone struct {
	*peer
	ws   *websocket.Conn
	msgs chan map[string]any
	wmu  sync.Mutex
	call float64
}

// dialPhone turns a softphone on, places a click-to-call, answers it on
// the softphone and waits until the call is active.
func dialPhone(url, to string, w *window) (*phone, error) {
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	p := &phone{ws: ws, msgs: make(chan map[string]any, 64)}
	go p.read()
	if _, err := p.expect("config", nil); err != nil {
		return nil, err
	}
	if p.peer, err = newPeer(w, &w.toPhone); err != nil {
		return nil, err
	}
	offer, err := p.offer()
	if err != nil {
		return nil, err
	}
	p.send(map[string]any{"type": "offer", "sdp": offer})
	ans, err := p.expect("answer", nil)
	if err != nil {
		return nil, err
	}
	sdp, _ := ans["sdp"].(string)
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		return nil, fmt.Errorf("set answer: %w", err)
	}
	if _, err := p.expect("leg", func(m map[string]any) bool { return m["state"] == "connected" }); err != nil {
		return nil, err
	}
	p.send(map[string]any{"type": "dial", "to": to})
	c, err := p.expectCall("ringing")
	if err != nil {
		return nil, err
	}
	p.call, _ = c["id"].(float64)
	p.send(map[string]any{"type": "answer", "call_id": p.call})
	if _, err := p.expectCall("active"); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *phone) read() {
	defer close(p.msgs)
	for {
		var m map[string]any
		if err := p.ws.ReadJSON(&m); err != nil {
			return
		}
		select {
		case p.msgs <- m:
		default: // nobody waits for messages once the call is up
		}
	}
}

func (p *phone) send(m map[string]any) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_ = p.ws.WriteJSON(m)
}

// expect waits for a message of type typ that ok accepts, skipping others.
func (p *phone) expect(typ string, ok func(map[string]any) bool) (map[string]any, error) {
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m, open := <-p.msgs:
			if !open {
				return nil, fmt.Errorf("socket closed waiting for %s", typ)
			}
			if m["type"] == "error" {
				return nil, fmt.Errorf("waiting for %s: %v", typ, m["error"])
			}
			if m["type"] == typ && (ok == nil || ok(m)) {
				return m, nil
			}
		case <-timeout:
			return nil, fmt.Errorf("no %s message in 30 s", typ)
		}
	}
}

func (p *phone) expectCall(state string) (map[string]any, error) {
	m, err := p.expect("call", func(m map[string]any) bool {
		c, _ := m["call"].(map[string]any)
		return c != nil && c["state"] == state
	})
	if err != nil {
		return nil, err
	}
	return m["call"].(map[string]any), nil
}

// keepAlive pings the gateway as a softphone does.
func (p *phone) keepAlive(stop chan struct{}) {
	t := time.NewTicker(20 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.send(map[string]any{"type": "ping"})
		}
	}
}

func (p *phone) hangUp() {
	p.send(map[string]any{"type": "hangup", "call_id": p.call})
}

// --- the trunk ---

type trunk struct {
	dua      *sipgo.DialogUA
	host     string
	port     int
	w        *window
	mu       sync.Mutex
	calls    map[string]*trunkCall
	answered atomic.Int64
	ended    atomic.Int64 // calls the gateway sent BYE for
}

type trunkCall struct {
	uas  *sipgo.DialogServerSession
	rtp  *net.UDPConn
	dest netip.AddrPort // the gateway's RTP address from its offer
}

func startTrunk(addr string, w *window) (*trunk, error) {
	host, _, _ := strings.Cut(addr, ":")
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("loadtest-trunk"), sipgo.WithUserAgentHostname(host))
	if err != nil {
		return nil, err
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		return nil, err
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname(host))
	if err != nil {
		return nil, err
	}
	pc, err := net.ListenPacket("udp4", addr)
	if err != nil {
		return nil, fmt.Errorf("trunk listener: %w", err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	t := &trunk{host: host, port: port, w: w, calls: map[string]*trunkCall{},
		dua: &sipgo.DialogUA{Client: cli, ContactHDR: sip.ContactHeader{Address: sip.Uri{User: "trunk", Host: host, Port: port}}}}
	srv.OnInvite(t.onInvite)
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		if c := t.call(req); c != nil {
			_ = c.uas.ReadAck(req, tx)
		}
	})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		c := t.call(req)
		if c == nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "No dialog", nil))
			return
		}
		_ = c.uas.ReadBye(req, tx)
		_ = c.rtp.Close()
		t.ended.Add(1)
	})
	go func() { _ = srv.ServeUDP(pc) }()
	return t, nil
}

func (t *trunk) call(req *sip.Request) *trunkCall {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.calls[req.CallID().Value()]
}

// onInvite answers a call from the gateway at once (PCMU) and starts
// reading its RTP; re-INVITEs (session refresh) get the same SDP back.
func (t *trunk) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if _, ok := req.To().Params.Get("tag"); ok {
		if c := t.call(req); c != nil {
			_ = c.uas.ReadRequest(req, tx)
			_ = tx.Respond(sip.NewSDPResponseFromRequest(req, t.sdp(c)))
			return
		}
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "No dialog", nil))
		return
	}
	dest, err := offerAddr(string(req.Body()))
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
		return
	}
	uas, err := t.dua.ReadInvite(req, tx)
	if err != nil {
		return
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(t.host)})
	if err != nil {
		_ = uas.Respond(503, "No RTP port", nil)
		return
	}
	_ = conn.SetReadBuffer(1 << 18)
	if err := timestampSocket(conn); err != nil {
		log.Printf("trunk RTP socket: %v", err)
	}
	c := &trunkCall{uas: uas, rtp: conn, dest: dest}
	t.mu.Lock()
	t.calls[req.CallID().Value()] = c
	t.mu.Unlock()
	go func() {
		buf, oob := make([]byte, 1500), make([]byte, 128)
		for {
			n, oobn, _, _, err := conn.ReadMsgUDPAddrPort(buf, oob)
			if err != nil {
				return
			}
			t.w.got(&t.w.toTrunk, buf[:n], time.Now().UnixNano(), kernelTime(oob[:oobn]))
		}
	}()
	_ = uas.Respond(180, "Ringing", nil)
	if err := uas.RespondSDP(t.sdp(c)); err == nil {
		t.answered.Add(1)
	}
}

func (t *trunk) sdp(c *trunkCall) []byte {
	port := c.rtp.LocalAddr().(*net.UDPAddr).Port
	return fmt.Appendf(nil, "v=0\r\no=trunk 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n",
		t.host, t.host, port)
}

// streamAll starts every answered call's stream to the gateway.
func (t *trunk) streamAll(stop chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.calls {
		go stream(stop, t.w, &t.w.toPhone, func(pkt []byte) error {
			_, err := c.rtp.WriteToUDPAddrPort(pkt, c.dest)
			return err
		})
	}
}

// offerAddr is the c= address and m=audio port of an SDP offer.
func offerAddr(s string) (netip.AddrPort, error) {
	var ip netip.Addr
	var port int
	for _, l := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(l, "c=IN IP4 "); ok {
			ip, _ = netip.ParseAddr(v)
		}
		if strings.HasPrefix(l, "m=audio ") {
			_, _ = fmt.Sscanf(l, "m=audio %d", &port)
		}
	}
	if !ip.IsValid() || port == 0 {
		return netip.AddrPort{}, errors.New("no address in the offer")
	}
	return netip.AddrPortFrom(ip, uint16(port)), nil
}
