package media_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/gorilla/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/media"
)

// --- audio: tones out, dominant frequency in ---

// recorder keeps the last seconds of decoded audio and the RFC 4733
// digits that arrived.
type recorder struct {
	mu      sync.Mutex
	samples []int16
	packets atomic.Int64
	digits  []rune
	lastEv  uint32
	seenEv  bool
}

func (r *recorder) audio(payload []byte, pcma bool) {
	r.packets.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range payload {
		if pcma {
			r.samples = append(r.samples, media.ALawDecode(b))
		} else {
			r.samples = append(r.samples, media.ULawDecode(b))
		}
	}
	if len(r.samples) > 16000 {
		r.samples = append(r.samples[:0:0], r.samples[len(r.samples)-8000:]...)
	}
}

// event records an RFC 4733 digit once, at its end packet.
func (r *recorder) event(ts uint32, payload []byte) {
	if len(payload) < 4 || payload[1]&0x80 == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seenEv && ts == r.lastEv {
		return
	}
	r.seenEv, r.lastEv = true, ts
	const digits = "0123456789*#ABCD"
	if int(payload[0]) < len(digits) {
		r.digits = append(r.digits, rune(digits[payload[0]]))
	}
}

func (r *recorder) gotDigits() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(r.digits)
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.samples = nil
	r.mu.Unlock()
}

// dominant is the strongest frequency (5 Hz steps, 100–3000 Hz) in the
// last half second, by Goertzel.
func (r *recorder) dominant() float64 {
	r.mu.Lock()
	s := r.samples
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	s = append([]int16(nil), s...)
	r.mu.Unlock()
	if len(s) < 2000 {
		return 0
	}
	best, bestP := 0.0, 0.0
	for f := 100.0; f <= 3000; f += 5 {
		w := 2 * math.Cos(2*math.Pi*f/8000)
		var s1, s2 float64
		for _, x := range s {
			s0 := float64(x) + w*s1 - s2
			s2, s1 = s1, s0
		}
		p := s1*s1 + s2*s2 - w*s1*s2
		if p > bestP {
			best, bestP = f, p
		}
	}
	return best
}

// waitTone waits until the dominant frequency is within 10 Hz of f.
func waitTone(t *testing.T, r *recorder, f float64, what string) {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	var got float64
	for time.Now().Before(deadline) {
		if got = r.dominant(); math.Abs(got-f) <= 10 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: dominant frequency %.0f Hz, want %.0f Hz", what, got, f)
}

// toneSender writes 20 ms G.711 packets of a sine to write until stop.
type toneSender struct {
	freq    atomic.Uint64 // float64 bits
	paused  atomic.Bool
	stopped chan struct{}
	digits  chan byte // RFC 4733 events to send in the same stream
	tePT    atomic.Uint32
}

func startTone(f float64, pt uint8, write func(pkt []byte)) *toneSender {
	ts := &toneSender{stopped: make(chan struct{}), digits: make(chan byte, 8)}
	ts.tePT.Store(101)
	ts.freq.Store(math.Float64bits(f))
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		seq, stamp, ssrc := uint16(rand.Uint32()), rand.Uint32(), rand.Uint32()
		n := 0
		event, eventPkts := byte(0), 0
		for {
			select {
			case <-ts.stopped:
				return
			case <-tick.C:
			}
			if eventPkts == 0 {
				select {
				case event = <-ts.digits:
					eventPkts = 8
				default:
				}
			}
			if eventPkts > 0 { // 5 packets growing, 3 end packets, one timestamp
				i := 8 - eventPkts
				pkt := make([]byte, 16)
				pkt[0], pkt[1] = 0x80, uint8(ts.tePT.Load())
				if i == 0 {
					pkt[1] |= 0x80
				}
				binary.BigEndian.PutUint16(pkt[2:], seq)
				binary.BigEndian.PutUint32(pkt[4:], stamp)
				binary.BigEndian.PutUint32(pkt[8:], ssrc)
				pkt[12] = event
				if i >= 5 {
					pkt[13] = 0x80
				}
				binary.BigEndian.PutUint16(pkt[14:], uint16(160*min(i+1, 5)))
				seq++
				if eventPkts--; eventPkts == 0 {
					stamp += 160 * 8
					n += 160 * 8
				}
				write(pkt)
				continue
			}
			freq := math.Float64frombits(ts.freq.Load())
			pkt := make([]byte, 12+160)
			pkt[0], pkt[1] = 0x80, pt
			binary.BigEndian.PutUint16(pkt[2:], seq)
			binary.BigEndian.PutUint32(pkt[4:], stamp)
			binary.BigEndian.PutUint32(pkt[8:], ssrc)
			for i := 0; i < 160; i++ {
				v := int16(10000 * math.Sin(2*math.Pi*freq*float64(n+i)/8000))
				if pt == 8 {
					pkt[12+i] = media.ALawEncode(v)
				} else {
					pkt[12+i] = media.ULawEncode(v)
				}
			}
			n += 160
			seq++
			stamp += 160
			if !ts.paused.Load() {
				write(pkt)
			}
		}
	}()
	return ts
}

