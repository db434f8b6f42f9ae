package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/transport/v5/stdnet"
	"github.com/pion/webrtc/v4"
)

// newWebRTCAPI builds the pion API of one browser leg: G.711 and
// telephone-event only, no interceptors (no NACK, no reports: audio
// pass-through needs none), and the ICE settings of cfg. Every leg's ICE
// shares one UDP socket, mux (newICEMux): one socket and one reading
// goroutine for all browsers instead of one of each per leg. keys, when
// not nil, records the leg's DTLS handshake so the gateway can run the
// leg's SRTP itself (browsersrtp.go): one API per leg for that.
func newWebRTCAPI(cfg Config, mux ice.UDPMux, keys *dtlsKeys) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	for _, c := range []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, PayloadType: ptPCMU},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000, Channels: 1}, PayloadType: ptPCMA},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/telephone-event", ClockRate: 8000, SDPFmtpLine: "0-16"}, PayloadType: ptTE},
	} {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("register %s: %w", c.MimeType, err)
		}
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(cfg.ICEIncludeLoopback)
	if len(cfg.PublicIPs) > 0 {
		se.SetNAT1To1IPs(cfg.PublicIPs, webrtc.ICECandidateTypeHost)
	}
	se.SetICEUDPMux(mux)
	se.SetLite(iceLite(cfg))
	// AES-GCM first (AES-NI, one pass for encryption and integrity;
	// Chromium offers it), the 128-bit key before the 256-bit one; the
	// HMAC-SHA1 profile stays for peers without GCM. The DTLS server's
	// order decides: ours when the browser takes the active role.
	se.SetSRTPProtectionProfiles(dtls.SRTP_AEAD_AES_128_GCM, dtls.SRTP_AEAD_AES_256_GCM, dtls.SRTP_AES128_CM_HMAC_SHA1_80)
	// A browser that stops answering consent checks is disconnected
	// after 5 s and failed after 10 s more: its calls end as browser_lost.
	se.SetICETimeouts(5*time.Second, 10*time.Second, 2*time.Second)
	if keys != nil {
		// We answer the browser's offer as the DTLS server (a=setup:passive,
		// RFC 5763 §5): the ServerHello, with the server random, is ours.
		if err := se.SetAnsweringDTLSRole(webrtc.DTLSRoleServer); err != nil {
			return nil, fmt.Errorf("DTLS role: %w", err)
		}
		se.SetDTLSKeyLogWriter(keys)
		se.SetDTLSServerHelloMessageHook(keys.serverHello)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se),
		webrtc.WithInterceptorRegistry(&interceptor.Registry{})), nil
}

// iceLite says whether the gateway's ICE agent is a lite one (RFC 8445
// §2.5): it answers the browser's checks and sends none, and the browser,
// the full agent, nominates and keeps consent (RFC 7675). A full agent's
// own check every 2 s per call, and the answer to it, are half the STUN
// messages a leg handles, each through pion's mux, a reader goroutine and
// the agent's task loop (BENCHMARKS.md, round 7). Lite only where the
// gateway's host candidates are what browsers reach: its public address
// is configured (1:1 NAT), or it serves one machine (loopback). A gateway
// behind a NAT nobody told it about still connects as a full agent: its
// own checks open the NAT and the browser learns the public address as a
// peer-reflexive candidate; a lite agent never sends them.
func iceLite(cfg Config) bool { return len(cfg.PublicIPs) > 0 || cfg.ICEIncludeLoopback }

// iceReadBuffer is the shared ICE socket's receive buffer: every
// browser's packets queue there (50 a second per call), so it is sized
// for a pause of tens of milliseconds at hundreds of calls. The kernel
// caps it at net.core.rmem_max.
const iceReadBuffer = 4 << 20

