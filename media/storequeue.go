package media

import (
	"context"
	"sync"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// The writes that follow a hang-up (the call record's end, the agent's
// after-call state) take their turn: at most endWriters at once, each
// with the full storeTimeout from when its turn comes. Ending a call is
// about ten milliseconds of database work that cannot overlap much with
// another call's of the same organisation (the event sequence on the
// organisation's row, the client's counters, the rules engine), so a
// floor hanging up hundreds of calls at once takes seconds to write
// whatever the concurrency. Without the queue every write's deadline ran
// while it waited for a pooled connection and for the rows other ends
// held, and the last ones of a burst of 200 timed out; queued in the
// gateway, in order, they wait without spending their deadline and leave
// the pool's other connections to the rest of Warmline.
const (
	endWriters = 4
	// endQueueWait bounds the wait for a turn (a database that stopped
	// answering must not hold hang-ups forever): after it the write goes
	// ahead anyway, with its own timeout.
	endQueueWait = 2 * time.Minute
)

type writeQueue chan struct{}

func newWriteQueue() writeQueue { return make(writeQueue, endWriters) }

// do runs write with a fresh storeTimeout context once a turn is free.
func (q writeQueue) do(write func(ctx context.Context) error) error {
	t := time.NewTimer(endQueueWait)
	select {
	case q <- struct{}{}:
		t.Stop()
		defer func() { <-q }()
	case <-t.C:
	}
	ctx, cancel := storeCtx()
	defer cancel()
	return write(ctx)
}

// A write that follows a hang-up and fails for a reason of the moment
// (the connection dropped, Postgres restarting or failing over, a lock
// held past the write's deadline) is tried again in the background, in
// the same queue, 0.5 s later and then twice as long each time up to
// 30 s, until it is written or the gateway stops. Errors that are the
// write's own (invalid, not found) are not retried.
const (
	retryFirst = 500 * time.Millisecond
	retryMax   = 30 * time.Second // Postgres back after a long outage: within half a minute
)

// passing reports whether err may not happen again: an outage, not an
// error of the write's own.
func passing(err error) bool { return warmline.ErrorCode(err) == warmline.EINTERNAL }

// retryLater calls attempt with the back-off above until it reports
// done, or the gateway stops (stop done).
func retryLater(stop context.Context, attempt func() (done bool)) {
	go func() {
		wait := retryFirst
		for {
			t := time.NewTimer(wait)
			select {
			case <-stop.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if attempt() {
				return
			}
			wait = min(2*wait, retryMax)
		}
	}()
}

// endRecord closes the call's record with end, retrying a passing
// failure. A record left open would show the call as live on its
// client's card and the wallboard until this node restarted, and the
// restart (CloseOrphans) would close it as interrupted at the restart's
// time instead of its own. EndCall is idempotent (ending an ended call
// changes nothing), so an attempt that committed but lost its answer is
// safe to repeat; the end keeps the time the call ended.
func (g *Gateway) endRecord(org warmline.OrgID, id warmline.CallID, end CallEnd) {
	write := func() (done bool) {
		err := g.ends.do(func(ctx context.Context) error { return g.store.EndCall(ctx, org, id, end) })
		if err != nil && passing(err) {
			g.log.Warn("end call record: will try again until written or the gateway stops (its next start closes it)", "call", id, "err", err)
			return false
		}
		if err != nil {
			g.log.Error("end call record", "call", id, "err", err)
		}
		return true
	}
	if !write() {
		retryLater(g.lifetime(), write)
	}
}

// An agent's state after a call (wrap-up, then available) that failed to
// be written would leave the agent on_call in the database, and inbound
// routing would pass them over until they changed it themselves. So the
// call flow's state writes are retried too, with two differences: a
// retry writes the newest state the call flow wants for the agent (an
// agent's writes go one at a time, so an older state never lands after
// a newer one), and it changes nothing once the agent is away or offline
// (SetAgentStateIfReachable), states agents set themselves through the
// API that a late retry must not undo.

// agentStateWrite is the call flow's wanted state for one agent; mu is
// held across a write and guards the rest.
type agentStateWrite struct {
	mu       sync.Mutex
	org      warmline.OrgID
	want     warmline.AgentState // the newest state the call flow set
	dirty    bool                // the database may not hold want
	retrying bool                // a retry is pending
}

// agentStateOf is id's wanted state, created on first use.
func (g *Gateway) agentStateOf(id warmline.UserID) *agentStateWrite {
	g.mu.Lock()
	defer g.mu.Unlock()
	w := g.agentStates[id]
	if w == nil {
		w = &agentStateWrite{}
		g.agentStates[id] = w
	}
	return w
}

// setAgentState records an agent's state while their softphone is on
// (an agent who went offline keeps the state the backend gave them),
// retrying a passing failure.
func (g *Gateway) setAgentState(org warmline.OrgID, id warmline.UserID, st warmline.AgentState) {
	if id == 0 || g.session(id) == nil {
		return
	}
	w := g.agentStateOf(id)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.org, w.want = org, st
	w.dirty = !g.writeAgentState(w, id, g.store.SetAgentState)
	if w.dirty && !w.retrying {
		w.retrying = true
		retryLater(g.lifetime(), func() bool { return g.retryAgentState(w, id) })
	}
}

// retryAgentState writes w's newest wanted state, unless it is written
// already or the agent's softphone went off (the backend's offline then
// stands); it reports whether the retries are over.
func (g *Gateway) retryAgentState(w *agentStateWrite, id warmline.UserID) (done bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case !w.dirty:
	case g.session(id) == nil:
		w.dirty = false
	default:
		w.dirty = !g.writeAgentState(w, id, g.store.SetAgentStateIfReachable)
	}
	w.retrying = w.dirty
	return !w.dirty
}

// writeAgentState writes w.want with set; false on a passing failure
// (logged), to be tried again.
func (g *Gateway) writeAgentState(w *agentStateWrite, id warmline.UserID,
	set func(context.Context, warmline.OrgID, warmline.UserID, warmline.AgentState) error) bool {
	org, st := w.org, w.want
	err := g.ends.do(func(ctx context.Context) error { return set(ctx, org, id, st) })
	switch {
	case err == nil:
		return true
	case passing(err):
		g.log.Warn("set agent state: will try again", "agent", id, "state", st, "err", err)
		return false
	default:
		g.log.Error("set agent state", "agent", id, "state", st, "err", err)
		return true
	}
}

// lifetime is the context Run was given (done when the gateway stops).
func (g *Gateway) lifetime() context.Context {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.runCtx == nil {
		return context.Background()
	}
	return g.runCtx
}
