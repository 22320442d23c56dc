// Package dsn reads database targets as people write them (URLs and the
// MySQL driver's DSN form): whether an argument is one, and the same
// target with its password hidden. It imports nothing of datakart, so the
// command, the connectors and the config checks can all use it.
package dsn

import (
	"net/url"
	"regexp"
	"strings"
)

// IsDatabaseTarget reports whether a command-line target names a database
// rather than a path: postgres://, postgresql://, mysql://, sqlite:, or the
// MySQL driver's own DSN form user:pass@tcp(host:3306)/db.
func IsDatabaseTarget(arg string) bool {
	for _, p := range []string{"postgres://", "postgresql://", "mysql://", "mariadb://", "sqlite:"} {
		if strings.HasPrefix(arg, p) {
			return true
		}
	}
	return mysqlDSN.MatchString(arg)
}

var mysqlDSN = regexp.MustCompile(`^.*@(tcp|tcp6|unix)\(.*\)/`)

// dsnPassword returns where the password of a MySQL DSN is, dsn[from:to],
// and whether it has one: after the first ':' of the user part, up to the
// '@' that ends it. That '@' is the last one before the last '/', where
// the driver looks for it, since a password may hold '@', '(' or '/'.
func dsnPassword(dsn string) (from, to int, ok bool) {
	at := strings.LastIndex(dsn[:max(strings.LastIndex(dsn, "/"), 0)], "@")
	colon := strings.Index(dsn[:max(at, 0)], ":")
	if colon < 0 {
		return 0, 0, false
	}
	return colon + 1, at, true
}

// Redact returns the target with any password replaced by "xxxxx", for
// the inventory, logs and errors.
func Redact(target string) string {
	if mysqlDSN.MatchString(target) {
		if from, to, ok := dsnPassword(target); ok {
			return target[:from] + "xxxxx" + target[to:]
		}
		return target
	}
	u, err := url.Parse(target)
	if err != nil || u.User == nil {
		if err != nil {
			// Unparseable: hide anything between "://" and "@".
			if i, j := strings.Index(target, "://"), strings.LastIndex(target, "@"); i >= 0 && j > i {
				return target[:i+3] + "xxxxx" + target[j:]
			}
		}
		return redactQuery(target)
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return redactQuery(u.String())
}

// redactQuery hides a password given as a query parameter (?password=…).
func redactQuery(s string) string {
	i := strings.Index(s, "?")
	if i < 0 {
		return s
	}
	q, err := url.ParseQuery(s[i+1:])
	if err != nil {
		return s[:i] + "?xxxxx"
	}
	for k := range q {
		if passwordKey(k) {
			q.Set(k, "xxxxx")
		}
	}
	return s[:i] + "?" + q.Encode()
}

// Password returns the password a URL target carries, for scrubbing.
func Password(target string) string {
	if mysqlDSN.MatchString(target) {
		from, to, _ := dsnPassword(target)
		return target[from:to]
	}
	u, err := url.Parse(target)
	if err != nil {
		return ""
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			return p
		}
	}
	return u.Query().Get("password")
}

// WithoutPassword returns the target with its password left out, the user
// kept, for a file that is kept and shared, as the starter config is. A
// target without a password comes back as it is; one that does not parse
// comes back redacted.
func WithoutPassword(target string) string {
	if mysqlDSN.MatchString(target) {
		if from, to, ok := dsnPassword(target); ok {
			return target[:from-1] + target[to:] // the ':' goes with it
		}
		return target
	}
	u, err := url.Parse(target)
	if err != nil {
		return Redact(target)
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.User(u.User.Username())
			changed = true
		}
	}
	if q := u.Query(); len(q) > 0 {
		for k := range q {
			if passwordKey(k) {
				q.Del(k)
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if !changed {
		return target
	}
	return u.String()
}

// passwordKey reports whether a query parameter carries a password.
func passwordKey(k string) bool {
	return strings.EqualFold(k, "password") || strings.EqualFold(k, "pass") || strings.EqualFold(k, "sslpassword")
}
