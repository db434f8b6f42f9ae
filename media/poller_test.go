package media

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// The poller sleeps in a raw system call, which the runtime cannot see:
// a garbage collection must still stop it promptly, by interrupting the
// wait with its signal, after which the loop must reach a real
// preemption point. With Gosched alone (nosplit) the goroutine slips
// back into the system call before a stack scan can claim it: 20
// collections took 3-4 s and 150 000-220 000 signals instead of 0.1 s
// and ~120 (in a plain build; under -race the slip is rare, so this
// test catches it in `go test` without -race).
func TestPoller_GarbageCollectionDoesNotWaitForPackets(t *testing.T) {
	leg, err := newRTPLeg(&portAlloc{min: 43000, max: 43998}, net.IPv4(127, 0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer leg.close()
	time.Sleep(50 * time.Millisecond) // the poller is asleep in epoll_wait: no packets come
	const gcs = 20
	signals := pollerEINTR.Load()
	start := time.Now()
	for i := 0; i < gcs; i++ {
		runtime.GC()
	}
	took, signals := time.Since(start), pollerEINTR.Load()-signals
	t.Logf("%d collections in %v, %d interrupted waits", gcs, took, signals)
	if signals > gcs*25 || took > 10*time.Second {
		t.Fatalf("%d collections took %v and interrupted the poller's wait %d times: it does not stop when asked", gcs, took, signals)
	}
}

// A closed socket is never written to, even once its fd number belongs
// to a new socket (a leg's forward can race with its close).
func TestUDPSocket_ClosedNeverSends(t *testing.T) {
	recv, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	to, _ := newSockAddr(netip.MustParseAddrPort(recv.LocalAddr().String()))
	old, err := listenUDP(net.IPv4(127, 0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	fd := old.fd
	if err := old.sendTo([]byte("before"), to); err != nil {
		t.Fatal(err)
	}
	if err := old.close(); err != nil {
		t.Fatal(err)
	}
	reused, err := listenUDP(net.IPv4(127, 0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer reused.close()
	if reused.fd != fd {
		t.Logf("fd %d not reused (got %d): the check still applies", fd, reused.fd)
	}
	if err := old.sendTo([]byte("after"), to); !errors.Is(err, errSocketClosed) {
		t.Fatalf("send on a closed socket: %v, want errSocketClosed", err)
	}
	buf := make([]byte, 100)
	_ = recv.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	n, _, _ := recv.ReadFromUDP(buf)
	if string(buf[:n]) != "before" {
		t.Fatalf("first datagram %q", buf[:n])
	}
	if n, _, err := recv.ReadFromUDP(buf); err == nil {
		t.Fatalf("a closed socket sent %q", buf[:n])
	}
}

// What the gateway does not take from an ICE socket reaches pion's
// reader in order with its source; when pion's reader is behind, the
// queue's excess is dropped and counted, never blocking the poller.
// Read deadlines and Close behave as on a net.UDPConn.
func TestICESocket_QueuesForPion(t *testing.T) {
	s, err := newICESocket(net.IPv4(127, 0, 0, 1), 0, &srtpRoutes{})
	if err != nil {
		t.Fatal(err)
	}
	browser, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer browser.Close()
	to := s.LocalAddr().(*net.UDPAddr)
	if to.Port == 0 {
		t.Fatal("no local port")
	}
	const sent = iceQueue + 100
	pkt := make([]byte, 20) // a STUN-sized packet that is not RTP
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; i < sent; i++ {
		binary.BigEndian.PutUint32(pkt[4:], uint32(i))
		if _, err := browser.WriteToUDP(pkt, to); err != nil {
			t.Fatal(err)
		}
		// in bursts the socket's own buffer holds, so that only the queue drops
		for i%50 == 49 && len(s.toPion)+int(s.pionDrops.Load()) <= i && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	for len(s.toPion)+int(s.pionDrops.Load()) < sent && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(s.toPion) != iceQueue || s.pionDrops.Load() != sent-iceQueue {
		t.Fatalf("queued %d, dropped %d of %d; want %d and %d", len(s.toPion), s.pionDrops.Load(), sent, iceQueue, sent-iceQueue)
	}
	buf := make([]byte, 1500)
	for i := 0; i < iceQueue; i++ {
		n, from, err := s.ReadFromAddrPort(buf)
		if err != nil || n != len(pkt) || binary.BigEndian.Uint32(buf[4:]) != uint32(i) {
			t.Fatalf("read %d: %d bytes, packet %d, %v", i, n, binary.BigEndian.Uint32(buf[4:]), err)
		}
		if from.String() != browser.LocalAddr().String() {
			t.Fatalf("from %v, want %v", from, browser.LocalAddr())
		}
	}

	_ = s.SetReadDeadline(time.Now().Add(-time.Second))
	var ne net.Error
	if _, _, err := s.ReadFrom(buf); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the deadline: %v, want a timeout", err)
	}
	_ = s.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() { _, _, err := s.ReadFrom(buf); done <- err }()
	time.Sleep(20 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read after close: %v, want net.ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not wake the reader")
	}
	if _, err := s.WriteToAddrPort(pkt, netip.MustParseAddrPort(browser.LocalAddr().String())); err == nil {
		t.Fatal("a closed ICE socket sent")
	}
}

// The poller's per-packet work allocates nothing: a far end's packet on
// a SIP leg's socket, and a browser's SRTP packet on an ICE socket
// (read, decrypted, handed over). The sockets here are not on the
// poller, so the test calls what the poller calls.
func TestPollerReads_NoAllocations(t *testing.T) {
	far, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer far.Close()
	sock, err := listenUDP(net.IPv4(127, 0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sock.close()
	sa, _ := syscall.Getsockname(sock.fd)
	legAddr := netip.AddrPortFrom(netip.AddrFrom4(sa.(*syscall.SockaddrInet4).Addr), uint16(sa.(*syscall.SockaddrInet4).Port))
	leg := &rtpLeg{sock: sock, out: newRewriter(0), audioPT: ptPCMU, sendOK: true}
	peer, _ := newSockAddr(netip.MustParseAddrPort(far.LocalAddr().String()))
	leg.peer.Store(peer)
	sink := &nullSink{}
	leg.setSink(sink)
	pkt := make([]byte, 12+160)
	pkt[0], pkt[1] = 0x80, ptPCMU
	buf := make([]byte, 1500)
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := far.WriteToUDPAddrPort(pkt, legAddr); err != nil {
			t.Fatal(err)
		}
		leg.readable(buf)
	})
	if allocs != 0 || sink.n < 200 {
		t.Fatalf("SIP leg: %.1f allocations per packet (want 0), %d handed over", allocs, sink.n)
	}

	s := newSRTPBench(t)
	iceSock, err := listenUDP(net.IPv4(127, 0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer iceSock.close()
	sa, _ = syscall.Getsockname(iceSock.fd)
	iceAddr := net.UDPAddr{IP: net.IP(sa.(*syscall.SockaddrInet4).Addr[:]), Port: sa.(*syscall.SockaddrInet4).Port}
	routes := &srtpRoutes{}
	routes.set(netip.AddrPort{}, netip.MustParseAddrPort(s.recv.LocalAddr().String()), s.leg)
	ice := &iceSocket{sock: iceSock, routes: routes, batch: newRecvBatch(iceBatch), toPion: make(chan *icePacket, 1)}
	pkts := make([][]byte, 300)
	for i := range pkts {
		pkts[i] = s.browserPacket(t, make([]byte, 0, 1500))
	}
	i := 0
	allocs = testing.AllocsPerRun(200, func() {
		if _, err := s.recv.WriteToUDP(pkts[i], &iceAddr); err != nil {
			t.Fatal(err)
		}
		i++
		ice.readable(buf)
	})
	if allocs != 0 || s.sink.n < 200 || len(ice.toPion) != 0 {
		t.Fatalf("ICE socket: %.1f allocations per packet (want 0), %d handed over, %d left to pion", allocs, s.sink.n, len(ice.toPion))
	}
}

// One readiness of an ICE socket takes every packet waiting there (up to
// iceBatch) in one system call, in order: after a pause of the poller
// all browsers' packets have queued on this one socket, and reading one
// per pass over the ready sockets made the browser-to-trunk tail the
// longer one.
func TestICESocket_ReadsEveryWaitingPacketAtOnce(t *testing.T) {
	s := newSRTPBench(t)
	sock, err := listenUDP(net.IPv4(127, 0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sock.close()
	sa, _ := syscall.Getsockname(sock.fd)
	to := &net.UDPAddr{IP: net.IP(sa.(*syscall.SockaddrInet4).Addr[:]), Port: sa.(*syscall.SockaddrInet4).Port}
	routes := &srtpRoutes{}
	routes.set(netip.AddrPort{}, netip.MustParseAddrPort(s.recv.LocalAddr().String()), s.leg)
	ice := &iceSocket{sock: sock, routes: routes, batch: newRecvBatch(iceBatch), toPion: make(chan *icePacket, iceQueue)}
	stun := make([]byte, 20) // not RTP: pion's
	for i := 0; i < 10; i++ {
		if _, err := s.recv.WriteToUDP(s.browserPacket(t, make([]byte, 0, 1500)), to); err != nil {
			t.Fatal(err)
		}
		if i%5 == 4 {
			stun[4] = byte(i)
			if _, err := s.recv.WriteToUDP(stun, to); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := ice.readable(nil); n != 12 || s.sink.n != 10 || len(ice.toPion) != 2 {
		t.Fatalf("one read took %d packets, %d media and %d for pion; want all 12: 10 and 2", n, s.sink.n, len(ice.toPion))
	}
	for _, want := range []byte{4, 9} {
		if p := <-ice.toPion; p.n != len(stun) || p.buf[4] != want {
			t.Fatalf("pion's packet %d: %d bytes, marker %d", want, p.n, p.buf[4])
		}
	}
	if n := ice.readable(nil); n != 0 || s.sink.n != 10 { // nothing left: EAGAIN, nothing happens
		t.Fatalf("a read of an empty socket read %d and handed over %d", n, s.sink.n-10)
	}
}
