package mysql

import (
	"fmt"
	"testing"

	"datakart/connectors/sqldb"
	"datakart/internal/testdb"
)

// TestInvalidBytesInText: MariaDB checks utf8mb4 text (invalid bytes are
// refused, or turned into '?' without strict mode), so bytes that are not
// UTF-8 reach a scanner through binary strings (VARBINARY, BLOB: text kept
// as bytes by legacy schemas) and latin1 text, which the server converts
// for the UTF-8 connection. utf8mb4 text may hold a NUL. The personal data
// around and beside such bytes must still be found, the scan must finish,
// and no error may quote a value.
func TestInvalidBytesInText(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE kunder (id INT AUTO_INCREMENT PRIMARY KEY, epost VARBINARY(100), fnr VARBINARY(40), notat BLOB,
			latin TEXT CHARACTER SET latin1, tekst TEXT CHARACTER SET utf8mb4)`,
		`INSERT INTO kunder (epost, fnr, notat, latin, tekst) VALUES
			(CONCAT(X'FFFE', ' kari.nordmann@online.no'), CONCAT('10048744732', X'80'),
			 CONCAT('Kunden ', X'C328', ' kari.nordmann@online.no, fnr 10048744732'),
			 CONCAT(_latin1 X'FFFE', ' kari.nordmann@online.no'), CONCAT('kari.nordmann@online.no', CHAR(0 USING utf8mb4), 'fnr 10048744732')),
			('kari.nordmann@online.no', '10048744732', X'FFFEFD', 'fnr 10048744732', NULL),
			(X'80BFC0AF', X'EDA080', CONCAT('{"epost": "kari.nordmann@online.no", "x": "', X'FF', '"}'), NULL, NULL),
			(CONCAT('ola.nordmann@online.no ', X'F888808080'), CONCAT(X'E282', ' 10048744732'), CONCAT('fnr 10048744732 ', X'BFBFBF'), NULL, NULL)`,
	)
	// The server kept the bytes: rows 1, 3 and 4 of epost are not UTF-8,
	// latin holds 0xff 0xfe, tekst a NUL.
	invalid := testdb.InvalidUTF8(t, db, "SELECT epost FROM kunder")
	if invalid != 3 {
		t.Fatalf("%d epost values are invalid UTF-8 in the database, want 3", invalid)
	}
	var latinHex string
	var nul int
	if err := db.QueryRow("SELECT HEX(latin), INSTR(tekst, CHAR(0 USING utf8mb4)) FROM kunder WHERE id = 1").Scan(&latinHex, &nul); err != nil || latinHex[:4] != "FFFE" || nul == 0 {
		t.Fatalf("latin1 bytes %s, NUL at %d: %v", latinHex, nul, err)
	}

	k := name + ".kunder"
	for _, opt := range []sqldb.Options{{}, {Full: true}} {
		inv := testdb.Scan(t, open(t, name, opt))
		// A value found is counted once per row. 0x80 glued to the digits
		// of row 1's fnr reads as a letter (as latin1's "ø" would), so that
		// row does not count; row 3's epost and row 2's notat are nothing
		// but invalid bytes, binary data, not read.
		label := fmt.Sprintf("full %v, beside the invalid bytes", opt.Full)
		testdb.WantMatches(t, inv, k, label, "epost", "email", 3)  // rows 1, 2 and 4
		testdb.WantMatches(t, inv, k, label, "fnr", "no_fnr", 2)   // rows 2 and 4
		testdb.WantMatches(t, inv, k, label, "notat", "email", 2)  // rows 1 and 3 (a BLOB is not walked as JSON)
		testdb.WantMatches(t, inv, k, label, "notat", "no_fnr", 2) // rows 1 and 4
		testdb.WantMatches(t, inv, k, label, "latin", "email", 1)  // 0xff 0xfe arrive as "ÿþ"
		testdb.WantMatches(t, inv, k, label, "latin", "no_fnr", 1)
		testdb.WantMatches(t, inv, k, label, "tekst", "email", 1) // beside a NUL
		testdb.WantMatches(t, inv, k, label, "tekst", "no_fnr", 1)
		if len(inv.Errors) != 0 {
			t.Errorf("full %v: errors %+v", opt.Full, inv.Errors)
		}
		testdb.NoValueInErrors(t, inv, "kari.nordmann", "10048744732", "\xff")
	}
}

// TestHostileNames: table and column names are data too. A backtick, a
// semicolon and a comment, spaces, a percent sign, a reserved word and
// non-ASCII must each be quoted wherever datakart builds SQL: the scan
// reads every table by its name, finds what is in it, and runs no part of
// a name as SQL.
func TestHostileNames(t *testing.T) {
	db, name := testdb.MariaDB(t)
	const table = "`we``ird; DROP TABLE keep; --`"
	testdb.Exec(t, db,
		"CREATE TABLE "+table+" (`col; drop` TEXT, `Ærlig E-post` TEXT, `fødsels nr` VARCHAR(20), `select` TEXT, `%s%d` TEXT)",
		"INSERT INTO "+table+" SELECT 'a', CONCAT('ola', seq, '@online.no'), '10048744732', 'x', '%n%s' FROM seq_1_to_50",
		"CREATE TABLE keep (id INT)",
	)
	for _, opt := range []sqldb.Options{{}, {Full: true}} {
		inv := testdb.Scan(t, open(t, name, opt))
		label := fmt.Sprintf("full %v", opt.Full)
		weird := name + ".we`ird; DROP TABLE keep; --"
		testdb.WantMatches(t, inv, weird, label, "Ærlig E-post", "email", 50)
		testdb.WantMatches(t, inv, weird, label, "fødsels nr", "no_fnr", 50)
		if len(inv.Errors) != 0 {
			t.Errorf("%s: errors %+v", label, inv.Errors)
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM keep").Scan(&n); err != nil {
		t.Errorf("the table a name tried to drop: %v", err)
	}
}
