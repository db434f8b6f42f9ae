//go:build linux

package realtime_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/warmline/warmline/backend/httpapi"
	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/realtime"
	"github.com/warmline/warmline/backend/warmline"
)

// BenchmarkHubLoad is the live hub under load: a load client holds N
// WebSocket connections to one node (`warmline serve`, a process of its
// own) while events are published at R a second, in two ways:
//
//   - write=store: through the real write path, ClientStore.UpdateClient
//     (a read of the client, then its row and its event row in one
//     durable statement, then the NOTIFY that wakes the hubs);
//   - write=event: the event half of that write alone (the same
//     statements as postgres.appendEvent, data of the same shape), which
//     costs Postgres and the client less, to show what the hub does when
//     the rest of the write path does not take the CPU first.
//
// What it measures, per cell (connections × events/s × writer):
//
//   - Delivery latency, commit to receipt: the publisher stamps the time
//     right after the write returns (the commit has been acknowledged),
//     the reading goroutine stamps the time right after it has read the
//     whole frame; one figure per delivered (connection, event). Both stamps
//     are taken in the load client, on the same monotonic clock.
//   - Lost: every connection must receive every sequence number of its
//     organisation, exactly once, in order. A gap, a duplicate, an event
//     out of order, a frame whose data is not the write that took that
//     sequence or a dropped connection fails the benchmark.
//   - The server's RSS and CPU, read from /proc/<pid>: its own, as it runs
//     in its own process. The load client and Postgres share the same
//     cores and are reported beside it (client_cpu_pct, pg_cpu_pct), with
//     how much of the time some task waited for a CPU (cpu_wait_pct, from
//     /proc/pressure/cpu) and how busy the machine was just before
//     (bg_cpu_pct: other tenants).
//
// Connections are spread over organisations of WL_BENCH_FANOUT (default
// 20: the seed's team of ten agents with their supervisors, some with two
// tabs) connections each, which is also every event's fan-out (100 is the
// stress case BENCHMARKS.md reports beside it); events go
// round-robin to the organisations, each of which has one publisher, so
// sequence numbers are known in advance and checked against the data.
// Each cell first publishes for a second at its rate, unmeasured, so that
// connection pools are full and every feed has been read.
//
// Knobs: WL_BENCH_QUICK=1 runs a reduced matrix; WL_BENCH_SECONDS sets the
// publishing time per cell (default 5); WL_BENCH_INPROC=1 runs the node in
// the benchmark's process instead (RSS and CPU then include the load
// client); WL_BENCH_CPUPROFILE=prefix writes a CPU profile of each cell's
// publishing window and a heap profile after it, of the hub too when in
// process; WL_BENCH_WRITES and
// WL_BENCH_MATRIX ("1:10;10000:500,1000") pick cells; WL_BENCH_FANOUT sets
// the connections per organisation.
func BenchmarkHubLoad(b *testing.B) {
	type group struct {
		conns int
		rates []int
	}
	groups := []group{{1, []int{10}}, {1000, []int{100, 500, 1000}}, {5000, []int{100, 500, 1000}}, {10000, []int{100, 500, 1000}}}
	if os.Getenv("WL_BENCH_QUICK") != "" {
		groups = []group{{1, []int{10}}, {1000, []int{100}}, {10000, []int{1000}}}
	}
	if v := os.Getenv("WL_BENCH_MATRIX"); v != "" { // e.g. "1:10;10000:500,1000"
		groups = nil
		for _, gs := range strings.Split(v, ";") {
			cs, rs, _ := strings.Cut(gs, ":")
			g := group{}
			g.conns, _ = strconv.Atoi(cs)
			for _, r := range strings.Split(rs, ",") {
				n, _ := strconv.Atoi(r)
				g.rates = append(g.rates, n)
			}
			if g.conns < 1 || slices.Contains(g.rates, 0) {
				b.Fatalf("WL_BENCH_MATRIX=%q: want conns:rate,rate;conns:rate...", v)
			}
			groups = append(groups, g)
		}
	}
	publish := 5 * time.Second
	if v := os.Getenv("WL_BENCH_SECONDS"); v != "" {
		s, err := strconv.ParseFloat(v, 64)
		if err != nil || s <= 0 {
			b.Fatalf("WL_BENCH_SECONDS=%q: want a number of seconds", v)
		}
		publish = time.Duration(s * float64(time.Second))
	}
	fanout := 20
	if v := os.Getenv("WL_BENCH_FANOUT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("WL_BENCH_FANOUT=%q: want a number of connections per organisation", v)
		}
		fanout = n
	}
	inproc := os.Getenv("WL_BENCH_INPROC") != ""

	maxConns := 0
	for _, g := range groups {
		maxConns = max(maxConns, g.conns)
	}
	perConn := 1 // a client socket here; the server's are in its own process
	if inproc {
		perConn = 2
	}
	loadRaiseNofile(b, uint64(perConn*maxConns+2000))

	db, dsn := pgtest.NewDBURL(b)
	// The publishers stand for the API writes of every connected user, so
	// they must be able to offer the asked rate: with the product's pool of
	// 20 they could not (at 10 000 × 1 000 and a fan-out of 20 they wrote
	// 888–957 events/s, a write waiting 37–90 ms at p50 mostly for a free
	// connection while the machine had idle time); with 40, 995/s at a
	// write p50 of 13 ms.
	db.SetPoolSize(40)
	orgs := loadOrgs(b, db, max(1, maxConns/fanout))
	var bin string
	if !inproc {
		bin = loadBuildServer(b)
	}

	writers := []string{"store", "event"}
	if v := os.Getenv("WL_BENCH_WRITES"); v != "" {
		writers = strings.Split(v, ",")
		for _, w := range writers {
			if w != "store" && w != "event" {
				b.Fatalf("WL_BENCH_WRITES=%q: want store, event or store,event", v)
			}
		}
	}
	base := map[string]*loadResult{} // the same run's baselines, for the ratios
	for _, g := range groups {
		b.Run(fmt.Sprintf("conns=%d", g.conns), func(b *testing.B) {
			var srv loadServer
			if inproc {
				srv = loadStartInproc(b, dsn)
			} else {
				srv = loadStartProcess(b, bin, dsn)
			}
			defer srv.stop()
			time.Sleep(500 * time.Millisecond) // let start-up settle before the idle RSS
			idleRSS := srv.rss()
			those := orgs[:max(1, g.conns/fanout)]
			cl := loadDial(b, srv.url(), those, g.conns)
			defer cl.close()
			time.Sleep(500 * time.Millisecond)
			perConn := float64(srv.rss()-idleRSS) / float64(g.conns) // bytes, with the connections idle
			for _, rate := range g.rates {
				for _, w := range writers {
					b.Run(fmt.Sprintf("rate=%d/write=%s", rate, w), func(b *testing.B) {
						r := loadCell(b, db, srv, cl, those, rate, publish, w)
						b.ReportMetric(0, "ns/op") // one run of the cell; the figures below are the result
						b.ReportMetric(r.p50, "p50_ms")
						b.ReportMetric(r.p95, "p95_ms")
						b.ReportMetric(r.p99, "p99_ms")
						b.ReportMetric(r.maxLat, "max_ms")
						b.ReportMetric(float64(r.lost), "lost")
						b.ReportMetric(r.evRate, "ev/s")
						b.ReportMetric(r.delivRate, "deliv/s")
						b.ReportMetric(r.rssMB, "rss_MB")
						if g.conns >= 1000 {
							b.ReportMetric(perConn*1000/(1<<20), "rss_MB_per_1k")
							b.ReportMetric(r.cpuPct/(float64(g.conns)/1000), "cpu_pct_per_1k")
						}
						b.ReportMetric(r.cpuPct, "cpu_pct")
						if r.delivRate > 0 {
							b.ReportMetric(r.cpuPct*1e4/r.delivRate, "cpu_us/deliv")
						}
						b.ReportMetric(r.clientCPUPct, "client_cpu_pct")
						b.ReportMetric(r.stallPct, "cpu_wait_pct")
						b.ReportMetric(r.bgCPUPct, "bg_cpu_pct")
						b.ReportMetric(r.pgCPUPct, "pg_cpu_pct")
						b.ReportMetric(r.writeP50, "write_p50_ms")
						if bw := base[w]; bw == nil {
							base[w] = r
						} else if bw.p50 > 0 && bw.p95 > 0 {
							b.ReportMetric(r.p50/bw.p50, "p50_x_base")
							b.ReportMetric(r.p95/bw.p95, "p95_x_base")
						}
						if r.achieved < 0.95 {
							b.Logf("published only %.0f%% of the target rate (%.0f events/s)", 100*r.achieved, r.evRate)
						}
						if r.lost > 0 || r.disorder > 0 || r.mismatch > 0 || r.dropped > 0 {
							b.Errorf("lost %d, out of order or duplicated %d, wrong data %d, connections dropped %d (%v); server log: %s",
								r.lost, r.disorder, r.mismatch, r.dropped, r.firstDrop, srv.log())
						}
					})
				}
			}
		})
	}
}