func (ts *toneSender) stop() {
	select {
	case <-ts.stopped:
	default:
		close(ts.stopped)
	}
}

// --- the fixture: real Postgres store, gateway on loopback ---

type fixture struct {
	t        testing.TB
	db       *postgres.DB
	cs       *postgres.CallStore
	gw       *media.Gateway
	org      *warmline.Organisation
	adminCtx context.Context
	agent    *warmline.User
	client   *warmline.Client
	line     *warmline.Line
	sipPort  int
	peer     *sipPeer
	agentRef media.Agent
	srv      *httptest.Server
	// browserNet, when set, is the socket of the next softphone to
	// connect (connectBrowserWith), so that a test can take its network.
	browserNet *darkConn
}

var orgSeq atomic.Int64

func freePort(t testing.TB, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func newFixture(t *testing.T, mediaTimeout time.Duration) *fixture {
	t.Helper()
	return newFixtureWith(t, mediaTimeout, false)
}

// newFixtureWith builds the fixture; with demo the organisation has no
// trunk and the gateway runs its demo network.
func newFixtureTB(t testing.TB, mediaTimeout time.Duration) *fixture {
	return newFixtureWith(t, mediaTimeout, false)
}

// configure, when set, adjusts the next fixture's gateway configuration.
var configure func(*media.Config)

func newFixtureWith(t testing.TB, mediaTimeout time.Duration, demo bool) *fixture {
	t.Helper()
	db := pgtest.NewDB(t)
	f := &fixture{t: t, db: db, cs: postgres.NewCallStore(db)}
	n := orgSeq.Add(1)
	org, admin, err := postgres.NewOrganisationStore(db).SignUp(context.Background(), warmline.SignUp{
		OrgName: fmt.Sprintf("Media %d", n), Name: "Admin", Email: fmt.Sprintf("media%d-%d@example.com", n, time.Now().UnixNano()),
		Password: "long enough password"})
	if err != nil {
		t.Fatalf("sign up: %v", err)
	}
	f.org = org
	f.adminCtx = warmline.WithActor(context.Background(), warmline.Actor{UserID: admin.ID, OrgID: admin.OrgID, Role: admin.Role})
	f.agent, err = postgres.NewUserStore(db).CreateUser(f.adminCtx, warmline.NewUser{
		Email: fmt.Sprintf("agent%d-%d@example.com", n, time.Now().UnixNano()), Name: "Анна", Role: warmline.RoleAgent, Password: "long enough password"})
	if err != nil {
		t.Fatalf("create agent: %v", err)
	}
	f.agentRef = media.Agent{OrgID: org.ID, ID: f.agent.ID, Name: f.agent.Name}
	name := "ООО Ромашка"
	f.client, err = postgres.NewClientStore(db).CreateClient(f.adminCtx, warmline.ClientInput{Name: &name, Phones: &[]string{"+79161234567"}})
	if err != nil {
		t.Fatalf("create client: %v", err)
	}

	f.peer = newSIPPeer(t, "127.0.0.1")
	if !demo {
		f.trunkAndLine(n)
	}
	f.startGateway(n, mediaTimeout, demo)
	return f
}

func (f *fixture) trunkAndLine(n int64) {
	t, db := f.t, f.db
	ts := postgres.NewTrunkStore(db)
	tr, err := ts.CreateTrunk(f.adminCtx, &warmline.Trunk{Name: "Test trunk", Host: "127.0.0.1", Port: f.peer.port, Transport: "udp",
		AuthMode: "ip", CallerID: "+74950000000", Codecs: []string{"PCMU", "PCMA"}, Enabled: true})
	if err != nil {
		t.Fatalf("create trunk: %v", err)
	}
	f.line, err = ts.CreateLine(f.adminCtx, &warmline.Line{Number: fmt.Sprintf("+7495%07d", 1000000+n), Name: "Сайт", TrunkID: &tr.ID})
	if err != nil {
		t.Fatalf("create line: %v", err)
	}
}

func (f *fixture) startGateway(n int64, mediaTimeout time.Duration, demo bool) {
	f.t.Helper()
	t := f.t
	var gw *media.Gateway
	// Ports are picked free but another process may take one before the
	// gateway binds it (packages test in parallel): try again with others.
	for attempt := 1; ; attempt++ {
		var err error
		if gw, err = f.tryGateway(n, mediaTimeout, demo); err == nil {
			break
		} else if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatalf("gateway did not start: %v", err)
		}
	}
	f.gw = gw
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		a := f.agentRef
		if id, _ := strconv.ParseInt(r.URL.Query().Get("user"), 10, 64); id != 0 {
			a.ID = warmline.UserID(id)
		}
		gw.ServeAgent(r.Context(), a, ws)
	}))
	t.Cleanup(f.srv.Close)
}

