package media_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/warmline/warmline/media"
)

// BenchmarkGatewayLoad: N calls through the gateway, each a softphone
// (pion peer on /ws/phone, click-to-call, answered) bridged to the trunk,
// G.711 20 ms packets both ways. The softphones and the trunk (SIP and
// RTP) run in another process, media/loadtest, so this process is the
// gateway alone (with the test's database client, idle meanwhile): its
// CPU (getrusage), RSS (/proc/self/status), goroutines and allocations
// are the gateway's. Latency is stamped at the sender and taken at the
// receiver, both in the load process, twice: at the receiving goroutine's
// read (raw: it includes the load process's own pion stack and
// scheduling) and at the receiving socket (the kernel's receive
// timestamp). Direct softphone pairs in the load process, with no gateway
// between them, are the same run's baseline: gateway-added latency is the
// calls' at-socket percentile minus the pairs'. After the window every
// call hangs up at once and the time until every record is ended and
// every agent available again is reported (s-to-end-all).
//
//	MEDIA_LOAD_AGENTS=1,50,200 MEDIA_LOAD_SECONDS=60 go test ./media -run '^$' -bench GatewayLoad -benchtime 1x
//
// MEDIA_LOAD_AGENTS is a list: N=1 first gives the baseline of the same
// run. MEDIA_LOAD_CPUPROFILE=file writes a CPU profile of each steady
// state (file.N when several); MEDIA_LOAD_GOROUTINES=file writes the
// gateway's goroutines (file.N) then. MEDIA_LOAD_PRIORITY is the
// gateway's media priority (Config.MediaPriority; default 10, as
// `warmline serve`; 0 for normal scheduling), MEDIA_LOAD_COALESCE its
// pause under load (Config.MediaCoalesce; default 200us, as `warmline
// serve`; 0 for none). pkts/wake is the packets the poller read per
// wake-up.
func BenchmarkGatewayLoad(b *testing.B) {
	secs := 10
	if v, err := strconv.Atoi(os.Getenv("MEDIA_LOAD_SECONDS")); err == nil && v > 0 {
		secs = v
	}
	ns := []int{10}
	if v := os.Getenv("MEDIA_LOAD_AGENTS"); v != "" {
		ns = ns[:0]
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n <= 0 {
				b.Fatalf("MEDIA_LOAD_AGENTS=%q: want a list of positive counts", v)
			}
			ns = append(ns, n)
		}
	}
	bin := buildLoadTool(b)
	for _, n := range ns {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			prof := os.Getenv("MEDIA_LOAD_CPUPROFILE")
			if prof != "" && len(ns) > 1 {
				prof += "." + strconv.Itoa(n)
			}
			for range b.N {
				runLoad(b, bin, n, time.Duration(secs)*time.Second, prof)
			}
		})
	}
}

// buildLoadTool builds media/loadtest into a temporary directory.
func buildLoadTool(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "loadtest")
	out, err := exec.Command("go", "build", "-o", bin, "./loadtest").CombinedOutput()
	if err != nil {
		b.Fatalf("build media/loadtest: %v\n%s", err, out)
	}
	return bin
}

// loadResult is what media/loadtest prints at "stop" (its Result).
type loadResult struct {
	ToTrunk, ToPhone, Direct loadWay
}

type loadWay struct {
	Sent, Received, Stamped int64
	Read, Socket            loadPcts // up to the receiver's read; up to the kernel's receive timestamp
}

type loadPcts struct{ P50, P90, P99, P999, Max float64 } // µs

func (p loadPcts) String() string {
	return fmt.Sprintf("%.0f/%.0f/%.0f/%.0f/%.0f", p.P50, p.P90, p.P99, p.P999, p.Max)
}

// directPairs is how many softphone pairs the load process connects to
// each other, without the gateway, for the same-run baseline: enough
// packets for a p99 (K × 100 a second), few enough not to weigh on the
// load process.
func directPairs(n int) int {
	if v, err := strconv.Atoi(os.Getenv("MEDIA_LOAD_DIRECT")); err == nil && v > 0 {
		return v
	}
	return max(1, min(n/10, 20))
}

