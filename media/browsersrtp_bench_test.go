package media

import (
	"crypto/rand"
	"encoding/binary"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// srtpBench is a browser leg running its own SRTP over real loopback
// sockets, with a "browser" SRTP context on the other side: what the ICE
// socket's reader does with a browser's packet (takeSRTP: decrypt,
// canonicalise, hand to the sink) and what the SIP leg's reader does to
// send one to the browser (forward: rewrite, encrypt, sendto).
type srtpBench struct {
	leg        *agentLeg
	sock       *iceSocket
	sink       *nullSink
	browserEnc *srtp.Context // the browser's sending context
	browserDec *srtp.Context // ... and its receiving one
	recv       *net.UDPConn  // the browser's socket
	down       []byte        // the gateway's sending key and salt
	seq        uint16
	plain      []byte
}

func newSRTPBench(tb testing.TB) *srtpBench {
	tb.Helper()
	keys := make([]byte, 2*(16+12))
	_, _ = rand.Read(keys)
	p := srtp.ProtectionProfileAeadAes128Gcm
	mk := func(key, salt []byte, opts ...srtp.ContextOption) *srtp.Context {
		c, err := srtp.CreateContext(key, salt, p, opts...)
		if err != nil {
			tb.Fatal(err)
		}
		return c
	}
	up, down := keys[:28], keys[28:]
	s := &srtpBench{
		browserEnc: mk(up[:16], up[16:]),
		browserDec: mk(down[:16], down[16:]),
		sink:       &nullSink{},
		down:       down,
	}
	gw, err := newICESocket(net.IPv4(127, 0, 0, 1), 0, &srtpRoutes{})
	if err != nil {
		tb.Fatal(err)
	}
	s.recv, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = gw.Close(); _ = s.recv.Close() })
	s.sock = gw
	browser := netip.MustParseAddrPort(s.recv.LocalAddr().String())

	l := &agentLeg{out: newRewriter(time.Now().UnixNano()), log: slog.New(slog.DiscardHandler)}
	l.bind = &legBinding{pcmu: true, te: 101, ssrc: 0x5eed}
	l.out.ssrc = 0x5eed
	l.own = &srtpOut{ctx: mk(down[:16], down[16:])}
	l.srtpIn.Store(&srtpIn{ctx: mk(up[:16], up[16:], srtp.SRTPReplayProtection(64)), inTE: 101})
	l.remote.Store(&browser)
	l.setSink(s.sink)
	s.leg = l
	s.plain = make([]byte, 12+160)
	s.plain[0], s.plain[1] = 0x80, ptPCMU
	binary.BigEndian.PutUint32(s.plain[8:], 0xb0b)
	return s
}

// browserPacket is the browser's next SRTP packet.
func (s *srtpBench) browserPacket(tb testing.TB, dst []byte) []byte {
	s.seq++
	binary.BigEndian.PutUint16(s.plain[2:], s.seq)
	binary.BigEndian.PutUint32(s.plain[4:], uint32(s.seq)*160)
	out, err := s.browserEnc.EncryptRTP(dst[:0], s.plain, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkBrowserSRTP: one packet each way through the browser leg's
// own SRTP path (decrypt and hand over; rewrite, encrypt and send).
// Compare with BenchmarkForwardBaseline (the sendto alone).
func BenchmarkBrowserSRTP(b *testing.B) {
	s := newSRTPBench(b)
	go func() { // the browser's socket: drain
		buf := make([]byte, 1500)
		for {
			if _, err := s.recv.Read(buf); err != nil {
				return
			}
		}
	}()
	const chunk = 1024
	enc := make([][]byte, chunk)
	for i := range enc {
		enc[i] = make([]byte, 0, 1500)
	}
	far := make([]byte, 12+160)
	far[0], far[1] = 0x80, ptPCMU
	binary.BigEndian.PutUint32(far[8:], 0xfa4)
	out := make([]byte, len(far))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%chunk == 0 {
			b.StopTimer()
			for j := range enc {
				enc[j] = s.browserPacket(b, enc[j])
			}
			b.StartTimer()
		}
		if !s.leg.takeSRTP(enc[i%chunk], s.sock) {
			b.Fatal("the leg did not take the browser's packet")
		}
		binary.BigEndian.PutUint16(far[2:], uint16(i))
		binary.BigEndian.PutUint32(far[4:], uint32(i)*160)
		copy(out, far)
		s.leg.forward(out, time.Now().UnixNano())
	}
	b.StopTimer()
	if s.sink.n != b.N || s.leg.sent.Load() != uint64(b.N) {
		b.Fatalf("handed over %d and sent %d of %d", s.sink.n, s.leg.sent.Load(), b.N)
	}
}

// The own SRTP path allocates nothing per packet, either way.
func TestBrowserSRTP_NoAllocations(t *testing.T) {
	s := newSRTPBench(t)
	pkts := make([][]byte, 300)
	for i := range pkts {
		pkts[i] = s.browserPacket(t, make([]byte, 0, 1500))
	}
	out := make([]byte, 12+160)
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		if !s.leg.takeSRTP(pkts[i], s.sock) {
			t.Fatal("the leg did not take the browser's packet")
		}
		i++
		out[0], out[1] = 0x80, ptPCMU
		binary.BigEndian.PutUint16(out[2:], uint16(i))
		s.leg.forward(out, time.Now().UnixNano())
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per packet pair, want 0", allocs)
	}
	// What reached the browser decrypts with its keys.
	buf := make([]byte, 1500)
	_ = s.recv.SetReadDeadline(time.Now().Add(time.Second))
	n, err := s.recv.Read(buf)
	if err != nil {
		t.Fatalf("nothing reached the browser: %v", err)
	}
	if _, err := s.browserDec.DecryptRTP(nil, buf[:n], nil); err != nil {
		t.Fatalf("the browser cannot decrypt what we sent: %v", err)
	}
}

