package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"datakart/detectors"
	"datakart/internal/testdb"
	"datakart/inventory"
)

// TestScanDatabasesAndFilesTogether runs the binary on a PostgreSQL
// schema, a MariaDB database and a file tree at once, as a privacy officer
// would, and checks one inventory holds all three, that nothing was
// written, and that no password or raw value shows anywhere.
func TestScanDatabasesAndFilesTogether(t *testing.T) {
	bin := buildBinary(t)
	pg, schema := testdb.Postgres(t)
	testdb.Exec(t, pg,
		"CREATE TABLE "+schema+".kunder (id serial PRIMARY KEY, epost text, fnr text)",
		"INSERT INTO "+schema+".kunder (epost, fnr) VALUES ('ola.nordmann@online.no', '10048744732')",
	)
	my, name := testdb.MariaDB(t)
	testdb.Exec(t, my,
		"CREATE TABLE ansatte (id INT PRIMARY KEY, mobil VARCHAR(20), kontonummer VARCHAR(20))",
		"INSERT INTO ansatte VALUES (1, '+47 912 34 567', '8601.11.17947')",
	)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("iban\nNO9386011117947\n"), 0o644)

	pgTarget := "postgres://postgres@127.0.0.1:5432/test"
	myTarget := "mysql://root@127.0.0.1:3306/" + name
	badTarget := "postgres://postgres:Hemmelig-42@127.0.0.1:1/test"
	out, stderr, code := runBinary(t, bin, "scan", "--format", "json", "--include", schema+".*", "--include", name+".*", "--include", "*.csv",
		pgTarget, myTarget, badTarget, dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	inv, err := inventory.Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Stores) != 4 {
		t.Fatalf("%d stores, want 4", len(inv.Stores))
	}
	for _, want := range []struct{ container, field, cat string }{
		{schema + ".kunder", "epost", "email"},
		{schema + ".kunder", "fnr", "no_fnr"},
		{name + ".ansatte", "mobil", "phone"},
		{name + ".ansatte", "kontonummer", "no_bank_account"},
		{"a.csv", "iban", "iban"},
	} {
		if c := testdb.Category(inv, want.container, want.field, want.cat); c == nil || c.Confidence != detectors.High {
			t.Errorf("%s → %s: %s = %+v", want.container, want.field, want.cat, c)
		}
	}
	if inv.Stores[2].Error == "" || len(inv.Errors) != 1 {
		t.Errorf("the unreachable database is not an error of its store: %+v", inv.Errors)
	}
	all := out + stderr
	for _, f := range []string{"table", "csv", "markdown"} {
		o, e, _ := runBinary(t, bin, "scan", "--format", f, "--include", schema+".*", pgTarget, badTarget)
		all += o + e
	}
	for _, secret := range []string{"Hemmelig-42", "10048744732", "ola.nordmann@online.no", "86011117947", "8601.11.17947", "91234567"} {
		if strings.Contains(all, secret) {
			t.Errorf("output shows %q", secret)
		}
	}
	var n int
	pg.QueryRow("SELECT count(*) FROM " + schema + ".kunder").Scan(&n)
	if n != 1 {
		t.Errorf("the scanned table now has %d rows", n)
	}
}

// --password-env gives a password to the database targets that carry
// none, and leaves a target's own alone: with one database read by a
// password from the environment and another by the one in its URL, the
// second was refused with the first's password.
func TestPasswordEnvLeavesATargetsOwnPassword(t *testing.T) {
	bin := buildBinary(t)
	name, user := employeesWithUser(t, "dk_pw", "Riktig-1")
	for _, c := range []struct {
		name, target, env string
	}{
		{"its own password, another in the variable", "mysql://" + user + ":Riktig-1@127.0.0.1:3306/" + name, "Feil-2"},
		{"no password of its own", "mysql://" + user + "@127.0.0.1:3306/" + name, "Riktig-1"},
	} {
		cmd := exec.Command(bin, "scan", "--format", "json", "--no-history", "--no-progress", "--password-env", "DK_TEST_PW", c.target)
		cmd.Env = append(os.Environ(), "DK_TEST_PW="+c.env)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v: %s", c.name, err, e.String())
		}
		inv, err := inventory.Read(&o)
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Errors) != 0 || testdb.Category(inv, name+".ansatte", "epost", "email") == nil {
			t.Errorf("%s: errors %+v", c.name, inv.Errors)
		}
		if all := o.String() + e.String(); strings.Contains(all, "Riktig-1") || strings.Contains(all, "Feil-2") {
			t.Errorf("%s: a password shows in the output", c.name)
		}
	}
}

// employeesWithUser makes a MariaDB database with a table of one
// employee's e-mail, and a user (named from prefix) who may only read it,
// with the given password; the user is dropped after the test.
func employeesWithUser(t *testing.T, prefix, password string) (name, user string) {
	my, name := testdb.MariaDB(t)
	user = testdb.Name(prefix)
	testdb.Exec(t, my,
		"CREATE TABLE ansatte (id INT PRIMARY KEY, epost VARCHAR(100))",
		"INSERT INTO ansatte VALUES (1, 'kari.nordmann@online.no')",
		"CREATE USER '"+user+"'@'%' IDENTIFIED BY '"+password+"'",
		"GRANT SELECT ON "+name+".* TO '"+user+"'@'%'",
	)
	t.Cleanup(func() { my.Exec("DROP USER '" + user + "'@'%'") })
	return name, user
}

// datakart init writes the targets without the passwords written in them,
// as datakart.yaml is kept and shared (the config would not parse with
// them), and says how to give them; the variable --password-env named is
// written in where it gave the database its password. datakart check then
// reads the database with the config as written.
func TestInitLeavesPasswordsOut(t *testing.T) {
	bin := buildBinary(t)
	name, user := employeesWithUser(t, "dk_init", "Riktig-1")
	bare := "mysql://" + user + "@127.0.0.1:3306/" + name
	for _, c := range []struct {
		name, target string
		flags, env   []string
		config       string // a line the config must hold
	}{
		{"a password in the URL", "mysql://" + user + ":Riktig-1@127.0.0.1:3306/" + name, nil, []string{"MYSQL_PWD=Riktig-1"},
			"  # Passwords written in the targets are left out: this file is kept and shared.\n"},
		{"a password from --password-env", bare, []string{"--password-env", "DK_TEST_PW"}, []string{"DK_TEST_PW=Riktig-1"},
			"  password_env: \"DK_TEST_PW\"   # the variable that holds the databases' password\n"},
	} {
		dir := t.TempDir()
		run := func(env []string, args ...string) (string, int) {
			stdout, stderr, code := runBinaryIn(t, bin, dir, env, args...)
			return stdout + stderr, code
		}
		out, code := run(append([]string{"DK_TEST_PW=Riktig-1"}, c.env...), append(append([]string{"init", "--no-progress"}, c.flags...), c.target)...)
		if code != 0 {
			t.Fatalf("%s: init exit %d: %s", c.name, code, out)
		}
		config, err := os.ReadFile(filepath.Join(dir, "datakart.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(config)+out, "Riktig-1") {
			t.Errorf("%s: the password is in the config or the output:\n%s\n%s", c.name, config, out)
		}
		if !strings.Contains(string(config), "\n  - "+strconv.Quote(bare)+"\n") || !strings.Contains(string(config), c.config) {
			t.Errorf("%s: the config lacks the target %s without its password, or\n%s\n%s", c.name, bare, c.config, config)
		}
		if out, code := run(c.env, "check", "--no-progress"); code != 0 {
			t.Errorf("%s: check with the config as written: exit %d: %s", c.name, code, out)
		}
	}
}
