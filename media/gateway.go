package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/ice/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// Config is how a gateway listens and what it announces. Tests use the
// same fields with loopback values; nothing in the gateway is test-only.
type Config struct {
	// Node is this process's name in call records (CloseOrphans at start).
	Node string
	// SIPListen are "transport:host:port" addresses, e.g.
	// "udp:127.0.0.1:5080" and "tcp:127.0.0.1:5080".
	SIPListen []string
	// SIPPublicAddr is host[:port] written in Via/Contact/SDP when the
	// gateway sits behind 1:1 NAT; empty: the listen address.
	SIPPublicAddr string
	// RTPPortMin and RTPPortMax bound the UDP ports of the SIP legs' RTP
	// and of the browser legs' ICE.
	RTPPortMin, RTPPortMax int
	// ICEPort is the one UDP port all browser legs' ICE shares (pion's
	// ICE UDP mux), on the RTP bind address; 0: the highest free odd
	// port of the RTP range, so the firewall opening for the range
	// covers it.
	ICEPort int
	// PublicIPs are 1:1 NAT addresses announced in ICE candidates and SDP.
	PublicIPs []string
	// ICEIncludeLoopback offers 127.0.0.1 candidates (tests, one machine).
	ICEIncludeLoopback bool
	// PionSRTP leaves the browser legs' SRTP to pion's own read and write
	// chain instead of the gateway's (browsersrtp.go): slower, kept to
	// compare the two and as a way out.
	PionSRTP bool
	// ICEServers are the STUN/TURN servers handed to browsers.
	ICEServers []ICEServer
	// MediaTimeout ends a call with no RTP either way for this long (30 s).
	MediaTimeout time.Duration
	// ReconnectGrace is how long a call survives its softphone's
	// reconnect (10 s).
	ReconnectGrace time.Duration
	// Demo runs the built-in demo phone network for organisations
	// without a trunk.
	Demo bool
	// MediaPriority is the real-time (SCHED_RR) priority, 1–99, of the
	// poller's thread, which carries every call's audio (priority.go);
	// 0 leaves it at normal priority.
	MediaPriority int
	// MediaCoalesce is how long the poller pauses after each batch while
	// packets arrive fast enough for a pause to gather several
	// (coalesce.go): less CPU per packet, up to this much more latency.
	// 0 never pauses. At most MaxCoalesce.
	MediaCoalesce time.Duration
	// SIPTimers: session timers and registration intervals (sip.go).
	SIPTimers
}

// ICEServer is a STUN or TURN server as a browser's RTCPeerConnection takes it.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// listenAddr is one parsed Config.SIPListen entry.
type listenAddr struct {
	network string // udp, tcp
	host    string
	port    int
}

