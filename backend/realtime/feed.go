package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/warmline/warmline/backend/warmline"
)

const (
	// ringSize is how many recent events a feed keeps for resuming browsers
	// without a query.
	ringSize = 1024
	// fetchBatch bounds one read of new events.
	fetchBatch = 1000
)

// eventSource is what a feed reads; postgres.EventStore implements it.
type eventSource interface {
	EventsAfter(ctx context.Context, after int64, limit int) ([]*warmline.Event, error)
	LatestSeq(ctx context.Context) (int64, error)
	AgentsOwnOnly(ctx context.Context) (bool, error)
}

// feed is one organisation's stream on this node: the last sequence read,
// the recent events, and the connections to deliver to. Its mutex orders
// subscribing against delivery, so a new subscriber gets every event after
// its starting point exactly once.
type feed struct {
	org warmline.OrgID
	src eventSource
	// maxBackfill is how far behind a browser may resume from; further
	// behind it is told to resync over REST (cheaper than replaying).
	maxBackfill int64

	mu      sync.Mutex
	last    int64    // highest sequence read from the database
	ring    []*event // recent events, oldest first, at most ringSize
	ownOnly bool     // the organisation's "agents see only their own clients"
	subs    map[*subscriber]struct{}
	dead    bool // removed from the hub: subscribing must go to a new feed

	// reading is idle, reading or readAgain (see kick): notifications that
	// arrive while a read runs fold into one more read instead of queueing
	// one read each.
	reading atomic.Int32
}

const (
	idle int32 = iota
	readingNow
	readAgain
)

// errFeedGone says the feed was removed between lookup and subscribe.
var errFeedGone = errors.New("feed removed")

func newFeed(ctx context.Context, org warmline.OrgID, src eventSource, maxBackfill int64) (*feed, error) {
	f := &feed{org: org, src: src, maxBackfill: maxBackfill, subs: map[*subscriber]struct{}{}}
	octx := f.orgCtx(ctx)
	var err error
	if f.last, err = src.LatestSeq(octx); err != nil {
		return nil, err
	}
	if f.ownOnly, err = src.AgentsOwnOnly(octx); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *feed) orgCtx(ctx context.Context) context.Context {
	return warmline.WithActor(ctx, warmline.Actor{OrgID: f.org, System: true})
}

// subscribe adds s and returns the hello message and the events s missed
// after `after` (nil: start from now). A browser too far behind, or ahead
// of the database (another database, a restore), gets a resync instead.
func (f *feed) subscribe(ctx context.Context, s *subscriber, after *int64) (hello Message, backlog [][]byte, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return Message{}, nil, errFeedGone
	}
	if err := f.pullLocked(ctx); err != nil {
		return Message{}, nil, err
	}
	helloData, _ := json.Marshal(map[string]any{"org_id": s.actor.OrgID, "user_id": s.actor.UserID})
	hello = Message{Type: TypeHello, Seq: f.last, Data: helloData}
	switch {
	case after == nil:
	case *after > f.last || f.last-*after > f.maxBackfill:
		backlog = append(backlog, mustFrame(Message{Type: TypeResync, Seq: f.last}))
	default:
		hello.Seq = *after
		evs, err := f.sinceLocked(ctx, *after)
		if err != nil {
			return Message{}, nil, err
		}
		for _, ev := range evs {
			backlog = append(backlog, ev.frameFor(s, f.ownOnly))
		}
	}
	f.subs[s] = struct{}{}
	return hello, backlog, nil
}

// sinceLocked returns the events after seq, from the ring when it reaches
// back far enough, else from the database.
func (f *feed) sinceLocked(ctx context.Context, seq int64) ([]*event, error) {
	if len(f.ring) > 0 && f.ring[0].seq <= seq+1 {
		i := int(seq + 1 - f.ring[0].seq)
		return f.ring[i:], nil
	}
	var out []*event
	for after := seq; after < f.last; {
		evs, err := f.src.EventsAfter(f.orgCtx(ctx), after, fetchBatch)
		if err != nil {
			return nil, fmt.Errorf("backfill organisation %d after %d: %w", f.org, after, err)
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			if e.Seq > f.last {
				return out, nil
			}
			ev, err := newEvent(e)
			if err != nil {
				return nil, err
			}
			out = append(out, ev)
			after = e.Seq
		}
	}
	return out, nil
}

// unsubscribe removes s and reports whether the feed is now unused, in
// which case it is marked dead for the hub to forget.
func (f *feed) unsubscribe(s *subscriber) (gone bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs, s)
	f.dead = len(f.subs) == 0
	return f.dead
}

// kick asks for the events committed since the last read to be delivered,
// without waiting for it: the hub's notification loop must never block on
// a query (it did, and at 1 000 events/s the reads queued behind one
// another). Kicks during a read coalesce into one more read, so a burst of
// notifications costs at most two reads. read runs the wake; the hub bounds
// how many run at once.
func (f *feed) kick(read func(*feed)) {
	for {
		switch f.reading.Load() {
		case idle:
			if f.reading.CompareAndSwap(idle, readingNow) {
				go f.readLoop(read)
				return
			}
		case readingNow:
			if f.reading.CompareAndSwap(readingNow, readAgain) {
				return
			}
		default: // a read is already due after the running one
			return
		}
	}
}

func (f *feed) readLoop(read func(*feed)) {
	for {
		read(f)
		if f.reading.CompareAndSwap(readingNow, idle) {
			return
		}
		f.reading.Store(readingNow) // kicked meanwhile: read once more
	}
}

// wake reads the events committed since the last read and delivers them.
func (f *feed) wake(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pullLocked(ctx)
}

// pullLocked reads new events in order and hands each to every subscriber
// allowed to see it. A subscriber whose buffer is full is dropped, never
// waited for: one slow browser cannot delay the others.
func (f *feed) pullLocked(ctx context.Context) error {
	for {
		evs, err := f.src.EventsAfter(f.orgCtx(ctx), f.last, fetchBatch)
		if err != nil {
			return fmt.Errorf("read events of organisation %d after %d: %w", f.org, f.last, err)
		}
		for _, e := range evs {
			ev, err := newEvent(e)
			if err != nil {
				return fmt.Errorf("encode event %d of organisation %d: %w", e.Seq, f.org, err)
			}
			if e.Type == warmline.EventOrgUpdated {
				var o struct {
					OwnOnly bool `json:"agents_own_clients_only"`
				}
				if json.Unmarshal(e.Data, &o) == nil {
					f.ownOnly = o.OwnOnly
				}
			}
			f.last = e.Seq
			f.ring = append(f.ring, ev)
			if len(f.ring) > ringSize {
				f.ring = f.ring[len(f.ring)-ringSize:]
			}
			for s := range f.subs {
				if !s.offer(ev.frameFor(s, f.ownOnly)) {
					delete(f.subs, s) // dropped: its writer closes the socket
				}
			}
		}
		if len(evs) < fetchBatch {
			return nil
		}
	}
}

// mustFrame encodes and frames a message of a fixed shape.
func mustFrame(m Message) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // only fixed shapes are encoded here
	}
	return textFrame(b)
}
