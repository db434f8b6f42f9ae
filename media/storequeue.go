package media

import (
	"context"
	"time"
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
