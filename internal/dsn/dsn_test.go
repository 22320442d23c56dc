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
		for _, secret := range []string{"S3cret", "p@ss", "p%40ss"} {
			if strings.Contains(got, secret) {
				t.Errorf("Redact(%q) leaks %q", tt.in, secret)
			}
		}
	}
}
