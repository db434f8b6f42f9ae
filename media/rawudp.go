package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"unsafe"
)

// udpSocket is a non-blocking IPv4 UDP socket that the Go runtime's
// netpoller does not know (a socket it knew would wake it for every
// packet as well as the poller): the poller waits on it, and reads and
// sends are one system call each. Reads and sends never block, so they
// go through RawSyscall: the runtime need not hand the P off for them.
type udpSocket struct {
	mu sync.RWMutex // a send or read holds it for reading; close for writing, so a closed fd's number, reused, is never written to
	fd int          // -1 once closed
}

var errSocketClosed = errors.New("media: socket closed")

// listenUDP binds a socket to ip:port (ip nil or unspecified: every
// address).
func listenUDP(ip net.IP, port int) (*udpSocket, error) {
	sa := &syscall.SockaddrInet4{Port: port}
	if ip4 := ip.To4(); ip4 != nil {
		copy(sa.Addr[:], ip4)
	} else if ip != nil && !ip.IsUnspecified() {
		return nil, fmt.Errorf("RTP address %s: not IPv4", ip)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, syscall.IPPROTO_UDP)
	if err != nil {
		return nil, fmt.Errorf("UDP socket: %w", err)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("bind %s:%d: %w", ip, port, err)
	}
	return &udpSocket{fd: fd}, nil
}

// setsockopt sets a SOL_SOCKET option (SO_RCVBUF, SO_SNDBUF: the kernel
// doubles them and caps them at net.core.rmem_max/wmem_max).
func (s *udpSocket) setsockopt(opt, n int) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fd < 0 {
		return errSocketClosed
	}
	return syscall.SetsockoptInt(s.fd, syscall.SOL_SOCKET, opt, n)
}

// sockAddr is a destination in both forms: netip for comparing, the
// kernel's for sendto (built once, when the far end's SDP is read).
type sockAddr struct {
	ap netip.AddrPort
	sa syscall.RawSockaddrInet4
}

// newSockAddr is a's sendto form; false when a is not IPv4 (the socket
// is IPv4 only).
func newSockAddr(a netip.AddrPort) (*sockAddr, bool) {
	s := &sockAddr{ap: netip.AddrPortFrom(a.Addr().Unmap(), a.Port())}
	return s, rawSockaddr(a, &s.sa)
}

func rawSockaddr(a netip.AddrPort, sa *syscall.RawSockaddrInet4) bool {
	ip := a.Addr().Unmap()
	if !ip.Is4() {
		return false
	}
	sa.Family = syscall.AF_INET
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], a.Port())
	sa.Addr = ip.As4()
	return true
}

// sendTo sends one datagram. A full send buffer drops it (EAGAIN), as the
// network would.
func (s *udpSocket) sendTo(p []byte, to *sockAddr) error {
	return s.send(p, &to.sa)
}

// sendToAddrPort is sendTo for an address not prepared beforehand.
func (s *udpSocket) sendToAddrPort(p []byte, to netip.AddrPort) error {
	var sa syscall.RawSockaddrInet4
	if !rawSockaddr(to, &sa) {
		return syscall.EAFNOSUPPORT
	}
	return s.send(p, &sa)
}

func (s *udpSocket) send(p []byte, sa *syscall.RawSockaddrInet4) error {
	if len(p) == 0 {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fd < 0 {
		return errSocketClosed
	}
	_, _, errno := syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(s.fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)),
		0, uintptr(unsafe.Pointer(sa)), unsafe.Sizeof(*sa))
	if errno != 0 {
		return errno
	}
	return nil
}

// recvFrom reads one datagram; EAGAIN when there is none.
func (s *udpSocket) recvFrom(buf []byte, from *syscall.RawSockaddrInet4) (int, netip.AddrPort, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fd < 0 {
		return 0, netip.AddrPort{}, errSocketClosed
	}
	fromLen := uint32(unsafe.Sizeof(*from))
	n, _, errno := syscall.RawSyscall6(syscall.SYS_RECVFROM, uintptr(s.fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)),
		0, uintptr(unsafe.Pointer(from)), uintptr(unsafe.Pointer(&fromLen)))
	if errno != 0 {
		return 0, netip.AddrPort{}, errno
	}
	return int(n), addrPortOf(from), nil
}

// addrPortOf is a source address the kernel wrote; invalid if not IPv4.
func addrPortOf(a *syscall.RawSockaddrInet4) netip.AddrPort {
	if a.Family != syscall.AF_INET {
		return netip.AddrPort{}
	}
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&a.Port))[:])
	return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), port)
}

// recvBatch is room for recvmmsg: up to len(hdrs) datagrams, each into
// its own 1500-byte slot, with its source address.
type recvBatch struct {
	hdrs  []mmsghdr
	iovs  []syscall.Iovec
	names []syscall.RawSockaddrInet4
	bufs  []byte
}

// mmsghdr is the kernel's struct mmsghdr.
type mmsghdr struct {
	hdr syscall.Msghdr
	len uint32
}

func newRecvBatch(n int) *recvBatch {
	b := &recvBatch{hdrs: make([]mmsghdr, n), iovs: make([]syscall.Iovec, n),
		names: make([]syscall.RawSockaddrInet4, n), bufs: make([]byte, n*1500)}
	for i := range b.hdrs {
		b.iovs[i].Base = &b.bufs[i*1500]
		b.iovs[i].SetLen(1500)
		b.hdrs[i].hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
		b.hdrs[i].hdr.Iov = &b.iovs[i]
		b.hdrs[i].hdr.Iovlen = 1
	}
	return b
}

// packet is the i-th datagram of the last recvMany.
func (b *recvBatch) packet(i int) ([]byte, netip.AddrPort) {
	return b.bufs[i*1500 : i*1500+int(b.hdrs[i].len)], addrPortOf(&b.names[i])
}

// recvMany reads every datagram waiting, up to the batch's size, with one
// recvmmsg; EAGAIN when there is none.
func (s *udpSocket) recvMany(b *recvBatch) (int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fd < 0 {
		return 0, errSocketClosed
	}
	for i := range b.hdrs {
		b.hdrs[i].hdr.Namelen = uint32(unsafe.Sizeof(b.names[i]))
	}
	n, _, errno := syscall.RawSyscall6(syscall.SYS_RECVMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(len(b.hdrs)),
		syscall.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// close closes the fd once no send or read is using it.
func (s *udpSocket) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fd < 0 {
		return errSocketClosed
	}
	err := syscall.Close(s.fd)
	s.fd = -1
	return err
}
