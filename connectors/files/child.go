package files

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"datakart/internal/frame"
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

// errNoChild wraps the error of a child that could not be started.
var errNoChild = fmt.Errorf("the reader's process could not be started")

// runChild starts a child (see startChild) that reads one file: the
// request, of type typ, is the file itself handed over in files, or the
// file's bytes in req. read reads the child's frames. The child is
// stopped when it has sent nothing for stall, when the scan is cancelled,
// or when read returns. stalled says it was stopped for stalling; exit is
// how it ended.
func runChild(ctx context.Context, env string, memory uint64, stall time.Duration, typ byte, req []byte, files []*os.File,
	read func(*frame.Reader) error) (stalled bool, exit, rerr error) {
	cmd, in, out, err := startChild(env, memory, files...)
	if err != nil {
		return false, nil, fmt.Errorf("%w: %w", errNoChild, err)
	}
	kill := func() { cmd.Process.Kill() }
	timer := time.AfterFunc(stall, kill)
	stopCancel := context.AfterFunc(ctx, kill)
	go func() {
		frame.Write(in, typ, uint32(len(req)), req)
		in.Close()
	}()
	// Each frame resets the stall timer.
	rerr = read(&frame.Reader{R: bufio.NewReaderSize(out, 64<<10), OnHeader: func() { timer.Reset(stall) }})
	stalled = !timer.Stop()
	stopCancel()
	cmd.Process.Kill() // done, or something went wrong: either way no more is read
	return stalled, cmd.Wait(), rerr
}

// childRequest is the request for a child that reads the file in r, which
// is the file f when f is not nil: the file itself, handed to the child
// as its file descriptor 3 (not its name: the file read is the one
// opened, wherever it is), else its bytes, bounded by MaxMemberBytes.
func (d *decoder) childRequest(r io.Reader, f *os.File) (typ byte, req []byte, files []*os.File, err error) {
	if f != nil && inheritFiles {
		return frame.FileRequest, nil, []*os.File{f}, nil
	}
	b, err := d.memberBytes(r)
	if err != nil {
		return 0, nil, nil, err
	}
	return frame.BytesRequest, b, nil, nil
}
