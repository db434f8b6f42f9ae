package media

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"
)

// nullSink counts what the bridge hands it.
type nullSink struct{ n int }

func (s *nullSink) forward(pkt []byte, now int64) { s.n++ }

// BenchmarkForward is the SIP leg's per-packet path, both halves: a
// packet from the far end is latched, its payload type canonicalised and
// rewritten into the browser's stream (sink); a packet from the browser
// is stripped, law-mapped, rewritten and sent over a real UDP socket.
func BenchmarkForward(b *testing.B) {
	ports := &portAlloc{min: 41000, max: 41999}
	leg, err := newRTPLeg(ports, net.IPv4(127, 0, 0, 1))
	if err != nil {
		b.Fatal(err)
	}
	defer leg.close()
	sinkConn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer sinkConn.Close()
	go func() { // drain
		buf := make([]byte, 1500)
		for {
			if _, _, err := sinkConn.ReadFromUDP(buf); err != nil {
				return
			}
		}
	}()
	peer := netip.MustParseAddrPort(sinkConn.LocalAddr().String())
	leg.setRemote(&mediaDesc{Addr: peer, Codecs: []uint8{ptPCMA}, Codec: ptPCMA, TE: 96})
	rewriter := &agentSide{out: newRewriter(0)}
	leg.setSink(rewriter)

	in := make([]byte, 12+160)
	in[0], in[1] = 0x80, ptPCMU
	binary.BigEndian.PutUint32(in[8:], 0x1234)
	pkt := make([]byte, len(in))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now := time.Now().UnixNano()
		binary.BigEndian.PutUint16(in[2:], uint16(i))
		binary.BigEndian.PutUint32(in[4:], uint32(i*160))
		copy(pkt, in)
		leg.receive(pkt, peer, now) // far end → browser stream
		copy(pkt, in)
		leg.forward(pkt, now) // browser → far end, sent
	}
	b.StopTimer()
	if rewriter.n != b.N || leg.sent.Load() != uint64(b.N) {
		b.Fatalf("forwarded %d to the browser side and sent %d of %d", rewriter.n, leg.sent.Load(), b.N)
	}
}

// agentSide is the browser leg's forward without pion's SRTP write: the
// header rewrite into our stream.
type agentSide struct {
	out rewriter
	n   int
}

func (a *agentSide) forward(pkt []byte, now int64) {
	if n := stripHeader(pkt); n > 0 && a.out.rewrite(pkt[:n], now) {
		a.n++
	}
}

func TestRewriterContinuity(t *testing.T) {
	r := newRewriter(0)
	mk := func(ssrc uint32, seq uint16, ts uint32) []byte {
		p := make([]byte, 12)
		p[0] = 0x80
		binary.BigEndian.PutUint16(p[2:], seq)
		binary.BigEndian.PutUint32(p[4:], ts)
		binary.BigEndian.PutUint32(p[8:], ssrc)
		return p
	}
	var lastSeq uint16
	var lastTS uint32
	now := int64(0)
	for i, src := range []struct {
		ssrc uint32
		seq  uint16
		ts   uint32
	}{{1, 100, 1000}, {1, 101, 1160}, {2, 9000, 555}, {2, 9001, 715}, {1, 102, 1320}} {
		now += 20e6
		p := mk(src.ssrc, src.seq, src.ts)
		r.rewrite(p, now)
		seq, ts, ssrc := binary.BigEndian.Uint16(p[2:]), binary.BigEndian.Uint32(p[4:]), binary.BigEndian.Uint32(p[8:])
		if ssrc != r.ssrc {
			t.Fatalf("packet %d: SSRC %x, want ours %x", i, ssrc, r.ssrc)
		}
		if i > 0 && (seq != lastSeq+1 || ts-lastTS != 160) {
			t.Fatalf("packet %d: seq %d ts %d after %d %d: not continuous", i, seq, ts, lastSeq, lastTS)
		}
		lastSeq, lastTS = seq, ts
	}
}

// BenchmarkForwardBaseline is the floor under BenchmarkForward: the one
// UDP send per iteration alone, same packet, same sockets' kind.
func BenchmarkForwardBaseline(b *testing.B) {
	src, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer dst.Close()
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := dst.ReadFromUDP(buf); err != nil {
				return
			}
		}
	}()
	peer := netip.MustParseAddrPort(dst.LocalAddr().String())
	pkt := make([]byte, 12+160)
	pkt[0] = 0x80
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _ = src.WriteToUDPAddrPort(pkt, peer)
	}
}
