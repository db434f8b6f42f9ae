package media_test

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/warmline/warmline/media"
)

// A gateway configured with a media priority puts the poller's thread,
// and no other thread of the process, in SCHED_RR at that priority: the
// runtime's other threads (HTTP, pion, SIP), including the ones it starts
// afterwards, stay at normal priority. Where the process may not have a
// real-time priority the gateway still starts, at normal priority.
func TestGateway_PollerAloneAtRealTimePriority(t *testing.T) {
	configure = func(c *media.Config) { c.MediaPriority = 10 }
	t.Cleanup(func() {
		configure = nil
		_ = media.SetPollerPriority(0)
	})
	newFixtureTB(t, 0)
	poller := media.PollerThread()
	attr, err := unix.SchedGetAttr(poller, 0)
	if err != nil {
		t.Fatal(err)
	}
	var rt unix.Rlimit
	_ = unix.Getrlimit(unix.RLIMIT_RTPRIO, &rt)
	if (os.Geteuid() != 0 && rt.Cur < 10) || runtime.NumCPU() < 2 { // no CAP_SYS_NICE (as a rule) and no allowance, or one CPU
		if attr.Policy != unix.SCHED_NORMAL {
			t.Fatalf("not permitted or one CPU, yet the poller's policy is %d", attr.Policy)
		}
		t.Skip("this process may not take a real-time priority or has one CPU: checked that the gateway runs without it")
	}
	if attr.Policy != unix.SCHED_RR || attr.Priority != 10 || attr.Flags&unix.SCHED_FLAG_RESET_ON_FORK == 0 {
		t.Fatalf("poller thread %d: policy %d priority %d flags %#x, want SCHED_RR 10 with reset-on-fork", poller, attr.Policy, attr.Priority, attr.Flags)
	}

	// Make the runtime start threads now, after the poller went
	// real-time: a goroutine blocked in a system call holds its thread, so
	// more blocked reads than the process has threads need new ones.
	threads := func() []os.DirEntry {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			t.Fatal(err)
		}
		return tasks
	}
	before := len(threads())
	fds := make([][2]int, before+4)
	done := make(chan struct{})
	for i := range fds {
		if err := syscall.Pipe(fds[i][:]); err != nil {
			t.Fatal(err)
		}
		go func(fd int) {
			var b [1]byte
			_, _ = syscall.Read(fd, b[:]) // blocking: this goroutine's thread waits here
			done <- struct{}{}
		}(fds[i][0])
	}
	defer func() {
		for i := range fds {
			_, _ = syscall.Write(fds[i][1], []byte{1})
			<-done
			syscall.Close(fds[i][0])
			syscall.Close(fds[i][1])
		}
	}()
	tasks := threads()
	for deadline := time.Now().Add(5 * time.Second); len(tasks) < before+4; tasks = threads() {
		if time.Now().After(deadline) {
			t.Fatalf("%d threads, %d before: the blocked reads did not start new ones", len(tasks), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, task := range tasks {
		tid, _ := strconv.Atoi(task.Name())
		if tid == poller {
			continue
		}
		if a, err := unix.SchedGetAttr(tid, 0); err == nil && a.Policy != unix.SCHED_NORMAL {
			t.Errorf("thread %d has policy %d priority %d: only the poller's should be real-time", tid, a.Policy, a.Priority)
		}
	}
}

// On one CPU the poller stays at normal priority whatever the
// configuration: a real-time thread that fell behind would starve the
// database and the web server. The test runs itself again confined to
// one CPU (taskset), since the runtime counts CPUs at start.
func TestGateway_PollerAtNormalPriorityOnOneCPU(t *testing.T) {
	if os.Getenv("WL_TEST_ONE_CPU") == "1" {
		if runtime.NumCPU() != 1 {
			t.Fatalf("%d CPUs: taskset did not confine the test", runtime.NumCPU())
		}
		configure = func(c *media.Config) { c.MediaPriority = 10 }
		t.Cleanup(func() { configure = nil })
		newFixtureTB(t, 0)
		attr, err := unix.SchedGetAttr(media.PollerThread(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if attr.Policy != unix.SCHED_NORMAL {
			t.Fatalf("one CPU, yet the poller's policy is %d priority %d", attr.Policy, attr.Priority)
		}
		return
	}
	cmd := exec.Command("taskset", "-c", "0", os.Args[0], "-test.run", "^TestGateway_PollerAtNormalPriorityOnOneCPU$", "-test.v", "-test.count", "1")
	cmd.Env = append(os.Environ(), "WL_TEST_ONE_CPU=1")
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		t.Fatalf("the test on one CPU: %v\n%s", err, out)
	case strings.Contains(string(out), "--- SKIP"):
		t.Skipf("the test on one CPU skipped:\n%s", out)
	case !strings.Contains(string(out), "--- PASS"):
		t.Fatalf("the test on one CPU did not run:\n%s", out)
	}
}
