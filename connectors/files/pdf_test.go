package files

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"datakart/internal/childlimit"
	"datakart/internal/pdftest"
)

// A PDF's text is read, in every page and inside an archive; a malformed
// PDF, one the reader loops on and one it crashes on each end as an error
// for that file, and the scan goes on.
func TestPDF(t *testing.T) {
	oldTime, oldMemory := pdfTimeout, pdfMemory
	// The stall limit: long enough for the string bomb below to reach the
	// memory limit on a slow, busy machine (it took over 2 s here).
	pdfTimeout, pdfMemory = 5*time.Second, 256<<20
	t.Cleanup(func() { pdfTimeout, pdfMemory = oldTime, oldMemory })
	dir := t.TempDir()
	payslip := pdftest.Of(t, "", "",
		[]string{"Lønnsslipp november 2026", "Fødselsnummer: 10048744732", "Utbetalt til konto 8601.11.17947"},
		[]string{"Spørsmål? Skriv til lonn@firma.no"},
		// Words placed apart: by a TJ's move right, by Td along the line,
		// and on a new line by Td and by Tm.
		[]string{"RAW [(Konto:) -250 (1503.75.77003)] TJ 90 0 Td (fnr) Tj 30 0 Td (23114048690) Tj",
			"RAW 0 -14 Td (Mobil) Tj 1 0 0 1 72 500 Tm (98765432) Tj"})
	write(t, dir, "lonn/lonnsslipp.pdf", payslip)
	write(t, dir, "lonn/arkiv.zip", zipOf(t, map[string][]byte{"2025/lonnsslipp.pdf": payslip}))
	write(t, dir, "bad/truncated.pdf", payslip[:len(payslip)/2])
	// Bytes after %%EOF: an attachment Outlook padded to a block of 512.
	padded := append(bytes.Clone(payslip), make([]byte, 512-len(payslip)%512+300)...)
	write(t, dir, "lonn/padded.pdf", padded)
	// A page tree whose kid is itself: the reader's page lookup never ends.
	loop := pdftest.Of(t, "", "", []string{"x"})
	loop = bytes.Replace(loop, []byte("/Kids [4 0 R ] /Count 1"), []byte("/Kids [2 0 R ] /Count 9"), 1)
	write(t, dir, "bad/loop.pdf", loop)
	// 4 million nested arrays: the reader stops at a depth of its own.
	write(t, dir, "bad/deep.pdf", pdftest.Of(t, "/Deep "+strings.Repeat("[", 4<<20), "", []string{"x"}))
	// A page whose text is one string of 900 MiB, compressed twice into
	// 1.6 KB: the reader holds the whole string, and the child runs out
	// of memory, an end no recover catches. Not under the race detector,
	// whose child is not held to the limit (see childlimit.MemoryLimited).
	if childlimit.MemoryLimited {
		write(t, dir, "bad/string-bomb.pdf", fixture(t, "string-bomb.pdf"))
	}
	// Encrypted with a user password (RC4, and AES-256, which the reader
	// does not know): the text cannot be read without it.
	id := "/ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]"
	key := strings.Repeat("5a", 32)
	write(t, dir, "secret/rc4.pdf", pdftest.Of(t, "", "/Encrypt << /Filter /Standard /V 1 /R 2 /O <"+key+"> /U <"+key+"> /P -4 >> "+id, []string{"x"}))
	write(t, dir, "secret/aes256.pdf", pdftest.Of(t, "", "/Encrypt << /Filter /Standard /V 5 /R 6 /Length 256 /O <"+key+"> /U <"+key+"> /P -4 >> "+id, []string{"x"}))
	write(t, dir, "notes/after.txt", []byte("fnr 10048744732\n"))
	// Many PDFs are read by few children, each file's text its own
	// however the failing files above fall among them.
	const many = 40
	for i := range many {
		write(t, dir, fmt.Sprintf("many/slipp-%02d.pdf", i), pdftest.Of(t, "", "", []string{fmt.Sprintf("Lønnsslipp %02d", i), "Fødselsnummer: 10048744732"}))
	}
	pdfWorkers.Lock()
	startsBefore := pdfStarts
	pdfWorkers.Unlock()

	start := time.Now()
	rec, _ := scanTree(t, dir, Options{})
	rec.expect(t, map[string]string{
		"lonn/lonnsslipp.pdf|":                "Fødselsnummer: 10048744732",
		"lonn/arkiv.zip!2025/lonnsslipp.pdf|": "lonn@firma.no",
		"notes/after.txt|":                    "10048744732",
		"lonn/padded.pdf|":                    "Fødselsnummer: 10048744732",
	})
	if !rec.has("lonn/lonnsslipp.pdf|", "Utbetalt til konto 8601.11.17947") || rec.kinds["lonn/lonnsslipp.pdf"] != "pdf" ||
		!rec.has("lonn/lonnsslipp.pdf|", "Konto: 1503.75.77003 fnr 23114048690\nMobil\n98765432") {
		t.Errorf("payslip: kind %q, text %q", rec.kinds["lonn/lonnsslipp.pdf"], rec.text("lonn/lonnsslipp.pdf|"))
	}
	wantErrs := map[string]string{
		"bad/truncated.pdf": "malformed",
		"bad/loop.pdf":      "no text after 5s",
		"bad/deep.pdf":      "malformed",
	}
	if childlimit.MemoryLimited {
		wantErrs["bad/string-bomb.pdf"] = "the reader failed on this file"
	}
	for name, want := range wantErrs {
		if e := rec.errs[name]; !strings.Contains(e, want) {
			t.Errorf("%s: error %q, want %q", name, e, want)
		}
	}
	for _, name := range []string{"secret/rc4.pdf", "secret/aes256.pdf"} {
		if rec.skipped[name] != "encrypted PDF (not read)" || rec.errs[name] != "" {
			t.Errorf("%s: skipped %q, error %q", name, rec.skipped[name], rec.errs[name])
		}
	}
	for i := range many {
		name := fmt.Sprintf("many/slipp-%02d.pdf", i)
		if got, want := strings.TrimSpace(rec.text(name+"|")), fmt.Sprintf("Lønnsslipp %02d\nFødselsnummer: 10048744732", i); got != want || rec.errs[name] != "" {
			t.Errorf("%s: text %q, want %q; error %q", name, got, want, rec.errs[name])
		}
	}
	pdfWorkers.Lock()
	started := pdfStarts - startsBefore
	pdfWorkers.Unlock()
	// A child that fails on a file is not used again: at most one for each
	// such file, and one for each file read at the same time.
	if most := len(wantErrs) + 2 + runtime.GOMAXPROCS(0); started > most {
		t.Errorf("%d children started for %d PDFs, want at most %d", started, many+9, most)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the scan took %s", took)
	}
}