// loadOrg is one organisation of the benchmark: its admin's context, a
// session shared by all its connections, the client its publisher updates
// and its latest sequence number.
type loadOrg struct {
	ctx    context.Context
	id     warmline.OrgID
	token  string
	client *warmline.Client
	seq    int64
}

func loadOrgs(b *testing.B, db *postgres.DB, n int) []*loadOrg {
	b.Helper()
	orgs := make([]*loadOrg, n)
	var g errgroup.Group
	g.SetLimit(runtime.NumCPU()) // password hashing is CPU-bound
	for i := range n {
		g.Go(func() (err error) {
			orgs[i], err = loadOrgSetUp(db, i)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	return orgs
}

func loadOrgSetUp(db *postgres.DB, i int) (*loadOrg, error) {
	ctx := context.Background()
	_, u, err := postgres.NewOrganisationStore(db).SignUp(ctx, warmline.SignUp{
		OrgName: fmt.Sprintf("Load %d", i), Name: "Admin", Email: fmt.Sprintf("load%d@example.com", i), Password: "long enough password"})
	if err != nil {
		return nil, fmt.Errorf("sign up organisation %d: %w", i, err)
	}
	token, err := postgres.NewSessionStore(db, 24*time.Hour).OpenFor(ctx, u, "")
	if err != nil {
		return nil, err
	}
	o := &loadOrg{ctx: warmline.WithActor(ctx, warmline.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}), id: u.OrgID, token: token}
	name := "Load target"
	if o.client, err = postgres.NewClientStore(db).CreateClient(o.ctx, warmline.ClientInput{Name: &name}); err != nil {
		return nil, err
	}
	if o.seq, err = postgres.NewEventStore(db).LatestSeq(o.ctx); err != nil {
		return nil, err
	}
	return o, nil
}

// loadRaiseNofile makes room for the sockets: both limits up when allowed
// (root), else the soft one up to the hard one.
func loadRaiseNofile(b *testing.B, need uint64) {
	b.Helper()
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		b.Fatal(err)
	}
	if l.Cur >= need {
		return
	}
	want := max(need, l.Max)
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: want, Max: want}) == nil {
		return
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: l.Max, Max: l.Max}); err != nil {
		b.Fatal(err)
	}
	if l.Max < need {
		b.Fatalf("RLIMIT_NOFILE is %d and may not be raised; the benchmark needs %d descriptors (ulimit -n)", l.Max, need)
	}
}