// tryGateway starts a gateway on fresh ports and waits until it serves,
// or returns why it stopped.
func (f *fixture) tryGateway(n int64, mediaTimeout time.Duration, demo bool) (*media.Gateway, error) {
	t := f.t
	f.sipPort = freePort(t, "udp")
	base := 20000 + rand.IntN(20)*2000
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: testLogLevel()}))
	cfg := media.Config{Node: fmt.Sprintf("test-%d", n),
		SIPListen:  []string{fmt.Sprintf("udp:127.0.0.1:%d", f.sipPort), fmt.Sprintf("tcp:127.0.0.1:%d", f.sipPort)},
		RTPPortMin: base, RTPPortMax: base + 1999, ICEIncludeLoopback: true, MediaTimeout: mediaTimeout, Demo: demo}
	if configure != nil {
		configure(&cfg)
	}
	gw, err := media.New(cfg, f.cs, log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.Run(ctx) }()
	// Under -race on a busy machine the first start (orphan sweep, the
	// demo network, listeners) can take seconds.
	started := make(chan bool, 1)
	go func() { started <- gw.WaitRunning(30 * time.Second) }()
	select {
	case err := <-done:
		cancel()
		if err == nil {
			err = fmt.Errorf("Run returned before serving")
		}
		return nil, err
	case ok := <-started:
		if !ok {
			cancel()
			return nil, fmt.Errorf("not serving after 30 s")
		}
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("gateway did not stop")
		}
	})
	return gw, nil
}

// call is the record as the database has it.
type callRow struct {
	Status     string  `db:"status"`
	Outcome    *string `db:"outcome"`
	EndReason  string  `db:"end_reason"`
	HangupSide *string `db:"hangup_side"`
	ClientID   *int64  `db:"client_id"`
	AgentID    *int64  `db:"agent_id"`
	Answered   bool    `db:"answered"`
	Missed     *string `db:"missed_reason"`
	SIPCause   *int    `db:"sip_cause"`
}

func (f *fixture) record(id warmline.CallID) callRow {
	f.t.Helper()
	var r callRow
	err := f.db.Get(&r, `SELECT status, outcome, end_reason, hangup_side, client_id, agent_id, answered_at IS NOT NULL AS answered, missed_reason, sip_cause FROM calls WHERE id = $1`, id)
	if err != nil {
		f.t.Fatalf("call %d: %v", id, err)
	}
	return r
}

