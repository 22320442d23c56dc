// Package databases opens a database target of any supported kind:
// postgres:// and postgresql:// URLs, mysql:// URLs and MySQL driver DSNs
// (MySQL and MariaDB), and sqlite:PATH files.
package databases

import (
	"context"
	"fmt"
	"strings"

	"datakart/connectors/mysql"
	"datakart/connectors/postgres"
	"datakart/connectors/sqldb"
	"datakart/connectors/sqlite"
	"datakart/internal/dsn"
)

// Open connects to target. password, if not empty, is used instead of
// one in the target (it comes from --password-env, so it never has to be
// typed on a command line).
func Open(ctx context.Context, target, password string, opt sqldb.Options) (*sqldb.Source, error) {
	switch Kind(target) {
	case "postgres":
		return postgres.Open(ctx, target, password, opt)
	case "sqlite":
		return sqlite.Open(ctx, target, opt)
	case "mysql":
		return mysql.Open(ctx, target, password, opt)
	}
	return nil, fmt.Errorf("%s: not a database target", dsn.Redact(target))
}

// Kind names the connector a target is for: "postgres", "mysql",
// "sqlite", or "" when it is not a database target.
func Kind(target string) string {
	switch {
	case strings.HasPrefix(target, "postgres://"), strings.HasPrefix(target, "postgresql://"):
		return "postgres"
	case strings.HasPrefix(target, "sqlite:"):
		return "sqlite"
	case dsn.IsDatabaseTarget(target):
		return "mysql"
	}
	return ""
}
