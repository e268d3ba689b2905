//go:build unix

package nasty

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) the test process has used so
// far, as the kernel accounts it: unlike wall-clock time it does not
// grow while other processes have the CPU.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
