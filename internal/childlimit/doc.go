// Package childlimit holds a child process (this same program, started
// again to read a hostile format: a PDF, a 7z archive, a Parquet file) to
// a memory limit, so that whatever a file makes its reader allocate ends
// that process and not the scan.
package childlimit

import (
	"io"
	"os"
	"runtime/debug"
	"strconv"
)

// Serve makes this process the child that env names, where it was started
// as one: env's value is its memory limit in bytes. The process is held to
// that limit (not under the race detector, see MemoryLimited), its garbage
// collector works hard from half of it, and it exits with the code serve
// returns for the request on stdin. Elsewhere Serve returns at once.
func Serve(env string, serve func(in io.Reader, out io.Writer, memory uint64) int) {
	memory, err := strconv.ParseUint(os.Getenv(env), 10, 64)
	if err != nil {
		return
	}
	if MemoryLimited {
		Limit(memory)
	}
	debug.SetMemoryLimit(int64(memory / 2)) // collect hard before the limit kills
	os.Exit(serve(os.Stdin, os.Stdout, memory))
}
