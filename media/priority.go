package media

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// The poller's thread is given a real-time priority (SCHED_RR), as
// Asterisk (-p) and FreeSWITCH (-rp) give their media threads: at normal
// priority a packet that wakes the poller waits until the kernel's fair
// scheduler lets the thread run, and on a busy machine that wait is the
// call's jitter. Measured on the 2-vCPU machine (BENCHMARKS.md, round 5),
// N=200 calls: gateway-added p99 0.20–0.71 ms against 3.2–6.7 ms, and at
// N=500 no packet lost where normal priority let the kernel drop 100 000
// a minute, for 22–34 % more CPU per packet at N=200 (each packet is now a
// wake-up of its own instead of waiting to be batched with the next;
// under load coalesce.go takes part of that back).
//
// Only the poller's thread: it does the whole media path (read, SRTP,
// rewrite, send) and nothing else, never blocks on anything but its short
// per-leg locks, and a packet costs it microseconds. The HTTP handlers,
// pion's ICE and DTLS and the SIP stack stay at normal priority, so a
// busy media thread cannot starve Postgres or a log-in. The kernel's
// real-time throttling (sched_rt_runtime_us, 95 % of a CPU by default)
// still bounds a runaway thread; the threads it would start inherit
// nothing (SCHED_FLAG_RESET_ON_FORK, and the runtime starts new threads
// from an unlocked one anyway).

// setPriority puts the poller's thread in SCHED_RR at prio (1–99), or
// back to normal scheduling (SCHED_OTHER) with 0. A process needs
// CAP_SYS_NICE or an RLIMIT_RTPRIO of at least prio for the first.
func (p *poller) setPriority(prio int) error {
	attr := unix.SchedAttr{Policy: unix.SCHED_NORMAL}
	if prio > 0 {
		attr = unix.SchedAttr{Policy: unix.SCHED_RR, Priority: uint32(prio), Flags: unix.SCHED_FLAG_RESET_ON_FORK}
	}
	if err := unix.SchedSetAttr(p.tid, &attr, 0); err != nil {
		return fmt.Errorf("media poller: sched_setattr(policy %d, priority %d) on thread %d: %w", attr.Policy, prio, p.tid, err)
	}
	return nil
}

// applyPriority gives the poller the configured priority when the gateway
// starts. A refusal is not fatal: the calls work, with more jitter while
// the machine is busy, and the log says how to allow it.
func (g *Gateway) applyPriority() {
	prio := g.cfg.MediaPriority
	if prio == 0 {
		g.log.Info("media poller at normal priority (WARMLINE_MEDIA_PRIORITY=0)")
		return
	}
	p, err := mediaPoller()
	if err == nil && p.cpus < 2 {
		// With one CPU (the affinity mask, or since Go 1.25 a container's
		// CPU limit, as the runtime counts them) a real-time thread that
		// fell behind, with more calls than the CPU carries, would take
		// 95 % of it from Postgres and the web server, and the agents
		// could not even hang up.
		g.log.Warn("media poller at normal priority: this process may use one CPU only, and a real-time thread could starve the database and the web server",
			"priority", prio)
		return
	}
	if err == nil {
		err = p.setPriority(prio)
	}
	if err != nil {
		g.log.Warn("media poller at normal priority: real-time priority refused, so audio can be late while the machine is busy; "+
			"allow it (CAP_SYS_NICE: docker-compose cap_add SYS_NICE; systemd LimitRTPRIO) or set WARMLINE_MEDIA_PRIORITY=0",
			"priority", prio, "err", err)
		return
	}
	g.log.Info("media poller at real-time priority", "policy", "SCHED_RR", "priority", prio)
}
