package media

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Writes after hang-ups take turns, endWriters at a time, and a write's
// deadline counts from its turn, not from when it started waiting.
func TestWriteQueue_TurnsAndDeadlines(t *testing.T) {
	q := newWriteQueue()
	var running, most atomic.Int32
	var wg sync.WaitGroup
	short := make(chan time.Duration, 3*endWriters)
	for range 3 * endWriters {
		wg.Go(func() {
			_ = q.do(func(ctx context.Context) error {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				dl, _ := ctx.Deadline()
				short <- storeTimeout - time.Until(dl) // how much of its deadline it lost waiting
				time.Sleep(50 * time.Millisecond)
				running.Add(-1)
				return nil
			})
		})
	}
	wg.Wait()
	close(short)
	if most.Load() != endWriters {
		t.Fatalf("%d writes ran at once, want %d", most.Load(), endWriters)
	}
	for lost := range short {
		if lost > 20*time.Millisecond {
			t.Fatalf("a write started with %s of its deadline gone", lost)
		}
	}
}