// loadServer is the node under test.
type loadServer interface {
	url() string
	rss() int64             // bytes
	cpuTime() time.Duration // user + system so far
	log() string            // the end of what it logged
	stop()
}

// loadProcess is `warmline serve` in a process of its own.
type loadProcess struct {
	cmd    *exec.Cmd
	addr   string
	stderr *loadTail
	done   chan struct{} // closed when it has exited
	state  string        // how it exited
}

func loadBuildServer(b *testing.B) string {
	b.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		b.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(b.TempDir(), "warmline")
	build := exec.Command("go", "build", "-o", bin, "./cmd/warmline")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/warmline: %v\n%s", err, out)
	}
	return bin
}

func loadStartProcess(b *testing.B, bin, dsn string) *loadProcess {
	b.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn)
	// Its own process group, so that only we signal it, and it never
	// outlives the benchmark.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p := &loadProcess{cmd: cmd, stderr: &loadTail{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig follows the OS thread that started the child, not the
		// process (golang/go#27505): that thread must live as long as the
		// child, so this goroutine keeps it until the child has exited.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		p.state = cmd.ProcessState.String()
		close(p.done)
	}()
	if err := <-started; err != nil {
		b.Fatalf("start warmline serve: %v", err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, a, ok := strings.Cut(sc.Text(), "serving on http://"); ok {
				addr <- a
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p.addr = <-addr:
	case <-p.done:
		b.Fatalf("warmline serve exited: %s", p.log())
	case <-time.After(30 * time.Second):
		p.stop()
		b.Fatalf("warmline serve did not start within 30 s: %s", p.stderr)
	}
	return p
}

func (p *loadProcess) url() string { return "http://" + p.addr }
func (p *loadProcess) log() string {
	select {
	case <-p.done:
		return fmt.Sprintf("(the server has exited: %s) %s", p.state, p.stderr)
	default:
		return p.stderr.String()
	}
}

func (p *loadProcess) rss() int64 {
	return loadVmRSS(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
}

func (p *loadProcess) cpuTime() time.Duration {
	st, _ := loadProcStat(p.cmd.Process.Pid)
	return st.cpu
}

func (p *loadProcess) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// loadTail keeps the last few KB a server wrote to stderr, for failures.
type loadTail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *loadTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 8<<10 {
		t.buf = t.buf[len(t.buf)-8<<10:]
	}
	return len(p), nil
}

func (t *loadTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// loadInproc is the node in this process, as hub_test.go starts it but
// with a connection pool of its own; its RSS and CPU include the load client.
type loadInproc struct {
	srv    *httptest.Server
	db     *postgres.DB
	cancel context.CancelFunc
	done   chan struct{}
}

func loadStartInproc(b *testing.B, dsn string) *loadInproc {
	b.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	api := httpapi.NewServer(db, httpapi.Config{}, log)
	listener := postgres.NewListener(dsn, log)
	api.Hub = realtime.NewHub(db, realtime.Config{Listener: listener}, log)
	ctx, cancel := context.WithCancel(context.Background())
	if err := listener.Start(ctx); err != nil {
		b.Fatal(err)
	}
	s := &loadInproc{db: db, cancel: cancel, done: make(chan struct{})}
	go func() { api.Hub.Run(ctx); close(s.done) }()
	s.srv = httptest.NewServer(api)
	return s
}

func (s *loadInproc) url() string { return s.srv.URL }
func (s *loadInproc) log() string { return "(on this process's stderr)" }
func (s *loadInproc) rss() int64  { return loadVmRSS("/proc/self/status") }
func (s *loadInproc) cpuTime() time.Duration {
	return loadRusage()
}
func (s *loadInproc) stop() {
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.cancel()
	<-s.done
	s.db.Close()
}

func loadVmRSS(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func loadRusage() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadHostCPU returns the machine's busy CPU time so far, from /proc/stat
// (USER_HZ ticks, 100 a second).
func loadHostCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	var busy int64
	for i, s := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseInt(s, 10, 64)
		if i >= 8 { // guest time is already counted in user
			break
		}
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return time.Duration(busy) * 10 * time.Millisecond
}

// loadPostgresCPU returns the CPU time so far of the database server's
// processes, when they run on this machine: the backends and workers that
// pg_stat_activity lists, and their parent the postmaster with the time of
// its children that have exited.
func loadPostgresCPU(db *postgres.DB) map[int]time.Duration {
	var pids []int
	if err := db.Select(&pids, `SELECT pid FROM pg_stat_activity`); err != nil {
		return nil
	}
	out := map[int]time.Duration{}
	for _, pid := range pids {
		// A pid of a server elsewhere (another host, a container) may be
		// some other process here: only postgres processes count.
		if st, ok := loadProcStat(pid); ok && st.comm == "postgres" {
			out[pid] = st.cpu
			if _, seen := out[st.ppid]; !seen {
				if pm, ok := loadProcStat(st.ppid); ok && pm.comm == "postgres" {
					out[st.ppid] = pm.cpu + pm.children
				}
			}
		}
	}
	return out
}

// loadPostgresDelta is the CPU time used between two readings; a process
// that appeared in between counts from its start.
func loadPostgresDelta(before, after map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, t := range after {
		d += t - before[pid]
	}
	return d
}

type loadStat struct {
	comm          string
	ppid          int
	cpu, children time.Duration // user + system, of the process and of its waited-for children
}

// loadProcStat reads /proc/<pid>/stat.
func loadProcStat(pid int) (loadStat, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return loadStat{}, false
	}
	// The fields after the command name in parentheses: ppid is the 4th of
	// the line; utime, stime, cutime and cstime the 14th to 17th, in
	// USER_HZ ticks (100 a second).
	i, j := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if i < 0 || j < i {
		return loadStat{}, false
	}
	f := strings.Fields(string(b[j+1:]))
	if len(f) < 15 {
		return loadStat{}, false
	}
	n := func(k int) time.Duration {
		v, _ := strconv.ParseInt(f[k], 10, 64)
		return time.Duration(v) * 10 * time.Millisecond
	}
	ppid, _ := strconv.Atoi(f[1])
	return loadStat{comm: string(b[i+1 : j]), ppid: ppid, cpu: n(11) + n(12), children: n(13) + n(14)}, true
}

// loadCPUStall returns how long, so far, some task has waited for a CPU
// (Linux pressure stall information), or -1 when the kernel does not say.
func loadCPUStall() time.Duration {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return -1
	}
	for _, f := range strings.Fields(string(b)) {
		if v, ok := strings.CutPrefix(f, "total="); ok {
			us, _ := strconv.ParseInt(v, 10, 64)
			return time.Duration(us) * time.Microsecond
		}
	}
	return -1
}

