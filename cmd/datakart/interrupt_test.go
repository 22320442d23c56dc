package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"datakart/internal/testdb"
	"datakart/inventory"
)

// TestInterruptWritesPartialInventory sends SIGINT while a slow table is
// being read: the inventory of what was found is still written, marked
// incomplete, and the exit code is 130.
func TestInterruptWritesPartialInventory(t *testing.T) {
	bin := buildBinary(t)
	pg, schema := testdb.Postgres(t)
	testdb.Exec(t, pg,
		"CREATE TABLE "+schema+".kunder (id serial PRIMARY KEY, epost text)",
		"INSERT INTO "+schema+".kunder (epost) VALUES ('ola.nordmann@online.no')",
		"CREATE VIEW "+schema+".slow AS SELECT pg_sleep(30)::text AS x",
	)
	dir := t.TempDir()
	out := filepath.Join(dir, "inv.json")
	cmd := exec.Command(bin, "scan", "--views", "--statement-timeout", "60s", "--concurrency", "1", "--format", "json", "-o", out,
		"--include", schema+".*", "postgres://postgres@127.0.0.1:5432/test")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATAKART_PROGRESS_INTERVAL=50ms")
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	cmd.Stderr = io.MultiWriter(&stderr, pw)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the first table is done and the slow view is being
	// read: the progress lines say so.
	reached := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), " 1/2 files and tables") {
				reached <- true
				break
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		t.Fatalf("the first table was never done: %s", stderr.String())
	}
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	pw.Close()
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %v to stop after SIGINT", time.Since(start))
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit: %v, stderr %s", err, stderr.String())
	}
	inv, err := inventory.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Complete || !strings.Contains(inv.IncompleteReason, "interrupt") {
		t.Errorf("complete=%v reason=%q", inv.Complete, inv.IncompleteReason)
	}
	if testdb.Category(inv, schema+".kunder", "epost", "email") == nil {
		t.Error("what was found before the interrupt is not in the inventory")
	}
	if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}
}
