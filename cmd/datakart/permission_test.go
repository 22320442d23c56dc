package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"datakart/internal/testdb"
	"datakart/inventory"
)

// TestPermissionDenied: a file and a directory the scanning user may not
// read are each an error entry that says "permission denied", the rest of
// the tree is scanned, and the exit code is 0 (README, "Exit codes": what
// cannot be read is not fatal). Tests run as root here, and chmod 000
// denies root nothing, so the binary runs as nobody (uid 65534); run as
// anyone else, chmod 000 denies by itself and the binary runs as that user.
func TestPermissionDenied(t *testing.T) {
	// Everything the scanning user needs must be reachable by it:
	// t.TempDir and buildBinary's directory are 0700.
	dir, err := os.MkdirTemp("", "datakart-denied-")
	if err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(dir, "tree")
	t.Cleanup(func() {
		os.Chmod(filepath.Join(tree, "locked"), 0o755) // so that a non-root user can remove it
		os.RemoveAll(dir)
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "datakart")
	copyFile(t, buildBinary(t), bin, 0o755)

	for name, text := range map[string]string{
		"readable.csv":      "epost\nkari.nordmann@online.no\n",
		"sub/notat.txt":     "Kunden har fødselsnummer 10048744732\n",
		"secret.csv":        "epost\nola.nordmann@online.no\n",
		"locked/hidden.csv": "epost\nper@online.no\n",
	} {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"secret.csv", "locked"} {
		if err := os.Chmod(filepath.Join(tree, name), 0); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command(bin, "scan", "--no-history", "--format", "json", tree)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("exit %d, want 0: %s", ee.ExitCode(), stderr.String())
	} else if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Read(&stdout)
	if err != nil {
		t.Fatalf("%v; stderr: %s", err, stderr.String())
	}
	if !inv.Complete {
		t.Error("the scan did not finish")
	}

	msgs := map[string]string{}
	for _, e := range inv.Errors {
		msgs[e.Container] = e.Message
	}
	for _, name := range []string{"secret.csv", "locked"} {
		if !strings.Contains(msgs[name], "permission denied") {
			t.Errorf("%s: error %q, want it to say permission denied", name, msgs[name])
		}
	}
	if len(inv.Errors) != 2 {
		t.Errorf("errors %+v, want the file and the directory only", inv.Errors)
	}
	for _, want := range []struct{ container, field, cat string }{
		{"readable.csv", "epost", "email"},
		{"sub/notat.txt", "", "no_fnr"},
	} {
		if testdb.Category(inv, want.container, want.field, want.cat) == nil {
			t.Errorf("%s: %s not found", want.container, want.cat)
		}
	}
	for _, name := range []string{"secret.csv", "locked/hidden.csv"} {
		if c := testdb.Container(inv, name); c != nil && len(c.Fields) > 0 {
			t.Errorf("%s was read after all: %+v", name, c)
		}
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
