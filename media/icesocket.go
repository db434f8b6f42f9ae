package media

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// batchConn is the shared ICE socket as pion's UDP mux reads it: one
// recvmmsg(2) takes every packet waiting (up to readBatch) and the
// mux's reads are served from that batch, so that with hundreds of
// browsers the packets that queued while the reader worked cost one
// system call between them instead of one each. Writes go straight to
// the socket. One goroutine reads (the mux's); nothing is allocated per
// packet.
type batchConn struct {
	*net.UDPConn
	rc syscall.RawConn

	msgs  [readBatch]unix.Mmsghdr
	iovs  [readBatch]unix.Iovec
	names [readBatch]unix.RawSockaddrInet6 // large enough for an IPv4 or IPv6 source
	bufs  [readBatch][readSlot]byte
	n     int   // packets in the batch
	next  int   // the next one to hand out
	err   error // of the last recvmmsg
	fill  func(fd uintptr) bool
}

const (
	readBatch = 32
	// readSlot bounds one datagram: RTP/RTCP and STUN are far smaller,
	// DTLS flights are fragmented to the path MTU. A longer one is
	// dropped (MSG_TRUNC), as a full buffer in pion's reader would be.
	readSlot = 2048
)

func newBatchConn(c *net.UDPConn) (*batchConn, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	b := &batchConn{UDPConn: c, rc: rc}
	for i := range b.msgs {
		b.iovs[i].Base = &b.bufs[i][0]
		b.iovs[i].SetLen(readSlot)
		b.msgs[i].Hdr.Iov = &b.iovs[i]
		b.msgs[i].Hdr.SetIovlen(1)
		b.msgs[i].Hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
	}
	b.fill = b.recvmmsg
	return b, nil
}

// recvmmsg is the RawConn.Read callback: false asks the runtime to wait
// until the socket is readable.
func (b *batchConn) recvmmsg(fd uintptr) bool {
	for i := range b.msgs {
		b.msgs[i].Hdr.Namelen = unix.SizeofSockaddrInet6
		b.msgs[i].Hdr.Flags = 0
	}
	n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.msgs[0])), readBatch, unix.MSG_DONTWAIT, 0, 0)
	switch {
	case errno == unix.EAGAIN:
		return false
	case errno == unix.EINTR:
		return false
	case errno != 0:
		b.n, b.err = 0, errno
	default:
		b.n, b.err = int(n), nil
	}
	return true
}

// ReadFromAddrPort is how pion's mux reads (ice.AddrPortReaderWriter).
func (b *batchConn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	for {
		for b.next < b.n {
			i := b.next
			b.next++
			m := &b.msgs[i]
			if m.Hdr.Flags&unix.MSG_TRUNC != 0 || int(m.Len) > len(p) {
				continue
			}
			from, ok := sockaddrAddrPort(&b.names[i])
			if !ok {
				continue
			}
			return copy(p, b.bufs[i][:m.Len]), from, nil
		}
		b.n, b.next = 0, 0
		if err := b.rc.Read(b.fill); err != nil {
			return 0, netip.AddrPort{}, err
		}
		if b.err != nil {
			return 0, netip.AddrPort{}, &net.OpError{Op: "recvmmsg", Net: "udp", Addr: b.LocalAddr(), Err: b.err}
		}
	}
}

func (b *batchConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	return b.WriteToUDPAddrPort(p, addr)
}

// ReadFrom keeps net.PacketConn's meaning for any other reader.
func (b *batchConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, from, err := b.ReadFromAddrPort(p)
	if err != nil {
		return 0, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

// sockaddrAddrPort reads the source address recvmmsg wrote.
func sockaddrAddrPort(sa *unix.RawSockaddrInet6) (netip.AddrPort, bool) {
	switch sa.Family {
	case unix.AF_INET:
		v4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(v4.Addr), netPort(&v4.Port)), true
	case unix.AF_INET6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), netPort(&sa.Port)), true
	}
	return netip.AddrPort{}, false
}

// netPort reads a port stored in network byte order.
func netPort(p *uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(p))
	return uint16(b[0])<<8 | uint16(b[1])
}

var errNoICEAddress = errors.New("no local IPv4 address for ICE")