// newICEMux opens the UDP port every browser leg's ICE shares: on ip, or
// on each local address when ip is unspecified (0.0.0.0), loopback
// included when cfg.ICEIncludeLoopback. Browsers are told apart by their
// ICE username, then by their address. cfg.ICEPort names the port; 0
// takes the highest free odd port of the RTP range (the SIP legs take
// even ones), so another process on the range does not stop the gateway:
// the port reaches browsers in the candidates, and the range is open in
// the firewall anyway.
func newICEMux(cfg Config, ip net.IP, routes *srtpRoutes) (ice.UDPMux, error) {
	if cfg.ICEPort != 0 {
		return listenICEMux(cfg, ip, cfg.ICEPort, routes)
	}
	var err error
	for port := cfg.RTPPortMax - 1 + cfg.RTPPortMax%2; port >= cfg.RTPPortMin; port -= 2 {
		var m ice.UDPMux
		if m, err = listenICEMux(cfg, ip, port, routes); err == nil {
			return m, nil
		}
	}
	return nil, fmt.Errorf("no free ICE port in %d-%d: %w", cfg.RTPPortMin, cfg.RTPPortMax, err)
}

// Its sockets are iceSockets: the poller decrypts and forwards the RTP of
// legs that own their SRTP (routes). extra adds options to the
// unspecified-address case (tests keep it to loopback).
func listenICEMux(cfg Config, ip net.IP, port int, routes *srtpRoutes, extra ...ice.UDPMuxFromPortOption) (ice.UDPMux, error) {
	if ip.IsUnspecified() {
		n, err := stdnet.NewNet()
		if err != nil {
			return nil, fmt.Errorf("ICE port %d: %w", port, err)
		}
		opts := []ice.UDPMuxFromPortOption{ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4),
			ice.UDPMuxFromPortWithReadBufferSize(iceReadBuffer), ice.UDPMuxFromPortWithNet(&iceNet{Net: n, routes: routes})}
		if cfg.ICEIncludeLoopback {
			opts = append(opts, ice.UDPMuxFromPortWithLoopback())
		}
		m, err := ice.NewMultiUDPMuxFromPort(port, append(opts, extra...)...)
		if err != nil {
			return nil, fmt.Errorf("ICE port %d: %w", port, err)
		}
		return m, nil
	}
	c, err := newICESocket(ip, port, routes)
	if err != nil {
		return nil, fmt.Errorf("ICE port: %w", err)
	}
	_ = c.SetReadBuffer(iceReadBuffer)
	return ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: c}), nil
}

// checkBrowserOffer refuses an offer the leg cannot use, with the reason
// the softphone shows: it must have one audio stream with PCMU or PCMA.
func checkBrowserOffer(offer string) error {
	if len(offer) == 0 {
		return errors.New("the offer is empty")
	}
	var s sdp.SessionDescription
	if err := s.UnmarshalString(offer); err != nil {
		return fmt.Errorf("the offer is not SDP: %v", err)
	}
	audio := 0
	for _, m := range s.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		audio++
		for _, a := range m.Attributes {
			if a.Key == "rtpmap" {
				v := strings.ToUpper(a.Value)
				if strings.Contains(v, " PCMU/8000") || strings.Contains(v, " PCMA/8000") {
					return nil
				}
			}
		}
		for _, f := range m.MediaName.Formats {
			if f == "0" || f == "8" {
				return nil
			}
		}
	}
	if audio == 0 {
		return errors.New("the offer has no audio stream")
	}
	return errors.New("the offer's audio has no PCMU or PCMA")
}

// agentLeg is a softphone's persistent PeerConnection. What the browser
// says goes to sink; what forward gets goes to the browser.
type agentLeg struct {
	pc       *webrtc.PeerConnection
	sink     atomic.Pointer[endpointBox]
	lastRecv atomic.Int64
	received atomic.Uint64
	sent     atomic.Uint64

	mu     sync.Mutex // out, bind, paused
	out    rewriter
	bind   *legBinding
	paused bool

	// hdr is the header of the packet being written, handed to pion's
	// WriteRTP: its Write(b) would parse b into a new rtp.Packet, one
	// allocation per packet.
	wmu sync.Mutex
	hdr rtp.Header

	// The leg's own SRTP (browsersrtp.go), set up once DTLS connects.
	keys        *dtlsKeys
	log         *slog.Logger
	routes      *srtpRoutes
	srtpIn      atomic.Pointer[srtpIn]
	srtpProven  atomic.Bool // our keys decrypted the browser's packet
	srtpDropped atomic.Uint64
	sock        atomic.Pointer[iceSocket]      // where the browser's packets arrive
	remote      atomic.Pointer[netip.AddrPort] // the browser's address (selected pair)
	routeMu     sync.Mutex                     // routes, and changes of remote
	own         *srtpOut                       // guarded by wmu, as are the pion* fields
	pionSent    bool                           // pion's writer sent packets of pionSSRC ...
	pionSSRC    uint32
	pionSeq     uint16 // ... the highest sequence number so far
	pionROC     uint32 // ... and its rollover counter
	drainOnce   sync.Once

	closed atomic.Bool
}

