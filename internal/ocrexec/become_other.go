//go:build !unix

package ocrexec

import (
	"context"
	"os/exec"
)

// become is not used where there is no exec: tesseract runs directly,
// without a memory limit.
func become(string, uint64, []string) {}

func command(ctx context.Context, path string, _ uint64, args []string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = environ()
	return cmd, nil
}
