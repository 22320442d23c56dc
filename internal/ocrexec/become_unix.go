//go:build unix

package ocrexec

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"datakart/internal/childlimit"
)

func become(path string, memory uint64, args []string) {
	childlimit.Limit(memory)
	_ = syscall.Exec(path, append([]string{path}, args...), append(environ(), "OMP_THREAD_LIMIT=1"))
}

func command(ctx context.Context, path string, memory uint64, args []string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(environ(), Env+"="+strconv.FormatUint(memory, 10)+":"+path)
	return cmd, nil
}
