package media

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// The SIP legs' RTP sockets are read by one poller per process: a
// goroutine that waits in epoll_wait through a raw system call and
// forwards each packet from there, instead of a goroutine per socket
// parked in the Go runtime's netpoller.
//
// Why: a call's packets come one at a time, 50 a second each way, so
// every packet is a wake-up, and on the netpoller a wake-up is the
// runtime's work as well as the kernel's (netpoll readies the reader,
// a P is found for it, the reader parks again after an EAGAIN read,
// spinning Ms look for more work, sysmon watches the syscall). Measured
// on this project's 2-vCPU machine with 100 sockets at 50 packets/s
// each, echoing every packet: 23–26 µs of CPU per packet on the
// netpoller, 20–24 µs in epoll_wait through syscall.Syscall (the
// runtime still hands off the P on entry and takes it back on exit),
// 9–10 µs through a raw system call (BENCHMARKS.md, "one poller").
//
// The price of the raw call is that the runtime thinks the poller is
// running while it sleeps in the kernel, so it keeps one P: the first
// use raises GOMAXPROCS by one so that the rest of the process keeps
// its share. A signal interrupts the wait (EINTR); the loop then yields,
// which is how the garbage collector and the scheduler get the
// goroutine to stop when they need it to.
type poller struct {
	epfd   int
	events []syscall.EpollEvent // on the heap: the kernel writes here
	buf    []byte               // the one receive buffer: one goroutine reads

	mu      sync.RWMutex // held for reading while a batch is handled
	readers map[int32]pollReader

	tid  int // the poller's OS thread (it is locked to it): for its priority
	cpus int // GOMAXPROCS before the poller's own: the CPUs the process may use

	coalesce atomic.Int64     // the pause under load, ns (coalesce.go); 0: none
	pause    syscall.Timespec // nanosleep's argument, on the heap like events
}

// pollReader is a socket the poller reads: readable is called on the
// poller's goroutine when its fd has data, with the poller's buffer, and
// says how many packets it read (for the coalescer, coalesce.go). It
// must not block for long: every other call waits meanwhile.
type pollReader interface {
	readable(buf []byte) int
}

// pollerEINTR counts interrupted waits (tests check that a collection
// needs only a few).
var pollerEINTR atomic.Uint64

// The poller's wake-ups (batches), the packets they read and the pauses
// it took (coalesce.go): tests and the load benchmark read them.
var pollerWakes, pollerPackets, pollerPauses atomic.Uint64

var sharedPoller struct {
	once sync.Once
	p    *poller
	err  error
}

// mediaPoller is the process's poller, started on first use.
func mediaPoller() (*poller, error) {
	sharedPoller.once.Do(func() {
		fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			sharedPoller.err = fmt.Errorf("media poller: epoll_create1: %w", err)
			return
		}
		p := &poller{epfd: fd, events: make([]syscall.EpollEvent, 128), buf: make([]byte, 1500),
			readers: map[int32]pollReader{}, cpus: runtime.GOMAXPROCS(0)}
		runtime.GOMAXPROCS(p.cpus + 1)
		started := make(chan struct{})
		go p.run(started)
		<-started
		sharedPoller.p = p
	})
	return sharedPoller.p, sharedPoller.err
}

// add starts reading fd. Level-triggered: one read per readiness, and
// a socket with more queued is ready again in the next wait.
func (p *poller) add(fd int, r pollReader) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	if err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return fmt.Errorf("media poller: add fd %d: %w", fd, err)
	}
	p.readers[int32(fd)] = r
	return nil
}

// remove stops reading fd. Once it returns the poller does not call fd's
// reader again (a batch in progress holds the read lock), so the caller
// may close the fd. An event already fetched for fd whose number is
// reused by then reaches the new socket's reader: a non-blocking read
// that finds nothing, or that socket's own packet.
func (p *poller) remove(fd int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, fd, nil)
	delete(p.readers, int32(fd))
}

func (p *poller) run(started chan<- struct{}) {
	// Its own thread, so that a priority given to the thread is the
	// poller's alone; the runtime starts other threads from a clean
	// template thread, never from a locked one.
	runtime.LockOSThread()
	p.tid = syscall.Gettid()
	close(started)
	var co coalescer
	epoch := time.Now()
	for {
		n, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(p.epfd),
			uintptr(unsafe.Pointer(&p.events[0])), uintptr(len(p.events)), ^uintptr(0), 0, 0) // timeout -1, no signal mask
		if errno != 0 {
			// EINTR: most often the runtime's preemption signal (the GC
			// stopping the world or scanning this goroutine's stack,
			// sysmon after 10 ms): let the preemption happen.
			pollerEINTR.Add(1)
			preemptionPoint()
			continue
		}
		began, packets := time.Since(epoch), 0
		p.mu.RLock()
		for _, ev := range p.events[:n] {
			if r := p.readers[ev.Fd]; r != nil {
				packets += r.readable(p.buf)
			}
		}
		p.mu.RUnlock()
		pollerWakes.Add(1)
		pollerPackets.Add(uint64(packets))
		if d := co.after(packets, int64(began), int64(time.Since(epoch)), p.coalesce.Load()); d > 0 {
			pollerPauses.Add(1)
			p.pause = syscall.NsecToTimespec(d)
			if _, _, errno := syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&p.pause)), 0, 0); errno != 0 {
				pollerEINTR.Add(1) // as for the wait: a preemption request
				preemptionPoint()
			}
		}
	}
}

// preemptionPoint lets a pending preemption take this goroutine. Its
// prologue checks the stack bound, which is where the runtime's request
// takes effect (a GC's stack scan parks the goroutine there until it is
// done); the compiler drops that check only from leaf functions, and
// this one calls Gosched. Gosched alone would not do: it is nosplit, and
// the goroutine it puts back on the run queue runs again, back in the
// system call, before a stack scan can claim it — measured: 20 idle-heap
// collections took 3.0–4.1 s and interrupted the wait 150 000–220 000
// times; with this function 0.12–0.14 s and about 6 times each.
//
//go:noinline
func preemptionPoint() {
	runtime.Gosched()
}