type loadResult struct {
	p50, p95, p99, maxLat float64 // ms
	lost, disorder        int64
	mismatch, dropped     int
	evRate, delivRate     float64
	achieved              float64 // share of the target rate published
	rssMB                 float64 // the server's peak while publishing
	cpuPct, clientCPUPct  float64 // of one core
	pgCPUPct              float64 // Postgres, of one core
	stallPct              float64 // share of the time some task waited for a CPU
	bgCPUPct              float64 // the machine in the second before, of one core
	writeP50              float64 // ms, one write transaction
	firstDrop             error   // why the first dropped connection ended
}

// loadCell waits for the machine to be calm, warms up (a second at rate,
// so both pools have their connections and every feed has been read),
// then publishes at rate for d, waits until every connection has every
// event (or 15 s), and computes the figures.
func loadCell(b *testing.B, db *postgres.DB, srv loadServer, cl *loadClients, orgs []*loadOrg, rate int, d time.Duration, writer string) *loadResult {
	b.Helper()
	r := &loadResult{}
	// Other processes may share these cores: wait a little for them to
	// calm down, and report what remains.
	for calm := time.Now().Add(15 * time.Second); ; {
		busy0, at0 := loadHostCPU(), time.Now()
		time.Sleep(time.Second)
		if r.bgCPUPct = 100 * float64(loadHostCPU()-busy0) / float64(time.Since(at0)); r.bgCPUPct < 30 || time.Now().After(calm) {
			break
		}
	}
	for _, c := range cl.conns {
		c.mu.Lock()
		c.skipped, c.repeated, c.bad = 0, 0, 0
		c.mu.Unlock()
	}
	if _, _, err := loadPublish(db, orgs, rate, min(time.Second, d), writer); err != nil {
		b.Fatalf("warm up: %v", err)
	}
	loadDrain(cl, orgs, 15*time.Second)
	for _, c := range cl.conns {
		c.mu.Lock()
		c.recv = c.recv[:0]
		c.mu.Unlock()
	}
	bases := make([]int64, len(orgs))
	for i, o := range orgs {
		bases[i] = o.seq
	}

	// RSS is sampled while publishing; its peak is reported.
	var peak int64
	stopSampling, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, srv.rss())
			select {
			case <-stopSampling:
				peak = max(peak, srv.rss())
				return
			case <-t.C:
			}
		}
	}()
	prefix := os.Getenv("WL_BENCH_CPUPROFILE")
	name := prefix + "-" + strings.NewReplacer("/", "_", "=", "").Replace(b.Name())
	if prefix != "" {
		f, err := os.Create(name + ".prof")
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
	}
	cpu0, self0 := srv.cpuTime(), loadRusage()
	stall0, pg0 := loadCPUStall(), loadPostgresCPU(db)
	start := time.Now()
	commits, writes, err := loadPublish(db, orgs, rate, d, writer)
	wall := time.Since(start)
	cpu1, self1 := srv.cpuTime(), loadRusage()
	stall1, pg1 := loadCPUStall(), loadPostgresCPU(db)
	if prefix != "" {
		pprof.StopCPUProfile()
	}
	close(stopSampling)
	<-sampled
	if err != nil {
		b.Fatalf("publish: %v", err)
	}
	if prefix != "" { // the heap with the connections open
		f, err := os.Create(name + ".heap")
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		pprof.WriteHeapProfile(f)
		f.Close()
	}

	// Every organisation's sequence must be exactly what its publisher wrote.
	es := postgres.NewEventStore(db)
	published := 0
	for i, o := range orgs {
		latest, err := es.LatestSeq(o.ctx)
		if err != nil {
			b.Fatal(err)
		}
		if latest != o.seq {
			b.Fatalf("organisation %d is at sequence %d, its publisher wrote up to %d", i, latest, o.seq)
		}
		published += int(o.seq - bases[i])
	}
	loadDrain(cl, orgs, 15*time.Second)

	var lat []float64
	for _, c := range cl.conns {
		c.mu.Lock()
		r.lost += c.skipped
		if last := orgs[c.org].seq; c.next <= last {
			r.lost += last + 1 - c.next // never came
		}
		r.disorder += c.repeated
		r.mismatch += c.bad
		if c.err != nil {
			if r.dropped++; r.firstDrop == nil {
				r.firstDrop = c.err
			}
		}
		base, at := bases[c.org], commits[c.org]
		for _, e := range c.recv {
			if i := e.seq - base - 1; i >= 0 && i < int64(len(at)) {
				lat = append(lat, float64(e.at-at[i])/float64(time.Millisecond))
			}
		}
		c.mu.Unlock()
	}
	r.p50, r.p95, r.p99 = loadPct(lat, 0.50), loadPct(lat, 0.95), loadPct(lat, 0.99)
	r.maxLat = loadPct(lat, 1)
	r.writeP50 = loadPct(writes, 0.5)
	r.evRate = float64(published) / wall.Seconds()
	r.delivRate = float64(len(lat)) / wall.Seconds()
	r.achieved = float64(published) / (float64(rate) * d.Seconds())
	r.rssMB = float64(peak) / (1 << 20)
	r.cpuPct = 100 * float64(cpu1-cpu0) / float64(wall)
	r.clientCPUPct = 100 * float64(self1-self0) / float64(wall)
	r.pgCPUPct = 100 * float64(loadPostgresDelta(pg0, pg1)) / float64(wall)
	if stall0 >= 0 {
		r.stallPct = 100 * float64(stall1-stall0) / float64(wall)
	}
	return r
}

