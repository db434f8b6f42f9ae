//go:build !linux

package media

import "errors"

// SetProcessPriority is Linux-only (see priority_linux.go); elsewhere only
// 0, "leave it", is accepted.
func SetProcessPriority(nice int) error {
	if nice != 0 {
		return errors.New("a nice value for the gateway is supported on Linux only")
	}
	return nil
}