// waitEnded waits for the record to be closed.
func (f *fixture) waitEnded(id warmline.CallID) callRow {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := f.record(id)
		if r.Status == "ended" || time.Now().After(deadline) {
			return r
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func deref[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}

// inboundRinging: the agent is available, the trunk peer calls the line
// from from, and the agent's softphone rings.
func (f *fixture) inboundRinging(b *browser, from string) (*peerCall, map[string]any) {
	f.t.Helper()
	if err := f.cs.SetAgentState(context.Background(), f.org.ID, f.agent.ID, warmline.AgentAvailable); err != nil {
		f.t.Fatal(err)
	}
	pc, err := f.peer.dial(f.sipPort, f.line.Number, from)
	if err != nil {
		f.t.Fatal(err)
	}
	return pc, b.expectCall("ringing")
}

// --- the browser: a pion peer speaking /ws/phone ---

type browser struct {
	t     testing.TB
	ws    *websocket.Conn
	pc    *webrtc.PeerConnection
	msgs  chan map[string]any
	rec   *recorder
	tone  *toneSender
	wmu   sync.Mutex
	local *webrtc.TrackLocalStaticRTP
	// backlog holds messages read while waiting for others.
	backlog []map[string]any
}

func f64(v float64) uint64 { return math.Float64bits(v) }

func postgresUser(f *fixture, name string) (*warmline.User, error) {
	return postgres.NewUserStore(f.db).CreateUser(f.adminCtx, warmline.NewUser{
		Email: fmt.Sprintf("a%d@example.com", time.Now().UnixNano()), Name: name, Role: warmline.RoleAgent, Password: "long enough password"})
}

func (f *fixture) connectBrowser() *browser { return f.connectBrowserAs(f.agent) }

// connectBrowserAs turns a user's softphone on.
func (f *fixture) connectBrowserAs(u *warmline.User) *browser { return f.connectBrowserWith(u, nil) }

// connectBrowserWith turns a user's softphone on; onTrack, when set,
// reads what the softphone hears instead of the recorder.
func (f *fixture) connectBrowserWith(u *warmline.User, onTrack func(*webrtc.TrackRemote)) *browser {
	t := f.t
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(f.srv.URL, "http")+"?user="+strconv.FormatInt(int64(u.ID), 10), nil)
	if err != nil {
		t.Fatalf("dial /ws/phone: %v", err)
	}
	b := &browser{t: t, ws: ws, msgs: make(chan map[string]any, 256), rec: &recorder{}}
	go func() {
		defer close(b.msgs)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var m map[string]any
			if json.Unmarshal(data, &m) == nil {
				b.msgs <- m
			}
		}
	}()
	b.expect("config", nil)

	me := &webrtc.MediaEngine{}
	for _, c := range []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, PayloadType: 0},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/telephone-event", ClockRate: 8000, SDPFmtpLine: "0-16"}, PayloadType: 101},
	} {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			t.Fatal(err)
		}
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	if f.browserNet != nil {
		se.SetICEUDPMux(ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: f.browserNet}))
		f.browserNet = nil
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	b.pc = pc
	t.Cleanup(func() { _ = pc.Close(); _ = ws.Close() })
	b.local, err = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, "mic", "browser")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTrack(b.local); err != nil {
		t.Fatal(err)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if onTrack != nil {
			onTrack(tr)
			return
		}
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			switch p.PayloadType {
			case 0:
				b.rec.audio(p.Payload, false)
			case 8:
				b.rec.audio(p.Payload, true)
			case 101:
				b.rec.event(p.Timestamp, p.Payload)
			}
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	b.send(map[string]any{"type": "offer", "sdp": pc.LocalDescription().SDP})
	ans := b.expect("answer", nil)
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: ans["sdp"].(string)}); err != nil {
		t.Fatalf("set answer: %v", err)
	}
	b.expect("leg", func(m map[string]any) bool { return m["state"] == "connected" })
	b.tone = startTone(1000, 0, func(pkt []byte) {
		_, _ = b.local.Write(pkt)
	})
	t.Cleanup(b.tone.stop)
	return b
}

