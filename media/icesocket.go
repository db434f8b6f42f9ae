package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/deadline"
	"github.com/pion/transport/v5/stdnet"
)

// iceSocket is one ICE UDP socket, read by the process's poller
// (poller.go) and given to pion's UDP mux as its connection. The RTP of
// a browser whose leg owns its SRTP is decrypted and forwarded in the
// poller and never reaches pion; everything else (STUN, DTLS, RTCP, RTP
// of legs still on pion's path) is queued for the mux's reader, which
// reads it through ReadFromAddrPort as it would read the socket.
type iceSocket struct {
	sock   *udpSocket
	local  *net.UDPAddr
	routes *srtpRoutes
	poller *poller
	batch  *recvBatch // the poller's reads: every browser's packets queue on this one socket

	toPion    chan *icePacket
	pionDrops atomic.Uint64 // queue full: pion's reader is behind (the socket's own buffer would have dropped them too)
	readBy    *deadline.Deadline
	closed    chan struct{}
	closeOnce sync.Once
}

// icePacket is a packet on its way to pion's reader.
type icePacket struct {
	n    int
	from netip.AddrPort
	buf  [1500]byte
}

var icePackets = sync.Pool{New: func() any { return new(icePacket) }}

// iceBatch is how many packets one read of an ICE socket takes. All
// browsers send to the one socket, so after any pause of the poller
// (another process on its CPU) packets are queued there; read one per
// wait, they left it one per pass over every ready socket, and the
// browser-to-trunk direction's tail was a third to twice the other's.
const iceBatch = 32

// iceQueue is how many packets may wait for pion's reader: a browser's
// ICE, DTLS and RTCP are a few packets a second, a DTLS handshake a
// burst of a few.
const iceQueue = 512

// newICESocket binds ip:port (port 0: any) and starts reading it.
func newICESocket(ip net.IP, port int, routes *srtpRoutes) (*iceSocket, error) {
	p, err := mediaPoller()
	if err != nil {
		return nil, err
	}
	c, err := listenUDP(ip, port)
	if err != nil {
		return nil, err
	}
	sa, err := syscall.Getsockname(c.fd)
	if err != nil {
		_ = c.close()
		return nil, fmt.Errorf("ICE socket: getsockname: %w", err)
	}
	a4, _ := sa.(*syscall.SockaddrInet4)
	if a4 == nil {
		_ = c.close()
		return nil, errors.New("ICE socket: not IPv4")
	}
	s := &iceSocket{sock: c, local: &net.UDPAddr{IP: net.IP(a4.Addr[:]).To16(), Port: a4.Port}, routes: routes, poller: p,
		batch: newRecvBatch(iceBatch), toPion: make(chan *icePacket, iceQueue), readBy: deadline.New(), closed: make(chan struct{})}
	if err := p.add(c.fd, s); err != nil {
		_ = c.close()
		return nil, err
	}
	return s, nil
}

// readable is the poller telling that packets are waiting: all of them
// (up to iceBatch) are read with one system call and handled in order.
func (s *iceSocket) readable([]byte) int {
	n, err := s.sock.recvMany(s.batch)
	if err != nil {
		return 0
	}
	for i := 0; i < n; i++ {
		s.handle(s.batch.packet(i))
	}
	return n
}

// handle is one packet from the socket: a routed browser's media is the
// gateway's, anything else pion's.
func (s *iceSocket) handle(b []byte, from netip.AddrPort) {
	// RTP, not STUN, DTLS or RTCP (RFC 7983 §7; RFC 5761 §4: RTCP types 192-223)
	if len(b) >= 12 && b[0]&0xc0 == 0x80 && (b[1] < 192 || b[1] > 223) {
		if l := s.routes.lookup(from); l != nil && l.takeSRTP(b, s) {
			return
		}
	}
	p := icePackets.Get().(*icePacket)
	p.n, p.from = copy(p.buf[:], b), from
	select {
	case s.toPion <- p:
	default:
		s.pionDrops.Add(1)
		icePackets.Put(p)
	}
}

// ReadFromAddrPort is what pion's mux reads with (ice.AddrPortReaderWriter).
func (s *iceSocket) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	select {
	case p := <-s.toPion:
		n, from := copy(b, p.buf[:p.n]), p.from
		icePackets.Put(p)
		return n, from, nil
	case <-s.closed:
		return 0, netip.AddrPort{}, s.opError("read", net.ErrClosed)
	case <-s.readBy.Done():
		return 0, netip.AddrPort{}, s.opError("read", os.ErrDeadlineExceeded)
	}
}

