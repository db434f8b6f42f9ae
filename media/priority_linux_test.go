//go:build linux

package media_test

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/warmline/warmline/media"
)

// threadNices reads the nice value of every thread of this process
// (/proc/self/task/<tid>/stat, field 19).
func threadNices(t *testing.T) map[int]int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]int{}
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/stat")
		if err != nil {
			continue // the thread ended
		}
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // field 3 onwards
		nice, err := strconv.Atoi(fields[16])
		if err != nil {
			t.Fatalf("stat of thread %s: %q", task.Name(), s)
		}
		tid, _ := strconv.Atoi(task.Name())
		out[tid] = nice
	}
	return out
}

// Every thread gets the value, those the runtime starts afterwards too.
// It runs in a child process of its own (the test binary again), as a
// process cannot take a lower value back without privileges and the
// other tests must not run slower.
func TestSetProcessPriority_EveryThreadAndLaterOnes(t *testing.T) {
	if os.Getenv("WL_PRIORITY_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestSetProcessPriority_EveryThreadAndLaterOnes$", "-test.v")
		cmd.Env = append(os.Environ(), "WL_PRIORITY_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	if err := media.SetProcessPriority(7); err != nil {
		t.Fatal(err)
	}
	// Make the runtime start threads: goroutines that each hold one.
	var started, release sync.WaitGroup
	release.Add(1)
	for range 8 {
		started.Add(1)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			started.Done()
			release.Wait()
		}()
	}
	started.Wait()
	nices := threadNices(t)
	release.Done()
	if len(nices) < 9 {
		t.Fatalf("only %d threads: the test did not start new ones", len(nices))
	}
	for tid, n := range nices {
		if n != 7 {
			t.Errorf("thread %d has nice %d, want 7 (%d threads)", tid, n, len(nices))
		}
	}
}

func TestSetProcessPriority_RefusesOutOfRange(t *testing.T) {
	for _, n := range []int{-21, 20} {
		if err := media.SetProcessPriority(n); err == nil || !strings.Contains(err.Error(), "want -20 to 19") {
			t.Errorf("nice %d: %v", n, err)
		}
	}
}