// A word processor writes each run of a line as a text object of its own,
// placed with Tm (LibreOffice does, for a bold part or a no-break space):
// runs on one baseline are one line, split by a space only where there is
// a gap, and a no-break space brings its own. A link's mailto: address,
// which the page does not show, is read too; a web link is not.
func TestPDFRunsInTextObjectsOfTheirOwn(t *testing.T) {
	dir := t.TempDir()
	run := func(x, y int, s string) string {
		return fmt.Sprintf("RAW ET BT /F1 12 Tf 1 0 0 1 %d %d Tm (%s) Tj", x, y, s)
	}
	link := "/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (mailto:ola@online.no) >> >> << /Subtype /Link /A << /S /URI /URI (https://firma.no) >> >>]"
	write(t, dir, "brev.pdf", pdftest.Of(t, link, "", []string{
		run(72, 700, "fnr 100487"), run(140, 700, "44732"), // a gap after 10 glyphs of about 6 points
		run(72, 680, "mobil 912"), run(126, 680, "\xa0"), run(132, 680, "34"), run(144, 680, "\xa0"), run(150, 680, "567"),
		run(72, 660, "ny linje"),
	}))
	rec, _ := scanTree(t, dir, Options{})
	if got, want := strings.TrimSpace(rec.text("brev.pdf|")), "fnr 100487 44732\nmobil 912\u00a034\u00a0567\nny linje\nmailto:ola@online.no"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
}