// WriteToAddrPort sends one datagram (ice.AddrPortReaderWriter).
func (s *iceSocket) WriteToAddrPort(b []byte, a netip.AddrPort) (int, error) {
	if err := s.sock.sendToAddrPort(b, a); err != nil {
		return 0, s.opError("write", err)
	}
	return len(b), nil
}

func (s *iceSocket) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "udp4", Source: s.local, Err: err}
}

// The rest of transport.UDPConn, in terms of the two above.

func (s *iceSocket) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := s.ReadFromUDP(b)
	if err != nil {
		return n, nil, err
	}
	return n, from, nil
}

func (s *iceSocket) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) {
	n, from, err := s.ReadFromAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

func (s *iceSocket) Read(b []byte) (int, error) {
	n, _, err := s.ReadFromAddrPort(b)
	return n, err
}

// ReadMsgUDP reads a datagram; no control messages are asked of the
// kernel, so oob stays empty.
func (s *iceSocket) ReadMsgUDP(b, oob []byte) (n, oobn, flags int, addr *net.UDPAddr, err error) {
	n, addr, err = s.ReadFromUDP(b)
	return n, 0, 0, addr, err
}

func (s *iceSocket) WriteTo(b []byte, addr net.Addr) (int, error) {
	a, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, s.opError("write", fmt.Errorf("address %v is not UDP", addr))
	}
	return s.WriteToUDP(b, a)
}

func (s *iceSocket) WriteToUDP(b []byte, addr *net.UDPAddr) (int, error) {
	if addr == nil {
		return 0, s.opError("write", syscall.EDESTADDRREQ)
	}
	return s.WriteToAddrPort(b, addr.AddrPort())
}

// WriteMsgUDP sends b; control messages are not supported.
func (s *iceSocket) WriteMsgUDP(b, oob []byte, addr *net.UDPAddr) (n, oobn int, err error) {
	if len(oob) > 0 {
		return 0, 0, s.opError("write", errors.New("control messages are not supported"))
	}
	n, err = s.WriteToUDP(b, addr)
	return n, 0, err
}

// Write needs a connected socket; an ICE socket is not.
func (s *iceSocket) Write(b []byte) (int, error) {
	return 0, s.opError("write", syscall.EDESTADDRREQ)
}

func (s *iceSocket) LocalAddr() net.Addr  { return s.local }
func (s *iceSocket) RemoteAddr() net.Addr { return nil }

func (s *iceSocket) SetDeadline(t time.Time) error {
	s.readBy.Set(t)
	return nil
}

func (s *iceSocket) SetReadDeadline(t time.Time) error {
	s.readBy.Set(t)
	return nil
}

// SetWriteDeadline has nothing to cut short: a send never waits (the
// socket is non-blocking; a full send buffer drops the datagram).
func (s *iceSocket) SetWriteDeadline(time.Time) error { return nil }

func (s *iceSocket) SetReadBuffer(n int) error  { return s.sock.setsockopt(syscall.SO_RCVBUF, n) }
func (s *iceSocket) SetWriteBuffer(n int) error { return s.sock.setsockopt(syscall.SO_SNDBUF, n) }

// Close stops the poller's reads, wakes pion's reader and closes the fd.
func (s *iceSocket) Close() error {
	err := net.ErrClosed
	s.closeOnce.Do(func() {
		s.poller.remove(s.sock.fd)
		close(s.closed)
		err = s.sock.close()
	})
	return err
}

// iceNet is the network pion's multi-address UDP mux listens through:
// the standard one, with each socket an iceSocket.
type iceNet struct {
	*stdnet.Net
	routes *srtpRoutes
}

func (n *iceNet) ListenUDP(network string, addr *net.UDPAddr) (transport.UDPConn, error) {
	if network != "udp" && network != "udp4" {
		return nil, fmt.Errorf("ICE socket: network %q: only IPv4 UDP is served", network)
	}
	var ip net.IP
	port := 0
	if addr != nil {
		ip, port = addr.IP, addr.Port
	}
	return newICESocket(ip, port, n.routes)
}