// A forged packet and a replayed one from the browser's address are
// dropped and counted once the leg's keys have worked; before that a
// packet our keys cannot open goes back to pion.
func TestBrowserSRTP_ForgedAndReplayedDropped(t *testing.T) {
	s := newSRTPBench(t)
	forged := s.browserPacket(t, make([]byte, 0, 1500))
	forged[20] ^= 0xff
	if s.leg.takeSRTP(append([]byte(nil), forged...), s.sock) {
		t.Fatal("a packet our unproven keys cannot open was not given back to pion")
	}
	good := s.browserPacket(t, make([]byte, 0, 1500))
	if !s.leg.takeSRTP(append([]byte(nil), good...), s.sock) || s.sink.n != 1 {
		t.Fatalf("the browser's packet was not taken and handed over (sink %d)", s.sink.n)
	}
	next := s.browserPacket(t, make([]byte, 0, 1500))
	next[len(next)-1] ^= 1
	for _, p := range [][]byte{good, good, next} {
		if !s.leg.takeSRTP(append([]byte(nil), p...), s.sock) {
			t.Fatal("a bad packet from the browser's address went to pion after our keys worked")
		}
	}
	if s.sink.n != 1 || s.leg.srtpDropped.Load() != 3 {
		t.Fatalf("sink got %d packets, %d dropped; want 1 and 3", s.sink.n, s.leg.srtpDropped.Load())
	}
}

// On an unspecified address (0.0.0.0, one socket per local address) the
// ICE mux's sockets are iceSockets too: a routed browser's RTP is taken
// by its leg in the mux's reader. (Kept to loopback: tests bind 127.0.0.1.)
func TestBrowserSRTP_MultiAddressICEMux(t *testing.T) {
	s := newSRTPBench(t)
	sink := &countingSink{} // the mux's reader hands over, the test reads
	s.leg.setSink(sink)
	browser := netip.MustParseAddrPort(s.recv.LocalAddr().String())
	routes := &srtpRoutes{}
	routes.set(netip.AddrPort{}, browser, s.leg)
	var mux ice.UDPMux
	var err error
	for try := 0; try < 5; try++ {
		port := 42000 + 2*mrand.IntN(1000) + 1
		if mux, err = listenICEMux(Config{ICEIncludeLoopback: true}, net.IPv4zero, port, routes,
			ice.UDPMuxFromPortWithIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer mux.Close()
	addrs := mux.GetListenAddresses()
	if len(addrs) != 1 {
		t.Fatalf("listening on %v, want 127.0.0.1 only", addrs)
	}
	to := addrs[0].(*net.UDPAddr)
	deadline := time.Now().Add(5 * time.Second)
	for sink.n.Load() == 0 && time.Now().Before(deadline) {
		if _, err := s.recv.WriteToUDP(s.browserPacket(t, make([]byte, 0, 1500)), to); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if sink.n.Load() == 0 || !s.leg.srtpProven.Load() || s.leg.sock.Load() == nil {
		t.Fatalf("the leg took nothing from the multi-address mux (sink %d)", sink.n.Load())
	}
}

// countingSink counts what it is handed, for a reader in another goroutine.
type countingSink struct{ n atomic.Int64 }

func (c *countingSink) forward(pkt []byte, now int64) { c.n.Add(1) }

// When pion's writer sent a leg's first packets across a sequence number
// wrap before the leg's own keys were proven, the leg's context carries
// on with pion's rollover counter (RFC 3711 §3.3.1): the browser decrypts
// what follows. Without it the browser would reject every packet.
func TestBrowserSRTP_OwnWritesContinuePionsRolloverCounter(t *testing.T) {
	s := newSRTPBench(t)
	pion, err := srtp.CreateContext(s.down[:16], s.down[16:], srtp.ProtectionProfileAeadAes128Gcm)
	if err != nil {
		t.Fatal(err)
	}
	l := s.leg
	pkt := make([]byte, 12+160)
	pkt[0], pkt[1] = 0x80, ptPCMU
	binary.BigEndian.PutUint32(pkt[8:], l.out.ssrc)
	buf := make([]byte, 1500)
	for _, seq := range []uint16{65534, 65535, 0} { // pion's writer, before our keys are proven
		binary.BigEndian.PutUint16(pkt[2:], seq)
		enc, err := pion.EncryptRTP(nil, pkt, nil)
		if err != nil {
			t.Fatal(err)
		}
		l.notePionWrite(l.out.ssrc, seq)
		if _, err := s.browserDec.DecryptRTP(buf[:0], enc, nil); err != nil {
			t.Fatalf("browser decrypting pion's packet %d: %v", seq, err)
		}
	}
	l.sock.Store(s.sock)
	l.srtpProven.Store(true)
	for _, seq := range []uint16{1, 2} { // now the leg's own
		binary.BigEndian.PutUint16(pkt[2:], seq)
		l.hdr = rtp.Header{Version: 2, PayloadType: ptPCMU, SequenceNumber: seq, SSRC: l.out.ssrc}
		if sent, owned := l.writeSRTP(pkt); !sent || !owned {
			t.Fatalf("packet %d: sent %v owned %v", seq, sent, owned)
		}
		_ = s.recv.SetReadDeadline(time.Now().Add(time.Second))
		n, err := s.recv.Read(buf)
		if err != nil {
			t.Fatalf("packet %d did not reach the browser: %v", seq, err)
		}
		if _, err := s.browserDec.DecryptRTP(nil, buf[:n], nil); err != nil {
			t.Fatalf("the browser cannot decrypt our packet %d after pion's wrap: %v", seq, err)
		}
	}
}