func parseListen(s string) (listenAddr, error) {
	network, hostport, ok := strings.Cut(s, ":")
	if !ok || (network != "udp" && network != "tcp") {
		return listenAddr{}, fmt.Errorf("SIP listen %q: want udp:host:port or tcp:host:port", s)
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return listenAddr{}, fmt.Errorf("SIP listen %q: %w", s, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p > 65535 {
		return listenAddr{}, fmt.Errorf("SIP listen %q: bad port", s)
	}
	return listenAddr{network: network, host: host, port: p}, nil
}

// Gateway bridges agents' browsers (WebRTC) and the phone network (SIP).
type Gateway struct {
	cfg   Config
	store Store
	log   *slog.Logger

	iceMux  ice.UDPMux  // the browser legs' shared ICE socket; closed by shutdown
	routes  *srtpRoutes // browsers' addresses → legs that run their own SRTP
	ports   *portAlloc
	listen  []listenAddr
	rtpIP   net.IP     // RTP sockets bind here
	sdpIP   netip.Addr // ... and are announced as this
	sipHost string     // Via/Contact host and port
	sipPort int

	ua  *sipgo.UserAgent
	srv *sipgo.Server
	cli *sipgo.Client
	dua *sipgo.DialogUA

	runCtx  context.Context
	running chan struct{} // closed once Run has its listeners up
	ends    writeQueue    // the writes that follow hang-ups take turns

	mu          sync.Mutex
	sessions    map[warmline.UserID]*agentSession
	agentStates map[warmline.UserID]*agentStateWrite // the call flow's wanted states (storequeue.go)
	calls       map[warmline.CallID]*call
	dialogs     map[string]*sipDialog // by SIP Call-ID
	trunks      []*trunk
	regs        map[warmline.TrunkID]context.CancelFunc
	demo        *demoNet
}

// New checks cfg and returns a gateway; Run starts it.
func New(cfg Config, store Store, log *slog.Logger) (*Gateway, error) {
	if store == nil {
		return nil, errors.New("media: no store")
	}
	if log == nil {
		log = slog.Default()
	}
	if cfg.MediaTimeout <= 0 {
		cfg.MediaTimeout = 30 * time.Second
	}
	if cfg.ReconnectGrace <= 0 {
		cfg.ReconnectGrace = 10 * time.Second
	}
	if cfg.Node == "" {
		cfg.Node = "media"
	}
	if cfg.RTPPortMin == 0 && cfg.RTPPortMax == 0 {
		cfg.RTPPortMin, cfg.RTPPortMax = 20000, 29999
	}
	if cfg.RTPPortMin <= 0 || cfg.RTPPortMax > 65535 || cfg.RTPPortMin+1 >= cfg.RTPPortMax {
		return nil, fmt.Errorf("media: bad RTP port range %d-%d", cfg.RTPPortMin, cfg.RTPPortMax)
	}
	if cfg.ICEPort < 0 || cfg.ICEPort > 65535 {
		return nil, fmt.Errorf("media: bad ICE port %d", cfg.ICEPort)
	}
	if cfg.MediaPriority < 0 || cfg.MediaPriority > 99 {
		return nil, fmt.Errorf("media: bad media priority %d: want 0 (normal) or a real-time priority 1-99", cfg.MediaPriority)
	}
	if cfg.MediaCoalesce < 0 || cfg.MediaCoalesce > MaxCoalesce {
		return nil, fmt.Errorf("media: bad media coalescing pause %s: want 0 (none) to %s", cfg.MediaCoalesce, MaxCoalesce)
	}
	if len(cfg.SIPListen) == 0 {
		cfg.SIPListen = []string{"udp:0.0.0.0:5060", "tcp:0.0.0.0:5060"}
	}
	g := &Gateway{cfg: cfg, store: store, log: log.With("component", "media"),
		ports:       &portAlloc{min: cfg.RTPPortMin, max: cfg.RTPPortMax},
		running:     make(chan struct{}),
		ends:        newWriteQueue(),
		sessions:    map[warmline.UserID]*agentSession{},
		agentStates: map[warmline.UserID]*agentStateWrite{},
		calls:       map[warmline.CallID]*call{},
		dialogs:     map[string]*sipDialog{},
		regs:        map[warmline.TrunkID]context.CancelFunc{},
	}
	for _, s := range cfg.SIPListen {
		l, err := parseListen(s)
		if err != nil {
			return nil, fmt.Errorf("media: %w", err)
		}
		g.listen = append(g.listen, l)
	}
	if err := g.addresses(); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	var err error
	g.ua, err = sipgo.NewUA(sipgo.WithUserAgent("Warmline"), sipgo.WithUserAgentHostname(g.sipHost))
	if err != nil {
		return nil, fmt.Errorf("media: SIP user agent: %w", err)
	}
	if g.srv, err = sipgo.NewServer(g.ua); err != nil {
		return nil, fmt.Errorf("media: SIP server: %w", err)
	}
	if g.cli, err = sipgo.NewClient(g.ua, sipgo.WithClientHostname(g.sipHost)); err != nil {
		return nil, fmt.Errorf("media: SIP client: %w", err)
	}
	g.dua = &sipgo.DialogUA{Client: g.cli, ContactHDR: g.contact("udp")}
	// Last: nothing below can fail and leave the port open.
	if !cfg.PionSRTP {
		g.routes = &srtpRoutes{}
	}
	if g.iceMux, err = newICEMux(cfg, g.rtpIP, g.routes); err != nil {
		_ = g.ua.Close()
		return nil, fmt.Errorf("media: %w", err)
	}
	g.handleSIP()
	return g, nil
}

// addresses works out where RTP binds and what SDP, Via and Contact say.
func (g *Gateway) addresses() error {
	first := g.listen[0]
	bind := net.ParseIP(first.host)
	if bind == nil {
		return fmt.Errorf("SIP listen host %q is not an IP address", first.host)
	}
	g.rtpIP = bind
	g.sipHost, g.sipPort = first.host, first.port
	if g.cfg.SIPPublicAddr != "" {
		h, p, err := net.SplitHostPort(g.cfg.SIPPublicAddr)
		if err != nil {
			h, p = g.cfg.SIPPublicAddr, strconv.Itoa(first.port)
		}
		port, err := strconv.Atoi(p)
		if err != nil {
			return fmt.Errorf("SIP public address %q: bad port", g.cfg.SIPPublicAddr)
		}
		g.sipHost, g.sipPort = h, port
	}
	announce := g.sipHost
	if len(g.cfg.PublicIPs) > 0 {
		announce = g.cfg.PublicIPs[0]
	}
	a, err := netip.ParseAddr(announce)
	if err != nil {
		return fmt.Errorf("no IP address to announce in SDP (%q): set PublicIPs", announce)
	}
	if a.IsUnspecified() {
		if ip := outboundIP(); ip.IsValid() {
			a = ip
		}
		if g.sipHost == "0.0.0.0" {
			g.sipHost = a.String()
		}
	}
	g.sdpIP = a
	return nil
}

// outboundIP is the address this host would use to reach the Internet.
func outboundIP() netip.Addr {
	c, err := net.Dial("udp4", "192.0.2.1:9") // no packet is sent
	if err != nil {
		return netip.Addr{}
	}
	defer c.Close()
	ap, _ := netip.ParseAddrPort(c.LocalAddr().String())
	return ap.Addr()
}

// contact is our Contact header for a transport.
func (g *Gateway) contact(transport string) sip.ContactHeader {
	h := sip.ContactHeader{Address: sip.Uri{User: "warmline", Host: g.sipHost, Port: g.sipPort}}
	if transport == "tcp" {
		h.Address.UriParams = sip.NewParams()
		h.Address.UriParams.Add("transport", "tcp")
	}
	return h
}

// Run starts the SIP listeners and trunk registrations and closes the
// calls a previous run of this node left open. It blocks until ctx is
// done, then ends every call with BYE and closes its record.
func (g *Gateway) Run(ctx context.Context) error {
	g.mu.Lock()
	g.runCtx = ctx
	g.mu.Unlock()
	n, err := g.store.CloseOrphans(ctx, g.cfg.Node, time.Now())
	if err != nil {
		return fmt.Errorf("media: close orphaned calls: %w", err)
	}
	if n > 0 {
		g.log.Warn("closed calls a previous run left open", "calls", n)
	}
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, len(g.listen))
	for _, l := range g.listen {
		addr := net.JoinHostPort(l.host, strconv.Itoa(l.port))
		var serve func() error
		var closer io.Closer
		if l.network == "udp" {
			pc, err := net.ListenPacket("udp", addr)
			if err != nil {
				return fmt.Errorf("media: SIP udp listener: %w", err)
			}
			serve, closer = func() error { return g.srv.ServeUDP(pc) }, pc
		} else {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("media: SIP tcp listener: %w", err)
			}
			serve, closer = func() error { return g.srv.ServeTCP(ln) }, ln
		}
		go func() {
			if err := serve(); err != nil && lctx.Err() == nil {
				errc <- fmt.Errorf("media: SIP %s listener: %w", l.network, err)
			}
		}()
		context.AfterFunc(lctx, func() { _ = closer.Close() })
	}
	if g.cfg.Demo {
		d, err := startDemoNet(lctx, g)
		if err != nil {
			return fmt.Errorf("media: demo line: %w", err)
		}
		g.mu.Lock()
		g.demo = d
		g.mu.Unlock()
	}
	if err := g.Reload(ctx); err != nil {
		g.log.Error("load trunks", "err", err)
	}
	g.applyPriority()
	g.applyCoalesce()
	go g.watchMedia(lctx)
	close(g.running)
	g.log.Info("media gateway running", "sip", g.cfg.SIPListen, "rtp", fmt.Sprintf("%d-%d", g.cfg.RTPPortMin, g.cfg.RTPPortMax))
	select {
	case <-ctx.Done():
	case err := <-errc:
		g.shutdown()
		return err
	}
	g.shutdown()
	return nil
}

