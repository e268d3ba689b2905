//go:build unix

package session

import (
	"syscall"
	"time"
)

// processCPU is the user+system CPU time of this process so far; the
// benchmark reports it per event because wall time on a shared, loaded
// machine says more about the neighbours than about the code.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
