package media

import (
	"bytes"
	"net"
	"testing"
	"time"
)

// The shared ICE socket's batched reads hand out every datagram once, in
// order, with its source; an oversized one is dropped, not cut.
func TestBatchConn_ReadsEveryDatagramWithItsSource(t *testing.T) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	bc, err := newBatchConn(c)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := net.DialUDP("udp4", nil, c.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	const n = readBatch + 5 // more than one batch
	for i := range n {
		if i == 3 {
			tx.Write(make([]byte, readSlot+1))
		}
		tx.Write(bytes.Repeat([]byte{byte(i)}, 10+i))
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1500)
	for i := range n {
		m, from, err := bc.ReadFromAddrPort(buf)
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if want := bytes.Repeat([]byte{byte(i)}, 10+i); !bytes.Equal(buf[:m], want) {
			t.Fatalf("datagram %d: %d bytes %x, want %d bytes of %x", i, m, buf[:min(m, 4)], len(want), byte(i))
		}
		if from != tx.LocalAddr().(*net.UDPAddr).AddrPort() {
			t.Fatalf("datagram %d from %s, sent from %s", i, from, tx.LocalAddr())
		}
	}
	// A read with nothing waiting blocks until its deadline.
	_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, _, err := bc.ReadFromAddrPort(buf); err == nil {
		t.Fatal("a read with nothing sent returned no error")
	}
	_ = c.SetReadDeadline(time.Time{})
	// Steady state allocates nothing per datagram.
	allocs := testing.AllocsPerRun(200, func() {
		tx.Write(buf[:100])
		if _, _, err := bc.ReadFromAddrPort(buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per datagram", allocs)
	}
}
