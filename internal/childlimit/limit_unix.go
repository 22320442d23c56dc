//go:build unix

package childlimit

import "syscall"

// Limit caps the process's data segment, where the Go heap lives:
// past it, an allocation fails and the process ends.
func Limit(n uint64) {
	_ = syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: n, Max: n})
}