// loadPublish writes rate events a second for d, round-robin over the
// organisations, one publisher each, and returns each organisation's
// commit times by sequence (the first is o.seq+1 as it was) and the
// duration of every write in ms. A publisher that falls 5 s behind stops.
func loadPublish(db *postgres.DB, orgs []*loadOrg, rate int, d time.Duration, writer string) (commits [][]time.Duration, writes []float64, err error) {
	total := int(float64(rate) * d.Seconds())
	commits = make([][]time.Duration, len(orgs))
	took := make([][]float64, len(orgs))
	cs := postgres.NewClientStore(db)
	t0 := time.Now().Add(20 * time.Millisecond)
	deadline := t0.Add(d + 5*time.Second)
	errs := make(chan error, len(orgs))
	var wg sync.WaitGroup
	for j, o := range orgs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(o.ctx, d+30*time.Second)
			defer cancel()
			// Event k is due at t0 + k/rate and goes to organisation k mod len(orgs).
			for k := j; k < total; k += len(orgs) {
				due := t0.Add(time.Duration(k) * time.Second / time.Duration(rate))
				if w := time.Until(due); w > 0 {
					time.Sleep(w)
				} else if time.Now().After(deadline) {
					return
				}
				notes := fmt.Sprintf("load seq %d", o.seq+1)
				start := time.Since(loadEpoch)
				var err error
				if writer == "store" {
					_, err = cs.UpdateClient(ctx, o.client.ID, warmline.ClientInput{Notes: &notes})
				} else {
					err = loadAppendEvent(ctx, db, o, notes)
				}
				if err != nil {
					errs <- err
					return
				}
				done := time.Since(loadEpoch)
				commits[j] = append(commits[j], done)
				took[j] = append(took[j], float64(done-start)/float64(time.Millisecond))
				o.seq++
			}
		})
	}
	wg.Wait()
	close(errs)
	for _, t := range took {
		writes = append(writes, t...)
	}
	return commits, writes, <-errs
}