func runLoad(b *testing.B, bin string, n int, dur time.Duration, prof string) {
	prio := 10 // warmline serve's default (WARMLINE_MEDIA_PRIORITY)
	if v, err := strconv.Atoi(os.Getenv("MEDIA_LOAD_PRIORITY")); err == nil {
		prio = v
	}
	pause := 200 * time.Microsecond // warmline serve's default (WARMLINE_MEDIA_COALESCE)
	if v, err := time.ParseDuration(os.Getenv("MEDIA_LOAD_COALESCE")); err == nil {
		pause = v
	}
	configure = func(c *media.Config) { c.MediaPriority, c.MediaCoalesce = prio, pause }
	f := newFixtureTB(b, 0)
	configure = nil
	ctx := context.Background()

	// The trunk is the load process: point the test trunk at it.
	sipPort := freePort(b, "udp")
	if _, err := f.db.Exec(`UPDATE trunks SET port = $1 WHERE org_id = $2`, sipPort, f.org.ID); err != nil {
		b.Fatal(err)
	}
	// No wrap-up: after a hang-up the agent is available at once, so the
	// burst of writes the hang-ups cause (record, settings, agent state)
	// is complete when every agent is available, and no wrap-up timer
	// writes after the test's database is gone.
	if _, err := f.db.Exec(`UPDATE organisations SET wrap_up_seconds = 0 WHERE id = $1`, f.org.ID); err != nil {
		b.Fatal(err)
	}
	if err := f.gw.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	// Agents straight in SQL: the password hash is never used, and
	// hashing N passwords here would be measured as the gateway's memory.
	var ids []string
	err := f.db.Select(&ids, `INSERT INTO users (org_id, email, name, role, password_hash)
		SELECT $1, 'load' || g || '-' || $2 || '@example.com', 'Load ' || g, 'agent', '-'
		FROM generate_series(1, $3) g RETURNING id::text`, f.org.ID, time.Now().UnixNano(), n)
	if err != nil {
		b.Fatal(err)
	}

	runtime.GC()
	debug.FreeOSMemory()
	goBefore, rssBefore := runtime.NumGoroutine(), rssKB("self")

	cmd := exec.Command(bin, "-ws", "ws"+strings.TrimPrefix(f.srv.URL, "http"), "-users", strings.Join(ids, ","),
		"-sip", net.JoinHostPort("127.0.0.1", strconv.Itoa(sipPort)), "-direct", strconv.Itoa(directPairs(n)))
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan struct{})
	defer func() {
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(40*time.Second + time.Duration(n)*20*time.Millisecond):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	lines := make(chan string, 4)
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_ = cmd.Wait()
	}()
	setup := time.Now()
	select {
	case l := <-lines:
		if l != "ready" {
			b.Fatalf("load process: %q, want ready", l)
		}
	case <-time.After(60*time.Second + time.Duration(n)*200*time.Millisecond):
		b.Fatal("the load process did not set up its calls")
	}
	setupTime := time.Since(setup)
	time.Sleep(2 * time.Second) // settle
	goDuring, rssDuring := runtime.NumGoroutine(), rssKB("self")
	if p := os.Getenv("MEDIA_LOAD_GOROUTINES"); p != "" { // who they are
		if fh, err := os.Create(fmt.Sprintf("%s.%d", p, n)); err == nil {
			_ = pprof.Lookup("goroutine").WriteTo(fh, 1)
			fh.Close()
		}
	}

	load0, lg0 := loadavg(), procCPU(cmd.Process.Pid)
	sys0, steal0 := systemCPU()
	gwDrops0, lgDrops0 := udpDrops(os.Getpid()), udpDrops(cmd.Process.Pid)
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	wakes0, pkts0 := media.PollerCounts()
	cpu0, wall0 := cpuTime(), time.Now()
	if prof != "" {
		if fh, err := os.Create(prof); err == nil {
			_ = pprof.StartCPUProfile(fh)
			defer fh.Close()
		}
	}
	_, _ = io.WriteString(stdin, "start\n")
	time.Sleep(dur)
	_, _ = io.WriteString(stdin, "stop\n")
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	if prof != "" {
		pprof.StopCPUProfile()
	}
	runtime.ReadMemStats(&ms1)
	wakes1, pkts1 := media.PollerCounts()
	sys1, steal1 := systemCPU()
	sys, steal, lg := sys1-sys0, steal1-steal0, procCPU(cmd.Process.Pid)-lg0
	gwDrops, lgDrops := udpDrops(os.Getpid())-gwDrops0, udpDrops(cmd.Process.Pid)-lgDrops0
	rssPeak := rssKB("self")
	var res loadResult
	select {
	case l := <-lines:
		if err := json.Unmarshal([]byte(l), &res); err != nil {
			b.Fatalf("load process result %q: %v", l, err)
		}
	case <-time.After(30 * time.Second):
		b.Fatal("no result from the load process")
	}

	// The load process now hangs every call up at once: time how long
	// the gateway takes to write what follows (every record ended, every
	// agent available again).
	_ = stdin.Close()
	hangup := time.Now()
	open := -1
	for time.Since(hangup) < 60*time.Second {
		const q = `SELECT (SELECT count(*) FROM calls WHERE org_id = $1 AND status <> 'ended') +
			(SELECT count(*) FROM agent_states WHERE org_id = $1 AND user_id = ANY($2::bigint[]) AND state <> 'available')`
		if err := f.db.Get(&open, q, f.org.ID, "{"+strings.Join(ids, ",")+"}"); err != nil {
			b.Fatal(err)
		}
		if open == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if open != 0 {
		b.Errorf("N=%d: %d call records open or agents not available 60 s after the hang-ups", n, open)
	}
	endAll := time.Since(hangup)
	b.ReportMetric(endAll.Seconds(), "s-to-end-all")

	forwarded := res.ToTrunk.Received + res.ToPhone.Received
	cores := cpu.Seconds() / wall.Seconds()
	lossT := res.ToTrunk.Sent - res.ToTrunk.Received
	lossP := res.ToPhone.Sent - res.ToPhone.Received
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(max(forwarded, 1)), "gw-cpu-ns/pkt")
	b.ReportMetric(float64(n)/max(cores, 0.001), "calls/core")
	// A call is 100 packets a second through the gateway (50 each way);
	// when the machine cannot keep the offered rate this counts calls
	// by the packets actually forwarded.
	b.ReportMetric(float64(forwarded)/wall.Seconds()/100/max(cores, 0.001), "call-equivalents/core")
	b.ReportMetric(float64(gwDrops), "gw-socket-drops")
	b.ReportMetric(float64(pkts1-pkts0)/float64(max(wakes1-wakes0, 1)), "pkts/wake")
	// Latency three ways: as the receiving goroutine read it (raw), as
	// the receiving socket got it (kernel timestamp), and the gateway's
	// share: the calls' socket figure minus the direct pairs' (the same
	// stacks and loopback with no gateway, in the same run).
	b.ReportMetric(res.ToPhone.Read.P50, "to-phone-p50-µs")
	b.ReportMetric(res.ToPhone.Read.P99, "to-phone-p99-µs")
	b.ReportMetric(res.ToTrunk.Read.P50, "to-trunk-p50-µs")
	b.ReportMetric(res.ToTrunk.Read.P99, "to-trunk-p99-µs")
	b.ReportMetric(res.Direct.Read.P50, "direct-p50-µs")
	b.ReportMetric(res.Direct.Read.P99, "direct-p99-µs")
	b.ReportMetric(res.ToPhone.Socket.P50-res.Direct.Socket.P50, "gw-added-to-phone-p50-µs")
	b.ReportMetric(res.ToPhone.Socket.P99-res.Direct.Socket.P99, "gw-added-to-phone-p99-µs")
	b.ReportMetric(res.ToTrunk.Socket.P50-res.Direct.Socket.P50, "gw-added-to-trunk-p50-µs")
	b.ReportMetric(res.ToTrunk.Socket.P99-res.Direct.Socket.P99, "gw-added-to-trunk-p99-µs")
	b.ReportMetric(float64(lossP), "lost-to-phone")
	b.ReportMetric(float64(lossT), "lost-to-trunk")
	b.ReportMetric(float64(rssDuring-rssBefore)/1024/float64(n), "MB-rss/call")
	b.ReportMetric(float64(goDuring-goBefore)/float64(n), "goroutines/call")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(max(forwarded, 1)), "gw-allocs/pkt")
	b.Logf("N=%d %s (setup %s, all %d records ended and agents available %s after the hang-ups): gateway %.3f cores, RSS %d→%d kB (peak %d), goroutines %d→%d; forwarded %d; "+
		"latency p50/p90/p99/p99.9/max µs, read | at the socket: "+
		"to phone sent %d received %d (%d stamped) %s | %s; to trunk sent %d received %d (%d stamped) %s | %s; "+
		"direct (%d pairs) sent %d received %d (%d stamped) %s | %s; "+
		"kernel UDP drops on the gateway's sockets %d, on the load process's %d; "+
		"load process %.2f cores; machine busy %.2f of %d cores, so others %.2f (of which stolen by the host %.3f); loadavg %s → %s",
		n, wall.Round(time.Second), setupTime.Round(100*time.Millisecond), n, endAll.Round(time.Millisecond), cores, rssBefore, rssDuring, rssPeak, goBefore, goDuring, forwarded,
		res.ToPhone.Sent, res.ToPhone.Received, res.ToPhone.Stamped, res.ToPhone.Read, res.ToPhone.Socket,
		res.ToTrunk.Sent, res.ToTrunk.Received, res.ToTrunk.Stamped, res.ToTrunk.Read, res.ToTrunk.Socket,
		directPairs(n), res.Direct.Sent, res.Direct.Received, res.Direct.Stamped, res.Direct.Read, res.Direct.Socket,
		gwDrops, lgDrops, lg.Seconds()/wall.Seconds(), sys.Seconds()/wall.Seconds(), runtime.NumCPU(),
		(sys-cpu-lg).Seconds()/wall.Seconds(), steal.Seconds()/wall.Seconds(), load0, loadavg())
	if res.Direct.Received < res.Direct.Sent {
		b.Logf("N=%d: the direct pairs lost %d of %d packets (no gateway involved)", n, res.Direct.Sent-res.Direct.Received, res.Direct.Sent)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is USER_HZ, what /proc counts CPU time in (100 on Linux).
const clockTick = 10 * time.Millisecond

// procCPU is a process's user+system CPU time from /proc/<pid>/stat.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 (state) on
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64) // utime, field 14
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * clockTick
}

