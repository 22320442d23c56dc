package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"datakart/inventory"
)

// TestProgress: plain log lines on stderr when it is not a terminal, a
// redrawn status line on a terminal, and never anything on stdout.
func TestProgress(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	big := bytes.Repeat([]byte("Kunden ringte fra 912 34 567 om faktura 2024-118734, fnr 100487 44732.\n"), 400000)
	for _, name := range []string{"a.log", "b.log", "c.log"} {
		os.WriteFile(filepath.Join(dir, name), big, 0o644)
	}
	cmd := exec.Command(bin, "scan", "--no-history", "--concurrency", "1", "--format", "json", dir)
	cmd.Env = append(os.Environ(), "DATAKART_PROGRESS_INTERVAL=20ms")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatal(err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "datakart: ") || !strings.Contains(stderr.String(), "files and tables") {
		t.Errorf("no progress lines on stderr: %q", stderr.String())
	}
	if _, err := inventory.Read(&stdout); err != nil {
		t.Errorf("stdout is not the inventory alone: %v", err)
	}

	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to give the command a terminal")
	}
	out := filepath.Join(t.TempDir(), "inv.json")
	tty := exec.Command(script, "-qc", bin+" scan --no-history --concurrency 1 -o "+out+" "+dir, "/dev/null")
	tty.Env = append(os.Environ(), "TERM=xterm")
	screen, err := tty.CombinedOutput()
	if err != nil {
		t.Fatal(err, string(screen))
	}
	if !strings.Contains(string(screen), "\r\033[Kscanning 1 store(s)") {
		t.Errorf("no status line on a terminal: %q", string(screen[:min(len(screen), 300)]))
	}
}