// legBinding is what pion negotiated for our outgoing track.
type legBinding struct {
	w      webrtc.TrackLocalWriter
	ssrc   uint32
	pcma   bool  // the browser accepts PCMA
	pcmu   bool  // ... and PCMU
	te     uint8 // its telephone-event payload type, 0 when none
	inTE   uint8 // the telephone-event payload type it sends
	stream string
}

// legTrack is our outgoing audio track: it hands pion's writer to the leg.
type legTrack struct{ leg *agentLeg }

func (t legTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	b := &legBinding{w: ctx.WriteStream(), ssrc: uint32(ctx.SSRC())}
	var first *webrtc.RTPCodecParameters
	for i, c := range ctx.CodecParameters() {
		switch strings.ToLower(c.MimeType) {
		case "audio/pcmu":
			b.pcmu = true
		case "audio/pcma":
			b.pcma = true
		case "audio/telephone-event":
			b.te = uint8(c.PayloadType)
			continue
		default:
			continue
		}
		if first == nil {
			first = &ctx.CodecParameters()[i]
		}
	}
	if first == nil {
		return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
	}
	t.leg.mu.Lock()
	t.leg.bind = b
	t.leg.out.ssrc = b.ssrc
	t.leg.out.rebase = true
	t.leg.mu.Unlock()
	return *first, nil
}

func (t legTrack) Unbind(webrtc.TrackLocalContext) error {
	t.leg.mu.Lock()
	t.leg.bind = nil
	t.leg.mu.Unlock()
	return nil
}
func (legTrack) ID() string                { return "audio" }
func (legTrack) RID() string               { return "" }
func (legTrack) StreamID() string          { return "warmline" }
func (legTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

// newAgentLeg answers a browser's offer; it returns the leg and the
// answer (all candidates gathered: no trickle). onState gets the leg's
// connection state.
//
// With routes, the leg runs its own SRTP once connected (browsersrtp.go);
// log says when it cannot and stays on pion's path.
func newAgentLeg(cfg Config, mux ice.UDPMux, routes *srtpRoutes, log *slog.Logger, offer string, onState func(webrtc.PeerConnectionState)) (*agentLeg, string, error) {
	if err := checkBrowserOffer(offer); err != nil {
		return nil, "", err
	}
	var keys *dtlsKeys
	if routes != nil {
		keys = &dtlsKeys{}
	}
	api, err := newWebRTCAPI(cfg, mux, keys)
	if err != nil {
		return nil, "", err
	}
	// No RFC 9335 header encryption: no header extensions are negotiated,
	// so it would protect nothing, and the gateway's own SRTP does not do it.
	pc, err := api.NewPeerConnection(webrtc.Configuration{RTPHeaderEncryptionPolicy: webrtc.RTPHeaderEncryptionPolicyDisable})
	if err != nil {
		return nil, "", fmt.Errorf("new peer connection: %w", err)
	}
	l := &agentLeg{pc: pc, out: newRewriter(time.Now().UnixNano()), keys: keys, log: log}
	l.lastRecv.Store(time.Now().UnixNano())
	var sender *webrtc.RTPSender
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected && routes != nil && sender != nil {
			if err := l.ownSRTP(routes, sender, receiverOf(pc, sender)); err != nil {
				log.Warn("browser leg stays on pion's SRTP path", "err", err)
			}
		}
		onState(st)
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, rcv *webrtc.RTPReceiver) {
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			l.readBrowser(tr, rcv)
		}
	})
	fail := func(err error) (*agentLeg, string, error) {
		_ = pc.Close()
		return nil, "", err
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fail(fmt.Errorf("the offer was refused: %w", err))
	}
	if sender, err = pc.AddTrack(legTrack{l}); err != nil {
		return fail(fmt.Errorf("add track: %w", err))
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return fail(fmt.Errorf("no answer to the offer: %w", err))
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		return fail(fmt.Errorf("set local description: %w", err))
	}
	select {
	case <-gathered:
	case <-time.After(10 * time.Second):
		return fail(errors.New("ICE gathering did not finish"))
	}
	return l, pc.LocalDescription().SDP, nil
}

