package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
)

// Kernel receive timestamps (SO_TIMESTAMPNS): the time a packet reached
// the receiving socket, before this process's own scheduling and (for
// the softphones) before its pion stack's read loops and SRTP decrypt.
// Latency "at the socket" is that time minus the sender's stamp, so it
// holds what the path (loopback, and the gateway in between) adds, not
// what the measuring process adds on top.

// timestampSocket asks the kernel to stamp every packet conn receives.
func timestampSocket(conn *net.UDPConn) error {
	rc, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("SO_TIMESTAMPNS: %w", serr)
	}
	return nil
}

// kernelTime is the SCM_TIMESTAMPNS of a control message buffer in
// nanoseconds since the epoch (CLOCK_REALTIME, the clock of
// time.Now().UnixNano()), or 0 when there is none.
func kernelTime(oob []byte) int64 {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(m.Data))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:]))
			return sec*1e9 + nsec
		}
	}
	return 0
}

// arrivals remembers the kernel time of the last SRTP packets a
// softphone's socket received, by sequence number (the RTP header of an
// SRTP packet is in the clear), for the reader to find once pion has
// decrypted the packet.
type arrivals struct {
	mu  sync.Mutex
	seq [1024]uint16
	at  [1024]int64
}

func (a *arrivals) note(pkt []byte, at int64) {
	// RTP, not RTCP (payload types 64-95 with the marker: 192-223) nor
	// STUN or DTLS (first byte outside 128-191).
	if len(pkt) < 12 || pkt[0]>>6 != 2 || pkt[1] >= 192 && pkt[1] <= 223 {
		return
	}
	s := binary.BigEndian.Uint16(pkt[2:])
	a.mu.Lock()
	a.seq[s%1024], a.at[s%1024] = s, at
	a.mu.Unlock()
}

// lookup is the kernel time of packet seq, 0 when not remembered.
func (a *arrivals) lookup(seq uint16) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.seq[seq%1024] != seq {
		return 0
	}
	return a.at[seq%1024]
}

// stampConn is a softphone's ICE socket (for pion's UDP mux) that notes
// when each SRTP packet reached it.
type stampConn struct {
	*net.UDPConn
	arr *arrivals
	oob [128]byte
}

func listenStamped(arr *arrivals) (*stampConn, error) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	if err := timestampSocket(c); err != nil {
		c.Close()
		return nil, err
	}
	_ = c.SetReadBuffer(1 << 18)
	return &stampConn{UDPConn: c, arr: arr}, nil
}

// ReadFromAddrPort is what pion's UDP mux reads with (ice.AddrPortReaderWriter);
// one goroutine reads, so oob needs no lock.
func (c *stampConn) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, oobn, _, from, err := c.ReadMsgUDPAddrPort(b, c.oob[:])
	if err == nil {
		if t := kernelTime(c.oob[:oobn]); t != 0 {
			c.arr.note(b[:n], t)
		}
	}
	return n, from, err
}

func (c *stampConn) WriteToAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	return c.WriteToUDPAddrPort(b, addr)
}

func (c *stampConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := c.ReadFromAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}