func (b *browser) send(m map[string]any) {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	if err := b.ws.WriteJSON(m); err != nil {
		b.t.Fatalf("send %v: %v", m["type"], err)
	}
}

func (b *browser) sendRaw(typ int, data []byte) {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	_ = b.ws.WriteMessage(typ, data)
}

// expect waits for a message of type typ matching ok, skipping others.
func (b *browser) expect(typ string, ok func(map[string]any) bool) map[string]any {
	b.t.Helper()
	match := func(m map[string]any) bool { return m["type"] == typ && (ok == nil || ok(m)) }
	for i, m := range b.backlog {
		if match(m) {
			b.backlog = append(b.backlog[:i:i], b.backlog[i+1:]...)
			return m
		}
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m, open := <-b.msgs:
			if !open {
				b.t.Fatalf("socket closed waiting for %s", typ)
			}
			if match(m) {
				return m
			}
			b.backlog = append(b.backlog, m)
		case <-timeout:
			b.t.Fatalf("no %s message (backlog %v)", typ, b.backlog)
		}
	}
}

// expectCall waits for the call in state.
func (b *browser) expectCall(state string) map[string]any {
	b.t.Helper()
	m := b.expect("call", func(m map[string]any) bool {
		c, _ := m["call"].(map[string]any)
		return c != nil && c["state"] == state
	})
	return m["call"].(map[string]any)
}

func callID(c map[string]any) warmline.CallID { return warmline.CallID(c["id"].(float64)) }

// --- the trunk and the customer: a sipgo user agent ---

type sipPeer struct {
	t testing.TB
	// onAnswer, when set, replaces the tone and recorder of answered calls.
	onAnswer func(c *peerCall, offer []byte)
	ua       *sipgo.UserAgent
	dua      *sipgo.DialogUA
	host     string
	port     int
	calls    chan *peerCall
	tone     float64 // what the next answered call sends
	mu       sync.Mutex
	byID     map[string]*peerCall
	// reject, when set, is the final status the next INVITEs get.
	reject atomic.Int32
	// pcma: the peer speaks PCMA only; early: it answers 183 with SDP
	// and its audio a second before 200.
	pcma, early atomic.Bool
	// notifies gets the sipfrag bodies of NOTIFYs (REFER progress).
	notifies chan string
	// reinvites records the SDP of re-INVITEs the gateway sent.
	reinvites chan string
	// network is "udp" or "tcp": where the peer listens and how it calls.
	network string
	// answerHdrs go into the peer's 200 to an INVITE (e.g. Session-Expires);
	// reinviteHdrs records the headers named in reinviteWatch of each
	// re-INVITE the gateway sent.
	answerHdrs   []sip.Header
	reinviteHdrs chan map[string]string
	// timers: the peer supports RFC 4028 and echoes a re-INVITE's
	// Session-Expires in its 200.
	timers bool
	// challenge, when set, sees each new INVITE first; true means it has
	// answered it (e.g. 407) and the peer does nothing more.
	challenge func(req *sip.Request, tx sip.ServerTransaction) bool
	// reinviteMinSE, when set, answers a re-INVITE whose Session-Expires
	// is shorter with 422 and this Min-SE (seconds).
	reinviteMinSE atomic.Int32
}

// reinviteWatch are the headers reinviteHdrs records.
var reinviteWatch = []string{"Session-Expires", "Supported", "CSeq"}

type peerCall struct {
	p       *sipPeer
	uas     *sipgo.DialogServerSession
	uac     *sipgo.DialogClientSession
	invite  *sip.Request
	rtp     *net.UDPConn
	remote  atomic.Pointer[netip.AddrPort]
	rec     *recorder
	tone    atomic.Pointer[toneSender] // set by the test's goroutine, stopped by a BYE's
	byed    chan struct{}
	byeOnce sync.Once
	te      uint8
}

func newSIPPeer(t testing.TB, host string) *sipPeer { return newSIPPeerOn(t, host, "udp") }

