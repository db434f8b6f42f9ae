package media_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// BenchmarkGatewayLoad: N agents (pion peers on /ws/phone) each in a
// click-to-call bridged to a Go RTP peer behind the test trunk, G.711
// 20 ms packets both ways for a while. Every packet carries its send
// time and a sequence number; receivers measure latency and loss.
//
//	MEDIA_LOAD_AGENTS=50 MEDIA_LOAD_SECONDS=60 go test ./media -run '^$' -bench GatewayLoad -benchtime 1x
//
// MEDIA_LOAD_CPUPROFILE=file writes a CPU profile of the steady state.
// Everything runs in one process (agents, peers, gateway): CPU, RSS and
// goroutines are for both sides, an upper bound for the gateway's share.
func BenchmarkGatewayLoad(b *testing.B) {
	n, secs := envInt("MEDIA_LOAD_AGENTS", 10), envInt("MEDIA_LOAD_SECONDS", 10)
	for i := 0; i < b.N; i++ {
		runLoad(b, n, time.Duration(secs)*time.Second)
	}
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}

// latencies collects one direction's measurements.
type latencies struct {
	mu       sync.Mutex
	samples  []time.Duration
	received atomic.Int64
}

func (l *latencies) add(pkt []byte) {
	if len(pkt) < 12+16 {
		return
	}
	sent := int64(binary.BigEndian.Uint64(pkt[12:]))
	d := time.Duration(time.Now().UnixNano() - sent)
	l.received.Add(1)
	l.mu.Lock()
	if len(l.samples) < 2_000_000 {
		l.samples = append(l.samples, d)
	}
	l.mu.Unlock()
}

func (l *latencies) pct(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.samples) == 0 {
		return 0
	}
	s := slices.Clone(l.samples)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

// stampedPacket is a PCMU packet whose payload starts with the send time.
func stampedPacket(buf []byte, ssrc uint32, seq uint16) []byte {
	pkt := buf[:12+160]
	pkt[0], pkt[1] = 0x80, 0
	binary.BigEndian.PutUint16(pkt[2:], seq)
	binary.BigEndian.PutUint32(pkt[4:], uint32(seq)*160)
	binary.BigEndian.PutUint32(pkt[8:], ssrc)
	for i := 12; i < len(pkt); i++ {
		pkt[i] = 0xff
	}
	binary.BigEndian.PutUint64(pkt[12:], uint64(time.Now().UnixNano()))
	return pkt
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func rssKB() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			v, _ := strconv.Atoi(strings.Fields(l)[1])
			return v
		}
	}
	return 0
}