// systemCPU is the busy CPU time of the whole machine (all cores) from
// /proc/stat, and the part of it the hypervisor gave to others (steal: a
// vCPU that wanted to run and did not, which shows in latency tails).
func systemCPU() (busy, steal time.Duration) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	var busyT, stealT int64
	for i, v := range strings.Fields(line)[1:] {
		t, _ := strconv.ParseInt(v, 10, 64)
		if i != 3 && i != 4 && i < 8 { // not idle, iowait, nor guest (counted in user)
			busyT += t
		}
		if i == 7 {
			stealT = t
		}
	}
	return time.Duration(busyT) * clockTick, time.Duration(stealT) * clockTick
}

// udpDrops sums the kernel's drop counters (a full receive buffer) of
// the UDP sockets process pid holds, from /proc/net/udp.
func udpDrops(pid int) int64 {
	inodes := map[string]bool{}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if v, ok := strings.CutPrefix(l, "socket:["); ok && err == nil {
			inodes[strings.TrimSuffix(v, "]")] = true
		}
	}
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/udp", pid))
	var drops int64
	for _, l := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) >= 13 && inodes[f[9]] {
			d, _ := strconv.ParseInt(f[12], 10, 64)
			drops += d
		}
	}
	return drops
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func rssKB(pid string) int {
	b, _ := os.ReadFile("/proc/" + pid + "/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			v, _ := strconv.Atoi(strings.Fields(l)[1])
			return v
		}
	}
	return 0
}
