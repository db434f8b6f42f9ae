package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// rtpLeg is the RTP side of one SIP dialog: a UDP socket from the port
// range, read by the process's poller (poller.go), the far end's
// negotiated address (latching: packets from anywhere else are dropped
// and counted), and our outgoing stream.
type rtpLeg struct {
	sock   *udpSocket
	port   int
	poller *poller

	peer     atomic.Pointer[sockAddr]    // nil until the far end's SDP is known
	sink     atomic.Pointer[endpointBox] // where what the far end says goes
	dropped  atomic.Uint64               // packets from a foreign address
	lastRecv atomic.Int64                // nanoseconds of the far end's last packet
	lastSent atomic.Int64                // ... and of the last packet we sent it
	received atomic.Uint64
	sent     atomic.Uint64

	mu       sync.Mutex // out, the payload types, DTMF state
	out      rewriter
	audioPT  uint8 // 0 or 8, what the far end chose
	tePT     uint8 // the far end's telephone-event, 0 when none
	inTE     uint8 // telephone-event payload type the far end sends
	sendOK   bool  // our direction allows sending (not held, not inactive)
	dtmfBusy bool  // our own RFC 4733 events are being sent: audio waits

	sendBuf [1500]byte               // for packets we make (events)
	from    syscall.RawSockaddrInet4 // the poller's reads' source address
}

// endpointBox lets an interface live in an atomic.Pointer.
type endpointBox struct{ e endpoint }

var errNoPort = errors.New("media: no free RTP port in the configured range")

// portAlloc hands out even UDP ports from the configured range, round robin.
type portAlloc struct {
	mu       sync.Mutex
	min, max int
	next     int
}

func (p *portAlloc) listen(ip net.IP) (*udpSocket, int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	lo := p.min + p.min%2
	n := (p.max - lo + 2) / 2
	for i := 0; i < n; i++ {
		if p.next < lo || p.next > p.max {
			p.next = lo
		}
		port := p.next
		p.next += 2
		c, err := listenUDP(ip, port)
		if err == nil {
			return c, port, nil
		}
	}
	return nil, 0, errNoPort
}

func newRTPLeg(ports *portAlloc, ip net.IP) (*rtpLeg, error) {
	p, err := mediaPoller()
	if err != nil {
		return nil, err
	}
	c, port, err := ports.listen(ip)
	if err != nil {
		return nil, err
	}
	_ = c.setsockopt(syscall.SO_RCVBUF, 1<<18)
	now := time.Now().UnixNano()
	l := &rtpLeg{sock: c, port: port, poller: p, out: newRewriter(now), audioPT: ptPCMU, sendOK: true}
	l.lastRecv.Store(now)
	l.lastSent.Store(now)
	if err := p.add(c.fd, l); err != nil {
		_ = c.close()
		return nil, err
	}
	return l, nil
}

// setRemote applies the far end's SDP: address (a re-INVITE may move it;
// latching follows the negotiated address only), codec and events.
func (l *rtpLeg) setRemote(m *mediaDesc) {
	if m.Addr.IsValid() && m.Addr.Port() != 0 {
		if a, ok := newSockAddr(m.Addr); ok {
			l.peer.Store(a)
		} else {
			l.peer.Store(nil) // IPv6: the RTP socket is IPv4, so nothing is sent or latched (as before); the media timeout ends such a call
		}
	}
	l.mu.Lock()
	l.audioPT = m.Codec
	l.tePT = m.TE
	l.inTE = m.TE
	l.mu.Unlock()
}

func (l *rtpLeg) setSending(ok bool) {
	l.mu.Lock()
	l.sendOK = ok
	l.mu.Unlock()
}

func (l *rtpLeg) setSink(e endpoint) {
	if e == nil {
		l.sink.Store(nil)
		return
	}
	l.sink.Store(&endpointBox{e})
}

// readable is the poller telling that the far end's packet is waiting;
// it reads one (level-triggered: another waiting is the next batch's).
func (l *rtpLeg) readable(buf []byte) int {
	n, from, err := l.sock.recvFrom(buf, &l.from)
	if err != nil {
		return 0 // EAGAIN (an event for an fd number since reused), or closed
	}
	l.receive(buf[:n], from, time.Now().UnixNano())
	return 1
}

