//go:build unix

package uselite

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time this process has used so far, to report
// throughput per CPU-second: on a shared machine wall-clock rates mostly
// measure the neighbours.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