// newSIPPeerOn is a peer listening on network ("udp" or "tcp"); over TCP
// its Contact says transport=tcp and it calls over TCP.
func newSIPPeerOn(t testing.TB, host, network string) *sipPeer {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-peer"), sipgo.WithUserAgentHostname(host))
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua)
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname(host))
	p := &sipPeer{t: t, ua: ua, host: host, network: network, calls: make(chan *peerCall, 8), tone: 600, byID: map[string]*peerCall{},
		reinvites: make(chan string, 8), notifies: make(chan string, 8), reinviteHdrs: make(chan map[string]string, 16)}
	var serve func() error
	var listener io.Closer
	if network == "tcp" {
		ln, err := net.Listen("tcp4", host+":0")
		if err != nil {
			t.Fatal(err)
		}
		p.port, listener, serve = ln.Addr().(*net.TCPAddr).Port, ln, func() error { return srv.ServeTCP(ln) }
	} else {
		pc, err := net.ListenPacket("udp4", host+":0")
		if err != nil {
			t.Fatal(err)
		}
		p.port, listener, serve = pc.LocalAddr().(*net.UDPAddr).Port, pc, func() error { return srv.ServeUDP(pc) }
	}
	contact := sip.ContactHeader{Address: sip.Uri{User: "peer", Host: host, Port: p.port}}
	if network == "tcp" {
		contact.Address.UriParams = sip.NewParams()
		contact.Address.UriParams.Add("transport", "tcp")
	}
	p.dua = &sipgo.DialogUA{Client: cli, ContactHDR: contact}
	srv.OnInvite(p.onInvite)
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		if c := p.call(req); c != nil && c.uas != nil {
			_ = c.uas.ReadAck(req, tx)
		}
	})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		c := p.call(req)
		if c == nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "No dialog", nil))
			return
		}
		if c.uas != nil {
			_ = c.uas.ReadBye(req, tx)
		} else {
			_ = c.uac.ReadBye(req, tx)
		}
		c.ended()
	})
	srv.OnNotify(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
		select {
		case p.notifies <- string(req.Body()):
		default:
		}
	})
	go func() { _ = serve() }()
	t.Cleanup(func() { _ = listener.Close(); _ = ua.Close() })
	return p
}

func (p *sipPeer) call(req *sip.Request) *peerCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byID[req.CallID().Value()]
}

func (c *peerCall) ended() {
	c.byeOnce.Do(func() {
		close(c.byed)
		if t := c.tone.Load(); t != nil {
			t.stop()
		}
	})
}

func (p *sipPeer) newCall() *peerCall {
	rtpConn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(p.host)})
	if err != nil {
		p.t.Fatal(err)
	}
	c := &peerCall{p: p, rtp: rtpConn, rec: &recorder{}, byed: make(chan struct{})}
	p.t.Cleanup(func() { c.ended(); _ = rtpConn.Close() })
	if p.onAnswer != nil {
		return c
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := rtpConn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			var pkt rtp.Packet
			if pkt.Unmarshal(buf[:n]) != nil {
				continue
			}
			switch {
			case pkt.PayloadType == 0:
				c.rec.audio(pkt.Payload, false)
			case pkt.PayloadType == 8:
				c.rec.audio(pkt.Payload, true)
			case pkt.PayloadType == c.te && c.te != 0:
				c.rec.event(pkt.Timestamp, pkt.Payload)
			}
		}
	}()
	return c
}

func (c *peerCall) sdp(dir string, version int) []byte {
	port := c.rtp.LocalAddr().(*net.UDPAddr).Port
	codec, name := 0, "PCMU"
	if c.p.pcma.Load() {
		codec, name = 8, "PCMA"
	}
	return []byte(fmt.Sprintf("v=0\r\no=peer 1 %d IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP %d 101\r\na=rtpmap:%d %s/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=%s\r\n",
		version, c.p.host, c.p.host, port, codec, codec, name, dir))
}

