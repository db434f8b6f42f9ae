package media

import (
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The coalescer, fed a simulated poller: packets arrive evenly at a rate;
// a wait returns at once with what arrived meanwhile, or blocks until
// the next packet; handling takes 20 µs a packet. It pauses only while a
// pause gathers at least coalesceMin packets, starts within a window of
// the load coming, stops within a window of it going, and counts the
// pause from the batch's start: at 20 000 packets/s a 200 µs pause
// gathers 4 (counted from the batch's end, 6.7: pause and handling).
func TestCoalescer_PausesOnlyWhileAPauseGathersSeveral(t *testing.T) {
	const pause = 200 * time.Microsecond
	var c coalescer
	now := time.Duration(0)
	arrived := 0.0 // packets arrived up to now (fractional: the rate's share)
	handled := 0
	// run simulates d at rate packets/s; it returns the wake-ups, the
	// packets and the pauses, and the packets handled per wake-up over
	// its last half.
	run := func(rate float64, d, pause time.Duration) (wakes, pkts, pauses int, lateRatio float64) {
		end := now + d
		lateWakes, latePkts := 0, 0
		var sleep time.Duration
		for now < end {
			now += sleep
			arrived += rate * sleep.Seconds()
			if int(arrived) <= handled { // nothing waiting: block until the next packet
				next := float64(handled+1) - arrived
				now += time.Duration(next / rate * float64(time.Second))
				arrived = float64(handled + 1)
			}
			n := int(arrived) - handled
			handled += n
			began := now
			now += time.Duration(n) * 20 * time.Microsecond
			arrived += rate * (time.Duration(n) * 20 * time.Microsecond).Seconds()
			wakes++
			pkts += n
			if now > end-d/2 {
				lateWakes++
				latePkts += n
			}
			sleep = time.Duration(c.after(n, int64(began), int64(now), int64(pause)))
			if sleep > 0 {
				pauses++
			}
		}
		return wakes, pkts, pauses, float64(latePkts) / float64(max(lateWakes, 1))
	}

	// 50 calls' worth (5 000 packets/s): a pause would gather one.
	if _, _, pauses, _ := run(5000, time.Second, pause); pauses != 0 {
		t.Fatalf("5 000 packets/s: %d pauses; a 200 µs pause gathers one packet, so none is worth it", pauses)
	}
	// 200 calls' worth: it starts pausing within a window, then each
	// wake-up handles several packets.
	wakes, pkts, pauses, late := run(20000, time.Second, pause)
	t.Logf("20 000 packets/s: %d packets in %d wake-ups (%d pauses); %.1f per wake-up once settled", pkts, wakes, pauses, late)
	if late < 3.5 || late > 5 || pauses < wakes*9/10 {
		t.Fatalf("20 000 packets/s: %.1f packets per wake-up, %d pauses in %d wake-ups; want about 4 (200 µs × 20 000/s) and a pause after nearly every one", late, pauses, wakes)
	}
	// The load goes: after a window at the low rate, no more pauses.
	run(2000, 2*coalesceWindow, pause)
	if _, _, pauses, _ := run(2000, time.Second, pause); pauses != 0 {
		t.Fatalf("after the load went: %d pauses", pauses)
	}
	// 0 turns it off, whatever the load.
	if _, _, pauses, _ := run(50000, time.Second, 0); pauses != 0 {
		t.Fatalf("pause 0: %d pauses", pauses)
	}
}

// countingReader is a socket on the process's poller that counts the
// packets it reads into n.
type countingReader struct {
	sock *udpSocket
	n    *atomic.Int64
	from syscall.RawSockaddrInet4
}

func (r *countingReader) readable(buf []byte) int {
	if _, _, err := r.sock.recvFrom(buf, &r.from); err != nil {
		return 0
	}
	r.n.Add(1)
	return 1
}

// The real poller, ten sockets taking turns (a call's packets come 20 ms
// apart, so under load a wake-up's packets are on different sockets),
// 10 000 packets/s paced by the sender: with a 500 µs pause it handles
// several per wake-up (5 expected) and more than with no pause; 500
// packets/s never makes it pause, so a packet at a few calls is handled
// the moment it comes.
func TestPoller_CoalescesUnderLoadOnly(t *testing.T) {
	p, err := mediaPoller()
	if err != nil {
		t.Fatal(err)
	}
	var read atomic.Int64
	var to []*net.UDPAddr
	for range 10 {
		sock, err := listenUDP(net.IPv4(127, 0, 0, 1), 0)
		if err != nil {
			t.Fatal(err)
		}
		defer sock.close()
		r := &countingReader{sock: sock, n: &read}
		if err := p.add(sock.fd, r); err != nil {
			t.Fatal(err)
		}
		defer p.remove(sock.fd)
		sa, _ := syscall.Getsockname(sock.fd)
		to = append(to, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*syscall.SockaddrInet4).Port})
	}
	sender, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()
	prev := p.coalesce.Swap(int64(500 * time.Microsecond))
	defer p.coalesce.Store(prev)

	pkt := make([]byte, 172)
	// send paces count packets every gap, to the sockets in turn, and
	// waits until the poller has read them all; it returns the poller's
	// wake-ups, packets and pauses meanwhile.
	send := func(count int, gap time.Duration) (wakes, pkts, pauses uint64) {
		w0, p0, s0 := pollerWakes.Load(), pollerPackets.Load(), pollerPauses.Load()
		start, want := time.Now(), read.Load()+int64(count)
		for i := 0; i < count; i++ {
			for time.Since(start) < time.Duration(i)*gap {
				// a busy wait: time.Sleep cannot pace 100 µs
			}
			if _, err := sender.WriteToUDP(pkt, to[i%len(to)]); err != nil {
				t.Fatal(err)
			}
		}
		for deadline := time.Now().Add(5 * time.Second); read.Load() < want; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the poller read %d of %d packets", read.Load()-want+int64(count), count)
			}
		}
		return pollerWakes.Load() - w0, pollerPackets.Load() - p0, pollerPauses.Load() - s0
	}

	// The rate the poller saw last (another test's traffic, or the -count
	// before) decides for up to two windows: settle for three first.
	send(20, 2*time.Millisecond)
	if _, pkts, pauses := send(100, 2*time.Millisecond); pauses != 0 {
		t.Fatalf("500 packets/s: %d pauses for %d packets; want none (a pause would gather a quarter of a packet)", pauses, pkts)
	}
	wakes, pkts, pauses := send(3000, 100*time.Microsecond)
	on := float64(pkts) / float64(wakes)
	p.coalesce.Store(0)
	wakesOff, pktsOff, _ := send(3000, 100*time.Microsecond)
	off := float64(pktsOff) / float64(wakesOff)
	t.Logf("10 000 packets/s: %.2f packets per wake-up with a 500 µs pause (%d pauses), %.2f with none", on, pauses, off)
	if on < 2.5 || on < 1.5*off {
		t.Fatalf("10 000 packets/s: %.2f packets per wake-up with a 500 µs pause, %.2f with none; want 2.5 or more (5 expected), and 1.5× the other", on, off)
	}
}
