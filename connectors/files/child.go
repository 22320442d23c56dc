package files

import (
	"io"
	"os"
	"os/exec"
	"strconv"
)

// startChild starts this same program as a child that reads a hostile
// format (a PDF, a 7z archive): env names the variable that makes it
// one, set to its memory limit in bytes; files are handed to it from file
// descriptor 3 on. The child's stderr is not passed on: a crash report
// may quote the file.
func startChild(env string, memory uint64, files ...*os.File) (cmd *exec.Cmd, in io.WriteCloser, out io.ReadCloser, err error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, nil, err
	}
	cmd = exec.Command(exe)
	cmd.Env = append(os.Environ(), env+"="+strconv.FormatUint(memory, 10))
	cmd.ExtraFiles = files
	if in, err = cmd.StdinPipe(); err != nil {
		return nil, nil, nil, err
	}
	if out, err = cmd.StdoutPipe(); err != nil {
		return nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, err
	}
	return cmd, in, out, nil
}
