package main

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// doubleInterruptHelper runs in a child process: the first SIGINT must
// cancel the scan context, and the second must end the process at once,
// even though nothing here would ever stop on its own.
func doubleInterruptHelper() {
	ctx, _ := interruptContext()
	p, _ := os.FindProcess(os.Getpid())
	p.Signal(syscall.SIGINT)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		os.Exit(3) // the first interrupt did not cancel
	}
	p.Signal(syscall.SIGINT)
	time.Sleep(10 * time.Second)
	os.Exit(4) // the second interrupt did not end the process
}

func TestSecondInterruptExitsAtOnce(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DATAKART_TEST_DOUBLE_INTERRUPT=1")
	start := time.Now()
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("the helper exited normally: %v", err)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("the second Ctrl-C did not end the process: %v (exit %d)", err, ee.ExitCode())
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}