// startMedia sends the peer's tone to the address in sdp.
func (c *peerCall) startMedia(sdp []byte, tone float64) {
	addr, te := sdpAddr(string(sdp))
	c.remote.Store(&addr)
	c.te = te
	pt := uint8(0)
	if c.p.pcma.Load() {
		pt = 8
	}
	c.tone.Store(startTone(tone, pt, func(pkt []byte) {
		if a := c.remote.Load(); a != nil {
			_, _ = c.rtp.WriteToUDPAddrPort(pkt, *a)
		}
	}))
}

// sdpAddr reads c= and m=audio and the telephone-event payload type.
func sdpAddr(s string) (netip.AddrPort, uint8) {
	var ip netip.Addr
	var port int
	var te int
	for _, l := range strings.Split(s, "\r\n") {
		if strings.HasPrefix(l, "c=IN IP4 ") {
			ip, _ = netip.ParseAddr(strings.TrimPrefix(l, "c=IN IP4 "))
		}
		if strings.HasPrefix(l, "m=audio ") {
			fmt.Sscanf(l, "m=audio %d", &port)
		}
		if strings.HasPrefix(l, "a=rtpmap:") && strings.Contains(l, "telephone-event") {
			fmt.Sscanf(l, "a=rtpmap:%d", &te)
		}
	}
	return netip.AddrPortFrom(ip, uint16(port)), uint8(te)
}

func sdpDir(s string) string {
	for _, d := range []string{"sendrecv", "sendonly", "recvonly", "inactive"} {
		if strings.Contains(s, "a="+d+"\r\n") {
			return d
		}
	}
	return "sendrecv"
}

// onInvite: a call from the gateway (ring briefly, answer) or a re-INVITE.
func (p *sipPeer) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if _, ok := req.To().Params.Get("tag"); ok {
		c := p.call(req)
		if c == nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "No dialog", nil))
			return
		}
		if min := int(p.reinviteMinSE.Load()); min > 0 {
			if iv, _ := sessionSeconds(req); iv < min {
				res := sip.NewResponseFromRequest(req, 422, "Session Interval Too Small", nil)
				res.AppendHeader(sip.NewHeader("Min-SE", strconv.Itoa(min)))
				_ = tx.Respond(res)
				return
			}
		}
		offer := string(req.Body())
		hdrs := map[string]string{}
		for _, name := range reinviteWatch {
			if h := req.GetHeader(name); h != nil {
				hdrs[name] = h.Value()
			}
		}
		select {
		case p.reinviteHdrs <- hdrs:
		default:
		}
		p.reinvites <- offer
		ans := map[string]string{"sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive"}[sdpDir(offer)]
		if ans == "" {
			ans = "sendrecv"
		}
		if c.uas != nil {
			_ = c.uas.ReadRequest(req, tx)
		} else {
			_ = c.uac.ReadRequest(req, tx)
		}
		res := sip.NewSDPResponseFromRequest(req, c.sdp(ans, 2))
		if se := req.GetHeader("Session-Expires"); se != nil && p.timers {
			res.AppendHeader(sip.NewHeader("Require", "timer"))
			res.AppendHeader(sip.NewHeader("Session-Expires", se.Value()))
		}
		_ = tx.Respond(res)
		return
	}
	if p.challenge != nil && p.challenge(req, tx) {
		return
	}
	if code := int(p.reject.Load()); code != 0 {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 180, "Ringing", nil))
		_ = tx.Respond(sip.NewResponseFromRequest(req, code, "Rejected", nil))
		return
	}
	uas, err := p.dua.ReadInvite(req, tx)
	if err != nil {
		return
	}
	c := p.newCall()
	c.uas, c.invite = uas, req
	p.mu.Lock()
	p.byID[req.CallID().Value()] = c
	tone := p.tone
	p.mu.Unlock()
	_ = uas.Respond(180, "Ringing", nil)
	time.Sleep(300 * time.Millisecond)
	if p.onAnswer != nil {
		p.onAnswer(c, req.Body())
	} else {
		c.startMedia(req.Body(), tone)
	}
	p.calls <- c
	if p.early.Load() {
		res := sip.NewSDPResponseFromRequest(req, c.sdp("sendrecv", 1))
		res.StatusCode, res.Reason = 183, "Session Progress"
		_ = uas.WriteResponse(res)
		time.Sleep(1500 * time.Millisecond)
	}
	res := sip.NewSDPResponseFromRequest(uas.InviteRequest, c.sdp("sendrecv", 1)) // its To has our tag
	for _, h := range p.answerHdrs {
		res.AppendHeader(h)
	}
	_ = uas.WriteResponse(res)
}