// loadDrain waits until every open connection has its organisation's last
// event, or for at most limit.
func loadDrain(cl *loadClients, orgs []*loadOrg, limit time.Duration) {
	for by := time.Now().Add(limit); time.Now().Before(by); time.Sleep(20 * time.Millisecond) {
		behind := 0
		for _, c := range cl.conns {
			c.mu.Lock()
			if c.err == nil && c.next <= orgs[c.org].seq {
				behind++
			}
			c.mu.Unlock()
		}
		if behind == 0 {
			return
		}
	}
}

// loadAppendEvent is the event half of a write alone: the transaction that
// numbers the event on the organisation's counter row and inserts it, with
// the statement of postgres.appendEvent and data the shape and size of
// UpdateClient's, then the NOTIFY that wakes the hubs after the commit (the
// product's statement, one per event where the product takes every
// organisation committed meanwhile in one). It shows what the hub does when
// the rest of the write path does not take the CPU first.
func loadAppendEvent(ctx context.Context, db *postgres.DB, o *loadOrg, notes string) error {
	c := *o.client
	c.Notes = notes
	data, err := json.Marshal(&c)
	if err != nil {
		return err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var seq int64
	const q = `
		WITH next AS (UPDATE event_counters SET last_seq = last_seq + 1 WHERE org_id = $1 RETURNING last_seq)
		INSERT INTO events (org_id, seq, type, data) SELECT $1, last_seq, $2, $3 FROM next RETURNING seq`
	if err := tx.GetContext(ctx, &seq, q, o.id, warmline.EventClientUpdated, string(data)); err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	if seq != o.seq+1 {
		return fmt.Errorf("organisation %d: event got sequence %d, want %d", o.id, seq, o.seq+1)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`,
		postgres.EventsChannel, strconv.FormatInt(int64(o.id), 10))
	return err
}

// loadPct is the p-quantile (0..1) of xs, which it sorts.
func loadPct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[min(len(xs)-1, int(p*float64(len(xs))))]
}
