package benchgen

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// PeakRSS reads the process's peak resident set (VmHWM of
// /proc/self/status) in MiB; -1 when the kernel does not offer it (any OS
// but Linux).
func PeakRSS() float64 {
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(st), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				return -1
			}
			return kb / 1024
		}
	}
	return -1
}

// ResetPeakRSS collects garbage, returns freed memory to the OS and resets
// the peak resident set (Linux clear_refs 5), so that a following PeakRSS
// measures only what runs in between. It returns a function reading the
// new peak, or one returning -1 when the reset is not possible.
func ResetPeakRSS() func() float64 {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return func() float64 { return -1 }
	}
	return PeakRSS
}