// receive is one packet from the network: latch, canonicalise, forward.
func (l *rtpLeg) receive(pkt []byte, from netip.AddrPort, now int64) {
	peer := l.peer.Load()
	if peer == nil || peer.ap != from && !(peer.ap.Addr() == from.Addr().Unmap() && peer.ap.Port() == from.Port()) {
		l.dropped.Add(1)
		return
	}
	if len(pkt) < 12 || pkt[0]>>6 != 2 {
		return
	}
	pt := pkt[1] & 0x7f
	if pt >= 72 && pt <= 76 { // RTCP on the RTP port (rtcp-mux): not media
		return
	}
	l.lastRecv.Store(now)
	l.received.Add(1)
	switch {
	case pt == ptPCMU || pt == ptPCMA:
	case pt == l.inTE && pt != 0:
		pkt[1] = pkt[1]&0x80 | ptTE
	default:
		return // comfort noise or codecs never negotiated
	}
	if b := l.sink.Load(); b != nil {
		b.e.forward(pkt, now)
	}
}

// forward sends a packet from the other leg to the far end.
func (l *rtpLeg) forward(pkt []byte, now int64) {
	n := stripHeader(pkt)
	if n == 0 {
		return
	}
	pkt = pkt[:n]
	peer := l.peer.Load()
	l.mu.Lock()
	if !l.sendOK || peer == nil || l.dtmfBusy {
		l.mu.Unlock()
		return
	}
	pt := pkt[1] & 0x7f
	switch pt {
	case ptPCMU, ptPCMA:
		pkt[1] = pkt[1]&0x80 | lawMap(pkt[12:], pt, l.audioPT)
	case ptTE:
		if l.tePT == 0 {
			l.mu.Unlock()
			return
		}
		pkt[1] = pkt[1]&0x80 | l.tePT
	default:
		l.mu.Unlock()
		return
	}
	l.out.rewrite(pkt, now)
	l.mu.Unlock()
	if l.sock.sendTo(pkt, peer) == nil {
		l.sent.Add(1)
		l.lastSent.Store(now)
	}
}

// sendDTMF sends digits as RFC 4733 events (RFC 4733 §2.5): each event
// 100 ms in 20 ms packets sharing one timestamp, the first marked, the
// duration growing, the end packet sent three times; 60 ms between
// digits. Audio from the browser waits meanwhile. It blocks for the
// digits' duration.
func (l *rtpLeg) sendDTMF(digits string) error {
	l.mu.Lock()
	if l.tePT == 0 {
		l.mu.Unlock()
		return fmt.Errorf("the far end did not negotiate telephone-event")
	}
	l.mu.Unlock()
	for _, d := range digits {
		ev, ok := dtmfEvent(d)
		if !ok {
			return fmt.Errorf("%q is not a DTMF digit", d)
		}
		l.mu.Lock()
		l.dtmfBusy = true
		l.mu.Unlock()
		var start uint32
		for i := 0; i < 8; i++ {
			end := i >= 5
			dur := uint16(160 * (i + 1))
			if end {
				dur = 800
			}
			l.writeEvent(ev, i == 0, end, dur, &start)
			time.Sleep(20 * time.Millisecond)
		}
		l.mu.Lock()
		l.dtmfBusy = false
		l.mu.Unlock()
		time.Sleep(60 * time.Millisecond)
	}
	return nil
}

func (l *rtpLeg) writeEvent(ev byte, first, end bool, dur uint16, start *uint32) {
	peer := l.peer.Load()
	l.mu.Lock()
	defer l.mu.Unlock()
	if peer == nil || !l.sendOK {
		return
	}
	now := time.Now().UnixNano()
	seq, ts := l.out.next(now, first)
	if first {
		*start = ts
	}
	p := l.sendBuf[:16]
	p[0] = 0x80
	p[1] = l.tePT
	if first {
		p[1] |= 0x80
	}
	binary.BigEndian.PutUint16(p[2:], seq)
	binary.BigEndian.PutUint32(p[4:], *start)
	binary.BigEndian.PutUint32(p[8:], l.out.ssrc)
	p[12] = ev
	p[13] = 10 // volume -10 dBm0
	if end {
		p[13] |= 0x80
	}
	binary.BigEndian.PutUint16(p[14:], dur)
	if l.sock.sendTo(p, peer) == nil {
		l.sent.Add(1)
		l.lastSent.Store(now)
	}
}

// dtmfEvent is the RFC 4733 event code of a digit.
func dtmfEvent(d rune) (byte, bool) {
	switch {
	case d >= '0' && d <= '9':
		return byte(d - '0'), true
	case d == '*':
		return 10, true
	case d == '#':
		return 11, true
	case d >= 'A' && d <= 'D':
		return byte(12 + d - 'A'), true
	}
	return 0, false
}

// eventDigit is the digit of an RFC 4733 event code.
func eventDigit(ev byte) (rune, bool) {
	const digits = "0123456789*#ABCD"
	if int(ev) < len(digits) {
		return rune(digits[ev]), true
	}
	return 0, false
}

func (l *rtpLeg) close() {
	l.setSink(nil)
	l.poller.remove(l.sock.fd)
	_ = l.sock.close()
}
