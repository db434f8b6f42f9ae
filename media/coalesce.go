package media

import "time"

// Under load the poller pauses briefly after each batch, so that the
// packets arriving meanwhile are handled in one wake-up instead of one
// wake-up each: what a network card's adaptive interrupt moderation
// does. At real-time priority (priority.go) every packet wakes the
// poller the moment it arrives, 1.1–1.3 packets per wake-up, and the
// wake-up itself (epoll_pwait's return, the switch into the thread and
// out, the readiness checks) was 11 % of the gateway's CPU at N=200.
// Measured on the 2-vCPU machine (BENCHMARKS.md, round 6), with a 200 µs
// pause against none: N=200 5.1 packets per wake-up and 22.8 µs of CPU
// per packet against 25.6–26.9; N=300 6.8–7.3 and 19.2–21.1 µs against
// 23.6–24.8, and the added p99 0.29–0.81 ms against 1.4–2.4 ms, because
// the load generator beside it gets the CPU the wake-ups took.
//
// Only under load: a pause gathers packets only if they arrive faster
// than one per pause; at a few calls each pause would cost a timer
// wake-up and gather nothing (measured at N=50: more CPU per packet,
// not less). So the poller counts the packets it handles and pauses
// only while, over the last window, a pause would have gathered at
// least coalesceMin of them. The price is latency: a packet waits at
// most one pause for its batch to begin (the added p50 at N=200–500 is
// 0.15–0.25 ms instead of 0.02–0.03). A SIP leg's socket is read once
// per batch (level-triggered), so a far end's burst of k packets drains
// in k pauses: 1 ms for 5, far below a browser's jitter buffer.

// MaxCoalesce bounds the configured pause: a packet may wait that much
// longer, and the gateway's whole budget is 1 ms at the 99th percentile.
const MaxCoalesce = time.Millisecond

// coalesceWindow is how often the arrival rate is re-estimated: short
// enough to follow the calls coming and going, long enough to count
// hundreds of packets under load.
const coalesceWindow = 10 * time.Millisecond

// coalesceMin is how many packets a pause must be expected to gather.
const coalesceMin = 3

// coalescer decides, after each of the poller's batches, how long to
// pause before the next wait. One goroutine (the poller's) uses it.
type coalescer struct {
	start   int64 // the window's start, ns on the poller's clock
	packets int64 // packets handled since start
	pausing bool
}

// after is told how many packets the batch just handled held, when it
// began and ended (ns on the poller's clock) and the configured pause
// (ns, 0: never pause); it returns how long to sleep now. The pause
// counts from the batch's start, so that under load the poller wakes at
// most once a pause however long its batches take, and a packet waits
// at most a pause for its batch to begin (counted from the end, a batch
// of 13 packets at 300 calls took as long again as the pause, and the
// p50 was the two together).
func (c *coalescer) after(packets int, began, now, pause int64) int64 {
	c.packets += int64(packets)
	if elapsed := now - c.start; elapsed >= int64(coalesceWindow) {
		// Expected per pause = rate × pause = packets/elapsed × pause.
		c.pausing = pause > 0 && c.packets*pause >= coalesceMin*elapsed
		c.start, c.packets = now, 0
	}
	if !c.pausing {
		return 0
	}
	return max(0, pause-(now-began))
}

// applyCoalesce gives the process's poller the configured pause (the
// poller is the process's, so the last gateway started sets it).
func (g *Gateway) applyCoalesce() {
	if p, err := mediaPoller(); err == nil {
		p.coalesce.Store(int64(g.cfg.MediaCoalesce))
	}
}
