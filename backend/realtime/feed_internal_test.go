package realtime

import (
	"sync/atomic"
	"testing"
	"time"
)

// A burst of notifications while a read runs costs one more read, not one
// read each: the notification loop at 1 000 events/s queued reads before.
func TestKickCoalescesWakeUpsDuringARead(t *testing.T) {
	f := &feed{}
	var reads atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	read := func(*feed) {
		reads.Add(1)
		started <- struct{}{}
		<-release
	}
	f.kick(read)
	<-started // the first read is running and blocked
	for range 100 {
		f.kick(read)
	}
	close(release)
	<-started // the one extra read
	deadline := time.Now().Add(2 * time.Second)
	for f.reading.Load() != idle {
		if time.Now().After(deadline) {
			t.Fatal("the reader never went idle")
		}
		time.Sleep(time.Millisecond)
	}
	if got := reads.Load(); got != 2 {
		t.Fatalf("reads = %d, want 2 (the running one and one more for the burst)", got)
	}
	// Idle again: the next kick reads again.
	f.kick(func(*feed) { reads.Add(1); started <- struct{}{} })
	<-started
	if got := reads.Load(); got != 3 {
		t.Fatalf("reads after a later kick = %d, want 3", got)
	}
}
