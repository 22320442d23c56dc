package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"datakart/internal/mdb/mdbtest"
	"datakart/internal/pst/psttest"
	"datakart/internal/testdb"
)

// TestNoRawValueAnywhere scans data whose personal values are all known
// and checks that none of them, and no database password, appears in any
// output: every report format, check output, SARIF, the HTML report, the
// records of processing (CSV and the inside of the XLSX), the history
// database, and stderr (logs and error messages) — unless
// --show-values=raw is asked for, which is checked to work.
func TestNoRawValueAnywhere(t *testing.T) {
	bin := buildBinary(t)
	pg, schema := testdb.Postgres(t)
	testdb.Exec(t, pg, "CREATE TABLE "+schema+".kunder (id serial PRIMARY KEY, epost text, fnr text, kort text, tlf text)",
		"INSERT INTO "+schema+".kunder (epost, fnr, kort, tlf) VALUES ('hemmelig.person@online.no', '23114048690', '4111 1111 1111 1111', '+47 934 56 789')")
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	writeFile(t, filepath.Join(tree, "ansatte.csv"), "fodselsnummer;kontonummer;iban\n10048744732;8601.11.17947;NO9386011117947\n")
	writeFile(t, filepath.Join(tree, "notat.txt"), "Kari ringte fra 912 34 567, e-post kari.nordmann@gmail.com, IP 84.210.1.2\n")
	mailbox, err := psttest.Write([]psttest.Folder{{Name: "Innboks", Messages: []psttest.Message{{
		Subject: "Ny konto", Body: "Fødselsnummer 23114048690, ny konto 8601.11.17947",
		SenderName: "Kari", SenderEmail: "kari.nordmann@gmail.com",
		Attachments: []psttest.Attachment{{Name: "kunder.csv", Data: []byte("epost;tlf\nhemmelig.person@online.no;+47 934 56 789\n")}},
	}}}}, psttest.Options{Crypt: psttest.CryptPermute})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(tree, "arkiv.pst"), string(mailbox))
	register, err := mdbtest.Write([]mdbtest.Table{{Name: "Kunder", Columns: []mdbtest.Column{
		{Name: "Fødselsnummer", Type: mdbtest.TypeText}, {Name: "Telefon", Type: mdbtest.TypeDouble}, {Name: "Merknad", Type: mdbtest.TypeMemo},
	}, Rows: [][]any{{"10048744732", float64(93456789), "Kontakt hemmelig.person@online.no"}}}}, mdbtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(tree, "kunder.mdb"), string(register))
	secrets := []string{"hemmelig.person@online.no", "23114048690", "4111 1111 1111 1111", "4111111111111111", "93456789",
		"10048744732", "86011117947", "8601.11.17947", "NO9386011117947", "91234567", "912 34 567", "kari.nordmann@gmail.com", "84.210.1.2",
		"Passord-Som-Ikke-Skal-Vises", "Mysql(Passord"}
	target := "postgres://postgres@127.0.0.1:5432/test"
	badTarget := "postgres://postgres:Passord-Som-Ikke-Skal-Vises@127.0.0.1:1/test"
	// The MySQL driver's own form, with a '(' in the password, which once
	// made the redaction panic.
	badMySQL := "root:Mysql(Passord@tcp(127.0.0.1:1)/test"
	hist := filepath.Join(dir, "h.db")
	cfg := filepath.Join(dir, "datakart.yaml")
	writeFile(t, cfg, "scan:\n  include: [\""+schema+".*\", \"*.csv\", \"*.txt\", \"*.pst\", \"*.mdb\"]\npolicy:\n  - location: ansatte.csv\n    categories: [no_fnr]\n")

	var all bytes.Buffer
	run := func(args ...string) {
		o, e, _ := runBinary(t, bin, args...)
		all.WriteString(o)
		all.WriteString(e)
	}
	for _, f := range []string{"table", "json", "csv", "markdown"} {
		run("scan", "--config", cfg, "--history", hist, "--format", f, "--min-confidence", "low", target, badTarget, badMySQL, tree)
	}
	for _, f := range []string{"table", "json", "markdown", "sarif"} {
		run("check", "--config", cfg, "--no-history", "--format", f, "--fail-on", "low", target, badTarget, badMySQL, tree)
	}
	run("history", "--history", hist)
	run("history", "show", "--history", hist, "--format", "json", "latest")
	run("diff", "--history", hist, "previous", "latest")
	for _, f := range []string{"html", "ropa-csv"} {
		run("report", "--config", cfg, "--history", hist, "--format", f)
	}
	xlsx := filepath.Join(dir, "ropa.xlsx")
	run("report", "--config", cfg, "--history", hist, "--format", "ropa-xlsx", "-o", xlsx)
	all.Write(unzipAll(t, xlsx))
	h, _ := os.ReadFile(hist)
	all.Write(h)

	if bytes.Contains(all.Bytes(), []byte("panic:")) || !bytes.Contains(all.Bytes(), []byte("root:xxxxx@tcp(127.0.0.1:1)/test")) {
		t.Error("the MySQL target with a '(' in its password is not reported, redacted, as an error entry")
	}
	if all.Len() < 10000 {
		t.Fatalf("too little output to mean anything (%d bytes)", all.Len())
	}
	for _, s := range secrets {
		if bytes.Contains(all.Bytes(), []byte(s)) {
			t.Errorf("%q appears in the output", s)
		}
	}

	// And --show-values=raw does show them, with a warning.
	o, e, _ := runBinary(t, bin, "scan", "--no-history", "--show-values=raw", "--format", "json", tree)
	if !strings.Contains(o, "10048744732") || !strings.Contains(e, "RAW PERSONAL DATA") {
		t.Error("--show-values=raw does not show raw values, or does not warn")
	}
	if !strings.Contains(o, "23114048690") || !strings.Contains(o, "hemmelig.person@online.no") {
		t.Error("the PST's message and attachment were not read: the check above proves nothing for them")
	}
	if !strings.Contains(o, "kunder.mdb!Kunder") || !strings.Contains(o, "93456789") {
		t.Error("the Access database was not read: the check above proves nothing for it")
	}
	// In every format that shows examples, not in JSON alone: the warning
	// says the output holds them.
	for _, format := range []string{"table", "csv", "markdown"} {
		o, _, _ := runBinary(t, bin, "scan", "--no-history", "--show-values=raw", "--format", format, tree)
		if !strings.Contains(o, "10048744732") {
			t.Errorf("--show-values=raw --format %s shows no raw value", format)
		}
	}
}

// unzipAll returns the uncompressed contents of every member of a zip.
func unzipAll(t *testing.T, path string) []byte {
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&b, rc)
		rc.Close()
	}
	return b.Bytes()
}
