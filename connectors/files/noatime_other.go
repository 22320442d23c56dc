//go:build !linux

package files

// noAtime is O_NOATIME where the system has it (see noatime_linux.go).
const noAtime = 0
