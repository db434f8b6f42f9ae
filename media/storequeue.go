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

// A call record's end that fails for a reason of the moment (the
// connection dropped, Postgres restarting or failing over, a lock held
// past the write's deadline) is tried again until it is written: a
// record left open would show the call as live on its client's card and
// on the wallboard until this node restarted, and the restart would
// close it as interrupted at the restart's time instead of its own.
// EndCall is idempotent (ending an ended call changes nothing), so an
// attempt that committed but lost its answer is safe to repeat; the end
// keeps the time the call ended, not the time it was written.
const (
	endRetryFirst = 500 * time.Millisecond
	endRetryMax   = 30 * time.Second // Postgres back after a long outage: within half a minute
)

// endRecord closes the call's record with end, in the hang-ups' queue,
// retrying in the background while the error is not the record's own
// (invalid, not found). It stops trying when the gateway stops: the
// node's next start closes what is still open (CloseOrphans).
func (g *Gateway) endRecord(org warmline.OrgID, id warmline.CallID, end CallEnd) {
	write := func(ctx context.Context) error { return g.store.EndCall(ctx, org, id, end) }
	err := g.ends.do(write)
	if err == nil {
		return
	}
	if warmline.ErrorCode(err) != warmline.EINTERNAL {
		g.log.Error("end call record", "call", id, "err", err)
		return
	}
	g.log.Warn("end call record: will try again", "call", id, "err", err)
	stop := g.lifetime()
	go func() {
		wait := endRetryFirst
		for attempt := 2; ; attempt++ {
			t := time.NewTimer(wait)
			select {
			case <-stop.Done():
				t.Stop()
				g.log.Error("end call record: the gateway stopped; its next start closes the record", "call", id, "attempts", attempt-1)
				return
			case <-t.C:
			}
			err := g.ends.do(write)
			switch {
			case err == nil:
				g.log.Info("call record ended", "call", id, "attempts", attempt)
				return
			case warmline.ErrorCode(err) != warmline.EINTERNAL:
				g.log.Error("end call record", "call", id, "attempts", attempt, "err", err)
				return
			}
			g.log.Warn("end call record: will try again", "call", id, "attempts", attempt, "err", err)
			wait = min(2*wait, endRetryMax)
		}
	}()
}

// An agent's state after a call (wrap-up, then available) that failed to
// be written would leave the agent on_call in the database, and inbound
// routing would pass them over until they changed it themselves. So a
// failed write is tried again like a record's end, with two differences:
// a retry writes the newest state the call flow wants for the agent (the
// writes per agent go one at a time, in order, so an older state never
// lands after a newer one), and it changes nothing once the agent is away
// or offline (SetAgentStateIfReachable), states agents set themselves
// through the API that a late retry must not undo.

// agentStateWrite is the call flow's wanted state for one agent.
type agentStateWrite struct {
	mu       sync.Mutex // held across a write: an agent's writes go one at a time
	org      warmline.OrgID
	want     warmline.AgentState // the newest state the call flow set (g.mu)
	dirty    bool                // the database may not hold want (g.mu)
	retrying bool                // a retry goroutine runs (g.mu)
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

// retryAgentState writes w's wanted state until it is written, the
// agent's softphone goes off (the backend's offline then stands) or the
// gateway stops.
func (g *Gateway) retryAgentState(id warmline.UserID, w *agentStateWrite, stop context.Context) {
	done := func() { // with g.mu held
		w.dirty, w.retrying = false, false
	}
	wait := endRetryFirst
	for {
		t := time.NewTimer(wait)
		select {
		case <-stop.Done():
			t.Stop()
			g.mu.Lock()
			done()
			g.mu.Unlock()
			return
		case <-t.C:
		}
		w.mu.Lock()
		online := g.session(id) != nil
		g.mu.Lock()
		org, st, dirty := w.org, w.want, w.dirty
		g.mu.Unlock()
		var err error
		if online && dirty {
			err = g.ends.do(func(ctx context.Context) error { return g.store.SetAgentStateIfReachable(ctx, org, id, st) })
		}
		g.mu.Lock()
		if !online || !dirty || err == nil || warmline.ErrorCode(err) != warmline.EINTERNAL {
			switch {
			case err != nil:
				g.log.Error("set agent state", "agent", id, "state", st, "err", err)
			case online && dirty:
				g.log.Info("agent state written", "agent", id, "state", st)
			}
			done()
			g.mu.Unlock()
			w.mu.Unlock()
			return
		}
		g.mu.Unlock()
		w.mu.Unlock()
		g.log.Warn("set agent state: will try again", "agent", id, "state", st, "err", err)
		wait = min(2*wait, endRetryMax)
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