// readBrowser forwards the browser's packets to the sink until the leg closes.
func (l *agentLeg) readBrowser(tr *webrtc.TrackRemote, rcv *webrtc.RTPReceiver) {
	var inTE uint8
	for _, c := range rcv.GetParameters().Codecs {
		if strings.EqualFold(c.MimeType, "audio/telephone-event") {
			inTE = uint8(c.PayloadType)
		}
	}
	l.drainOnce.Do(func() { go drainRTCP(rcv) })
	var buf [1500]byte
	for {
		n, _, err := tr.Read(buf[:])
		if err != nil {
			return
		}
		l.receive(buf[:n], inTE, time.Now().UnixNano())
	}
}

func (l *agentLeg) receive(pkt []byte, inTE uint8, now int64) {
	if len(pkt) < 12 {
		return
	}
	pt := pkt[1] & 0x7f
	switch {
	case pt == ptPCMU || pt == ptPCMA:
	case pt == inTE && inTE != 0:
		pkt[1] = pkt[1]&0x80 | ptTE
	default:
		return
	}
	l.lastRecv.Store(now)
	l.received.Add(1)
	if b := l.sink.Load(); b != nil {
		b.e.forward(pkt, now)
	}
}

// receiverOf is the receiver of the transceiver that has sender.
func receiverOf(pc *webrtc.PeerConnection, s *webrtc.RTPSender) *webrtc.RTPReceiver {
	for _, t := range pc.GetTransceivers() {
		if t.Sender() == s {
			return t.Receiver()
		}
	}
	return nil
}

// drainRTCP reads the browser's RTCP so pion's buffers never fill.
func drainRTCP(rcv *webrtc.RTPReceiver) {
	var buf [1500]byte
	for {
		if _, _, err := rcv.Read(buf[:]); err != nil {
			return
		}
	}
}

// forward sends a packet from the far end to the browser.
func (l *agentLeg) forward(pkt []byte, now int64) {
	n := stripHeader(pkt)
	if n == 0 {
		return
	}
	pkt = pkt[:n]
	l.mu.Lock()
	b := l.bind
	if b == nil || l.paused {
		l.mu.Unlock()
		return
	}
	switch pt := pkt[1] & 0x7f; pt {
	case ptPCMU, ptPCMA:
		to := pt
		if pt == ptPCMA && !b.pcma {
			to = ptPCMU
		} else if pt == ptPCMU && !b.pcmu {
			to = ptPCMA
		}
		pkt[1] = pkt[1]&0x80 | lawMap(pkt[12:], pt, to)
	case ptTE:
		if b.te == 0 {
			l.mu.Unlock()
			return
		}
		pkt[1] = pkt[1]&0x80 | b.te
	default:
		l.mu.Unlock()
		return
	}
	l.out.rewrite(pkt, now)
	l.mu.Unlock()
	// After stripHeader and rewrite pkt has a plain 12-byte header.
	l.wmu.Lock()
	h := &l.hdr
	*h = rtp.Header{Version: 2, Marker: pkt[1]&0x80 != 0, PayloadType: pkt[1] & 0x7f, CSRC: h.CSRC[:0],
		SequenceNumber: binary.BigEndian.Uint16(pkt[2:]), Timestamp: binary.BigEndian.Uint32(pkt[4:]), SSRC: binary.BigEndian.Uint32(pkt[8:])}
	sent, owned := l.writeSRTP(pkt)
	if !owned {
		_, err := b.w.WriteRTP(h, pkt[12:])
		if sent = err == nil; sent {
			l.notePionWrite(h.SSRC, h.SequenceNumber)
		}
	}
	l.wmu.Unlock()
	if sent {
		l.sent.Add(1)
	}
}

func (l *agentLeg) setSink(e endpoint) {
	if e == nil {
		l.sink.Store(nil)
		return
	}
	l.sink.Store(&endpointBox{e})
}

func (l *agentLeg) close() {
	if l.closed.Swap(true) {
		return
	}
	l.setSink(nil)
	l.unroute()
	_ = l.pc.Close()
}
