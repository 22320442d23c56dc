package dsn

import (
	"strings"
	"testing"
)

func TestTargets(t *testing.T) {
	for _, tt := range []struct {
		in     string
		db     bool
		redact string
	}{
		{"postgres://scanner:S3cret!@db:5432/erp?sslmode=require", true, "postgres://scanner:xxxxx@db:5432/erp?sslmode=require"},
		{"postgresql://scanner@db/erp", true, "postgresql://scanner@db/erp"},
		{"postgres://db/erp?user=scanner&password=S3cret!", true, "postgres://db/erp?password=xxxxx&user=scanner"},
		{"mysql://root:p%40ss@127.0.0.1:3306/crm", true, "mysql://root:xxxxx@127.0.0.1:3306/crm"},
		{"root:p@ss@tcp(127.0.0.1:3306)/crm", true, "root:xxxxx@tcp(127.0.0.1:3306)/crm"},
		{"root@unix(/run/mysqld/mysqld.sock)/crm", true, "root@unix(/run/mysqld/mysqld.sock)/crm"},
		// A password with '(' in it: the driver's '@' is the last before the last '/'.
		{"root:pa(ss@tcp(127.0.0.1:3306)/crm", true, "root:xxxxx@tcp(127.0.0.1:3306)/crm"},
		{"root:p/w@tcp(127.0.0.1:3306)/crm", true, "root:xxxxx@tcp(127.0.0.1:3306)/crm"},
		{"0(@tcp()/", true, "0(@tcp()/"},
		{"sqlite:app.db", true, "sqlite:app.db"},
		{"./exports", false, "./exports"},
		{"exports/a@b.csv", false, "exports/a@b.csv"},
	} {
		if got := IsDatabaseTarget(tt.in); got != tt.db {
			t.Errorf("IsDatabaseTarget(%q) = %v", tt.in, got)
		}
		got := Redact(tt.in)
		if got != tt.redact {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.redact)
		}
		for _, secret := range []string{"S3cret", "p@ss", "p%40ss", "pa(ss", "p/w"} {
			if strings.Contains(got, secret) {
				t.Errorf("Redact(%q) leaks %q", tt.in, secret)
			}
		}
	}
}

// WithoutPassword keeps the user and leaves the password out, wherever the
// target carries it; a target without one is kept as written.
func TestWithoutPassword(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"postgres://scanner:S3cret!@db:5432/erp?sslmode=require", "postgres://scanner@db:5432/erp?sslmode=require"},
		{"postgresql://scanner@db/erp?sslmode=require&application_name=dk", "postgresql://scanner@db/erp?sslmode=require&application_name=dk"},
		{"postgres://db/erp?user=scanner&password=S3cret!", "postgres://db/erp?user=scanner"},
		{"postgres://db/erp?sslpassword=S3cret!&sslmode=verify-full", "postgres://db/erp?sslmode=verify-full"},
		{"mysql://root:p%40ss@127.0.0.1:3306/crm", "mysql://root@127.0.0.1:3306/crm"},
		{"root:p@ss@tcp(127.0.0.1:3306)/crm?parseTime=true", "root@tcp(127.0.0.1:3306)/crm?parseTime=true"},
		{"root@unix(/run/mysqld/mysqld.sock)/crm", "root@unix(/run/mysqld/mysqld.sock)/crm"},
		{"sqlite:app.db", "sqlite:app.db"},
		{"./exports", "./exports"},
	} {
		got := WithoutPassword(tt.in)
		if got != tt.want {
			t.Errorf("WithoutPassword(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if Password(got) != "" || strings.Contains(got, "S3cret") || strings.Contains(got, "p@ss") || strings.Contains(got, "p%40ss") {
			t.Errorf("WithoutPassword(%q) = %q keeps the password", tt.in, got)
		}
	}
}

// Whatever the target, WithoutPassword leaves out the password Password
// reads from it, and Redact hides it.
func FuzzWithoutPassword(f *testing.F) {
	for _, s := range []string{
		"postgres://scanner:S3cret!@db:5432/erp?sslmode=require", "postgres://db/erp?user=scanner&password=S3cret!",
		"root:p@ss@tcp(127.0.0.1:3306)/crm", "mysql://root:p%40ss@127.0.0.1:3306/crm", "sqlite:app.db", "./exports",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		got := WithoutPassword(target)
		if p := Password(got); p != "" && p != "xxxxx" {
			t.Fatalf("WithoutPassword(%q) = %q, which still has the password %q", target, got, p)
		}
		if p := Password(target); len(p) >= 3 && strings.Count(target, p) == 1 {
			if strings.Contains(got, p) {
				t.Fatalf("WithoutPassword(%q) = %q keeps %q", target, got, p)
			}
			if r := Redact(target); strings.Contains(r, p) {
				t.Fatalf("Redact(%q) = %q shows %q", target, r, p)
			}
		}
	})
}