func runLoad(b *testing.B, n int, dur time.Duration) {
	f := newFixtureTB(b, 0)
	goBefore, rssBefore := runtime.NumGoroutine(), rssKB()

	toAgent, toPeer := &latencies{}, &latencies{}
	var sentToAgent, sentToPeer atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup

	// The trunk's side: every answered call streams stamped packets back.
	f.peer.onAnswer = func(c *peerCall, sdp []byte) {
		addr, _ := sdpAddr(string(sdp))
		go func() { // receive: measure, then drop
			buf := make([]byte, 1500)
			for {
				k, _, err := c.rtp.ReadFromUDPAddrPort(buf)
				if err != nil {
					return
				}
				if buf[1]&0x7f == 0 {
					toPeer.add(buf[:k])
				}
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			buf := make([]byte, 1500)
			ssrc := uint32(time.Now().UnixNano())
			for seq := uint16(0); ; seq++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if _, err := c.rtp.WriteToUDPAddrPort(stampedPacket(buf, ssrc, seq), addr); err == nil {
					sentToAgent.Add(1)
				}
			}
		}()
	}

	agents := make([]*loadAgent, n)
	for i := range agents {
		u, err := postgresUser(f, fmt.Sprintf("Load %d", i))
		if err != nil {
			b.Fatal(err)
		}
		agents[i] = f.loadAgent(b, u, toAgent)
	}
	for _, a := range agents {
		a.dial(b)
	}
	for range agents {
		select {
		case <-f.peer.calls:
		case <-time.After(30 * time.Second):
			b.Fatal("not every call reached the trunk")
		}
	}
	for _, a := range agents {
		a.b.expectCall("active")
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.stream(stop, &sentToPeer)
		}()
	}
	time.Sleep(2 * time.Second) // settle
	goDuring, rssDuring := runtime.NumGoroutine(), rssKB()
	toAgent.mu.Lock()
	toAgent.samples = toAgent.samples[:0]
	toAgent.mu.Unlock()
	toPeer.mu.Lock()
	toPeer.samples = toPeer.samples[:0]
	toPeer.mu.Unlock()
	r0a, r0p, s0a, s0p := toAgent.received.Load(), toPeer.received.Load(), sentToAgent.Load(), sentToPeer.Load()
	cpu0, wall0 := cpuTime(), time.Now()
	if p := os.Getenv("MEDIA_LOAD_CPUPROFILE"); p != "" {
		fh, err := os.Create(p)
		if err == nil {
			_ = pprof.StartCPUProfile(fh)
			defer func() { pprof.StopCPUProfile(); fh.Close() }()
		}
	}
	time.Sleep(dur)
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	sa, sp := sentToAgent.Load()-s0a, sentToPeer.Load()-s0p
	close(stop)
	wg.Wait()
	time.Sleep(300 * time.Millisecond) // in flight
	ra, rp := toAgent.received.Load()-r0a, toPeer.received.Load()-r0p
	forwarded := ra + rp
	// Counted over the window: a packet sent just before it and received
	// in it shows as ±1, hence the floor at 0.
	lossA := max(float64(sa-ra)/float64(max(sa, 1))*100, 0)
	lossP := max(float64(sp-rp)/float64(max(sp, 1))*100, 0)
	cores := cpu.Seconds() / wall.Seconds()
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(max(forwarded, 1)), "cpu-ns/pkt")
	b.ReportMetric(float64(n)/max(cores, 0.001), "calls/core")
	b.ReportMetric(float64(toAgent.pct(0.5).Microseconds()), "to-agent-p50-µs")
	b.ReportMetric(float64(toAgent.pct(0.99).Microseconds()), "to-agent-p99-µs")
	b.ReportMetric(float64(toPeer.pct(0.5).Microseconds()), "to-peer-p50-µs")
	b.ReportMetric(float64(toPeer.pct(0.99).Microseconds()), "to-peer-p99-µs")
	b.ReportMetric(lossA, "loss-to-agent-%")
	b.ReportMetric(lossP, "loss-to-peer-%")
	b.ReportMetric(float64(rssDuring-rssBefore)/1024/float64(n), "MB-rss/call")
	b.ReportMetric(float64(goDuring-goBefore)/float64(n), "goroutines/call")
	b.Logf("N=%d %s: %d packets forwarded, CPU %.2f cores; sent to agents %d received %d; to peers %d received %d",
		n, wall.Round(time.Second), forwarded, cores, sa, ra, sp, rp)
	for _, a := range agents {
		a.b.send(map[string]any{"type": "hangup", "call_id": a.id})
	}
}

// loadAgent is one softphone in the load: a pion peer whose microphone
// is the stamped stream.
type loadAgent struct {
	b  *browser
	id warmline.CallID
}

func (f *fixture) loadAgent(tb testing.TB, u *warmline.User, lat *latencies) *loadAgent {
	br := f.connectBrowserWith(u, func(tr *webrtc.TrackRemote) {
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			if p.PayloadType == 0 {
				buf, _ := p.Marshal()
				lat.add(buf)
			}
		}
	})
	br.tone.stop()
	return &loadAgent{b: br}
}

func (a *loadAgent) dial(tb testing.TB) {
	a.b.send(map[string]any{"type": "dial", "to": "+79161234567"})
	ring := a.b.expectCall("ringing")
	a.id = callID(ring)
	a.b.send(map[string]any{"type": "answer", "call_id": a.id})
}

func (a *loadAgent) stream(stop chan struct{}, sent *atomic.Int64) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	buf := make([]byte, 1500)
	for seq := uint16(0); ; seq++ {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		if _, err := a.b.local.Write(stampedPacket(buf, 1, seq)); err == nil {
			sent.Add(1)
		}
	}
}