// dial places a call to the gateway from this peer, with extra headers.
func (p *sipPeer) dial(gwPort int, to, from string, hdrs ...sip.Header) (*peerCall, error) {
	c := p.newCall()
	uri := sip.Uri{User: to, Host: "127.0.0.1", Port: gwPort}
	req := sip.NewRequest(sip.INVITE, uri)
	params := sip.NewParams()
	params.Add("tag", sip.GenerateTagN(10))
	req.AppendHeader(&sip.FromHeader{Address: sip.Uri{User: from, Host: p.host}, Params: params})
	req.AppendHeader(&sip.ToHeader{Address: uri})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	for _, h := range hdrs {
		req.AppendHeader(h)
	}
	if p.network == "tcp" {
		req.SetTransport("TCP")
	}
	req.SetBody(c.sdp("sendrecv", 1))
	sess, err := p.dua.WriteInvite(context.Background(), req)
	if err != nil {
		return nil, err
	}
	c.uac, c.invite = sess, req
	p.mu.Lock()
	p.byID[req.CallID().Value()] = c
	p.mu.Unlock()
	return c, nil
}

// answered waits for the gateway's 200 and starts the peer's media.
func (c *peerCall) answered(ctx context.Context) error {
	if err := c.uac.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		return err
	}
	if err := c.uac.Ack(ctx); err != nil {
		return err
	}
	c.startMedia(c.uac.InviteResponse.Body(), c.p.tone)
	return nil
}

func (c *peerCall) bye() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.uas != nil {
		_ = c.uas.Bye(ctx)
	} else {
		_ = c.uac.Bye(ctx)
	}
	c.ended()
}

// sendDigit sends one RFC 4733 event to the gateway in the audio stream.
func (c *peerCall) sendDigit(ev byte) {
	c.tone.Load().tePT.Store(uint32(c.te))
	c.tone.Load().digits <- ev
}

func (c *peerCall) waitBye(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-c.byed:
	case <-time.After(d):
		t.Fatal("the peer got no BYE")
	}
}

func testLogLevel() slog.Level {
	if os.Getenv("MEDIA_TEST_LOG") != "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

// sessionSeconds is a request's Session-Expires interval in seconds.
func sessionSeconds(req *sip.Request) (int, bool) {
	h := req.GetHeader("Session-Expires")
	if h == nil {
		return 0, false
	}
	v, _, _ := strings.Cut(h.Value(), ";")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return n, err == nil
}

// darkConn is a softphone's UDP socket whose network can vanish: once
// dark it sends nothing and drops what comes, as a laptop that lost its
// Wi-Fi with the page still open. It hides *net.UDPConn's address-port
// methods so that pion goes through these two.
type darkConn struct {
	c    *net.UDPConn
	dark atomic.Bool
}

func newDarkConn(t testing.TB) *darkConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &darkConn{c: c}
}

func (d *darkConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, a, err := d.c.ReadFrom(p)
		if err != nil || !d.dark.Load() {
			return n, a, err
		}
	}
}

func (d *darkConn) WriteTo(p []byte, a net.Addr) (int, error) {
	if d.dark.Load() {
		return len(p), nil
	}
	return d.c.WriteTo(p, a)
}

func (d *darkConn) Close() error                       { return d.c.Close() }
func (d *darkConn) LocalAddr() net.Addr                { return d.c.LocalAddr() }
func (d *darkConn) SetDeadline(t time.Time) error      { return d.c.SetDeadline(t) }
func (d *darkConn) SetReadDeadline(t time.Time) error  { return d.c.SetReadDeadline(t) }
func (d *darkConn) SetWriteDeadline(t time.Time) error { return d.c.SetWriteDeadline(t) }
