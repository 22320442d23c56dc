//go:build !linux

package noatime

// flag is O_NOATIME where the system has it (see noatime_linux.go).
const flag = 0
