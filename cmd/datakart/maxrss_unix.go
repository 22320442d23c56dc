//go:build unix

package main

import (
	"os"
	"syscall"
)

// maxRSS is the peak resident memory of an ended process as its rusage
// gives it (in KiB on Linux), or 0.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) * 1024
	}
	return 0
}
