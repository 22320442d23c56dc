// Package testdb gives integration tests the local database servers:
// PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and MariaDB on
// 127.0.0.1:3306 (root, no password), which scripts/services starts. A
// test that needs a server that is not there is skipped, except under CI
// (CI=true), where that is a failure. Each test gets its own schema or
// database, dropped when it ends.
package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/lib/pq"
)

const (
	// PostgresURL is the admin connection to the local PostgreSQL.
	PostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	// MariaDBDSN is the admin connection to the local MariaDB.
	MariaDBDSN = "root@tcp(127.0.0.1:3306)/"
)

func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not available under CI: %v (scripts/services starts it)", what, err)
	}
	t.Skipf("%s is not available: %v (run scripts/services)", what, err)
}

func open(t testing.TB, driver, dsn, what string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		unavailable(t, what, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Name returns a fresh identifier for a test's schema or database.
func Name(prefix string) string {
	return fmt.Sprintf("%s_%d_%04d", prefix, time.Now().Unix()%100000, rand.IntN(10000))
}

// Postgres creates a schema in the local PostgreSQL's "test" database and
// returns an admin connection and the schema's name; the schema is dropped
// when the test ends.
func Postgres(t testing.TB) (*sql.DB, string) {
	t.Helper()
	db := open(t, "postgres", PostgresURL, "PostgreSQL on 127.0.0.1:5432")
	schema := Name("dk")
	Exec(t, db, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	return db, schema
}

// PostgresDatabase creates a database of its own in the local PostgreSQL,
// for what a schema cannot vary (options is the rest of CREATE DATABASE,
// such as "ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE
// template0"), and returns an admin connection to it and its URL; it is
// dropped when the test ends, whoever is still connected.
func PostgresDatabase(t testing.TB, options string) (*sql.DB, string) {
	t.Helper()
	admin := open(t, "postgres", PostgresURL, "PostgreSQL on 127.0.0.1:5432")
	name := Name("dk")
	Exec(t, admin, "CREATE DATABASE "+name+" "+options)
	t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
	url := strings.Replace(PostgresURL, "/test?", "/"+name+"?", 1)
	return open(t, "postgres", url, "PostgreSQL"), url
}

// MariaDB creates a database in the local MariaDB and returns an admin
// connection to it and its name; it is dropped when the test ends.
func MariaDB(t testing.TB) (*sql.DB, string) {
	t.Helper()
	admin := open(t, "mysql", MariaDBDSN, "MariaDB on 127.0.0.1:3306")
	name := Name("dk")
	Exec(t, admin, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4")
	t.Cleanup(func() { admin.Exec("DROP DATABASE " + name) })
	return open(t, "mysql", "root@tcp(127.0.0.1:3306)/"+name+"?multiStatements=true", "MariaDB"), name
}

// Exec runs statements, failing the test on an error.
func Exec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%.80s: %v", s, err)
		}
	}
}

// InvalidUTF8 returns how many values of a one-column query are not valid
// UTF-8: a fixture's check that the server kept the raw bytes it was given.
func InvalidUTF8(t testing.TB, db *sql.DB, query string) int {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	invalid := 0
	for rows.Next() {
		var v []byte
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(v) {
			invalid++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return invalid
}
