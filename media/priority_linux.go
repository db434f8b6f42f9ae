//go:build linux

package media

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// SetProcessPriority gives every thread of this process the nice value
// nice (-20 runs first, 19 last), as media servers offer (FreeSWITCH -hp,
// Asterisk -p): a packet's wait for a CPU is the gateway's latency, and
// on a machine shared with the API, Postgres or anything else, audio is
// what cannot wait (BENCHMARKS.md: the p99 added at 50–200 calls fell
// from 1.5–8 ms to 0.4–0.9 ms on this 2-vCPU machine). A value below the
// current one needs CAP_SYS_NICE.
//
// Linux keeps a nice value per thread and a new thread takes its
// creator's, so setting every thread there is now covers the threads the
// Go runtime starts later; the passes repeat for threads started while
// one ran.
func SetProcessPriority(nice int) error {
	if nice < -20 || nice > 19 {
		return fmt.Errorf("nice value %d: want -20 to 19", nice)
	}
	for range 3 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("list this process's threads: %w", err)
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil && !errors.Is(err, syscall.ESRCH) {
				if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) {
					return fmt.Errorf("nice value %d needs the CAP_SYS_NICE capability (root, docker --cap-add SYS_NICE, or systemd's Nice=): %w", nice, err)
				}
				return fmt.Errorf("set the nice value of thread %d: %w", tid, err)
			}
		}
	}
	return nil
}
