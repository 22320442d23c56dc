//go:build unix

package pdftext

import "syscall"

// limitMemory caps the process's data segment, where the Go heap lives:
// past it, an allocation fails and the process ends.
func limitMemory(n uint64) {
	_ = syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: n, Max: n})
}
