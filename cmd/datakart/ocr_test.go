package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// --ocr, or ocr: true in the config, reads a scanned payslip; without
// Tesseract the scan does not start and says how to install it.
func TestOCRCommandLine(t *testing.T) {
	slip, err := os.ReadFile("../../connectors/files/testdata/lonnsslipp.png")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "lonnsslipp.png"), slip, 0o644)
	cfg := filepath.Join(t.TempDir(), "datakart.yaml")
	os.WriteFile(cfg, []byte("scan:\n  ocr: true\n"), 0o644)

	if o, e, code := runBinary(t, bin, "scan", "--no-history", "--format", "json", dir); code != exitOK || strings.Contains(o, "no_fnr") || !strings.Contains(o, "--ocr reads its text") {
		t.Errorf("without --ocr: exit %d, %q\n%s", code, e, o)
	}
	if _, err := exec.LookPath("tesseract"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	for _, args := range [][]string{{"--ocr"}, {"--config", cfg}} {
		o, e, code := runBinary(t, bin, append(append([]string{"scan", "--no-history", "--format", "json"}, args...), dir)...)
		if code != exitOK || !strings.Contains(o, `"image (OCR)"`) || !strings.Contains(o, "no_fnr") || !strings.Contains(o, "email") {
			t.Errorf("%v: exit %d, %q\n%s", args, code, e, o)
		}
		if strings.Contains(o, "10048744732") || strings.Contains(o, "kari.nordmann@firma.no") {
			t.Errorf("%v: a raw value in the output", args)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if _, e, code := runBinary(t, bin, "scan", "--no-history", "--ocr", dir); code == exitOK || !strings.Contains(e, "apt-get install tesseract-ocr") {
		t.Errorf("--ocr without tesseract: exit %d, %q", code, e)
	}
}