// shutdown ends every call (BYE, record closed as interrupted).
func (g *Gateway) shutdown() {
	g.mu.Lock()
	calls := make([]*call, 0, len(g.calls))
	for _, c := range g.calls {
		calls = append(calls, c)
	}
	for id, cancel := range g.regs {
		cancel()
		delete(g.regs, id)
	}
	g.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.end(endInfo{outcome: warmline.OutcomeFailed, reason: "interrupted", side: warmline.HangupSystem})
		}()
	}
	wg.Wait()
	_ = g.ua.Close()
	_ = g.iceMux.Close()
}

// isRunning reports whether Run has started the listeners.
func (g *Gateway) isRunning() bool {
	select {
	case <-g.running:
		return true
	default:
		return false
	}
}

// Dial is click-to-call from the REST API: the agent's softphone rings
// first, then the gateway calls to. It fails with conflict when the
// agent's softphone is off and invalid (field "to") for a bad number.
func (g *Gateway) Dial(ctx context.Context, a Agent, to string, client warmline.ClientID) (warmline.CallID, error) {
	return g.dial(ctx, a, to, client)
}

// Reload re-reads the trunks and lines and re-registers.
func (g *Gateway) Reload(ctx context.Context) error {
	tcs, err := g.store.LoadTrunks(ctx)
	if err != nil {
		return fmt.Errorf("media: load trunks: %w", err)
	}
	trunks := make([]*trunk, 0, len(tcs))
	for i := range tcs {
		t, err := newTrunk(ctx, tcs[i])
		if err != nil {
			g.log.Error("trunk skipped", "trunk", tcs[i].ID, "org", tcs[i].OrgID, "err", err)
			continue
		}
		trunks = append(trunks, t)
	}
	g.mu.Lock()
	g.trunks = trunks
	old := g.regs
	g.regs = map[warmline.TrunkID]context.CancelFunc{}
	runCtx := g.runCtx
	g.mu.Unlock()
	for _, cancel := range old {
		cancel()
	}
	if runCtx == nil {
		return nil
	}
	for _, t := range trunks {
		if t.cfg.AuthMode != "register" {
			continue
		}
		rctx, cancel := context.WithCancel(runCtx)
		g.mu.Lock()
		g.regs[t.cfg.ID] = cancel
		g.mu.Unlock()
		go g.register(rctx, t)
	}
	return nil
}

// DemoCallIn makes the demo phone network call one of org's lines (or the
// organisation directly when it has none). It fails with conflict when
// the organisation has a real trunk.
func (g *Gateway) DemoCallIn(ctx context.Context, org warmline.OrgID, from string) error {
	g.mu.Lock()
	d := g.demo
	g.mu.Unlock()
	if d == nil {
		return warmline.Errorf(warmline.ECONFLICT, "The demo line is off on this server.")
	}
	ps, err := g.store.PhoneSettings(ctx, org)
	if err != nil {
		return fmt.Errorf("media: phone settings: %w", err)
	}
	if !ps.Demo {
		return warmline.Errorf(warmline.ECONFLICT, "The organisation has a trunk: the demo line is off.")
	}
	return d.callIn(org, from)
}
