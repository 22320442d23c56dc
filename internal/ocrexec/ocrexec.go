// Package ocrexec runs Tesseract for the file connector held to a memory
// limit and one thread. Tesseract is started through this same program:
// with Env set, it caps its own memory (RLIMIT_DATA, which an exec
// keeps) and becomes tesseract, so that an image that makes Tesseract
// allocate without end (a pixel bomb: a few kilobytes of PNG that say
// 50,000 by 50,000 pixels) ends that process, not the scan.
package ocrexec

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Env names the variable that makes this program become tesseract; its
// value is the memory limit in bytes, a colon, and tesseract's path.
const Env = "DATAKART_OCR_EXEC"

func init() {
	if v, ok := os.LookupEnv(Env); ok {
		limit, path, _ := strings.Cut(v, ":")
		n, _ := strconv.ParseUint(limit, 10, 64)
		become(path, n, os.Args[1:])
		os.Exit(127) // become returns only when the exec failed
	}
}

// Command returns the command that runs the tesseract at path with args,
// held to memory bytes where the system allows it.
func Command(ctx context.Context, path string, memory uint64, args ...string) (*exec.Cmd, error) {
	cmd, err := command(ctx, path, memory, args)
	if err != nil {
		return nil, err
	}
	// One thread: the scan reads files in parallel already, and
	// Tesseract's OpenMP threads would compete with it.
	cmd.Env = append(cmd.Env, "OMP_THREAD_LIMIT=1")
	return cmd, nil
}

// environ is the environment without Env.
func environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, Env+"=") {
			env = append(env, kv)
		}
	}
	return env
}
