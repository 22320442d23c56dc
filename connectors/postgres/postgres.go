// Package postgres is the PostgreSQL connector: the catalog queries,
// TABLESAMPLE sampling, a server-side cursor for full reads and read-only
// sessions, on the shared core in connectors/sqldb.
package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"time"

	"datakart/connectors/sqldb"
	"datakart/internal/dsn"

	"github.com/lib/pq"
)

// Dialect is PostgreSQL's part of a database scan.
type Dialect struct {
	// version is the server's server_version_num (150019 for 15.19).
	version int
}

// Open connects to the database a postgres:// or postgresql:// URL names.
// The password may come from the URL, from PGPASSWORD (read by the driver)
// or from password, which wins when not empty. The connection is checked
// before Open returns.
func Open(ctx context.Context, target, password string, opt sqldb.Options) (*sqldb.Source, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("%s: not a PostgreSQL URL (a password with # ? / %% or a space in it is written percent-encoded: %%23 %%3F %%2F %%25 %%20)", dsn.Redact(target))
	}
	if password != "" {
		name := "postgres"
		if u.User != nil {
			name = u.User.Username()
		}
		u.User = url.UserPassword(name, password)
	}
	q := u.Query()
	if q.Get("sslmode") == "" && loopback(u.Hostname()) {
		q.Set("sslmode", "disable") // a local server rarely has TLS; elsewhere the driver's default holds
	}
	if q.Get("application_name") == "" {
		q.Set("application_name", "datakart") // so a DBA sees who is reading
	}
	u.RawQuery = q.Encode()
	secret := dsn.Password(u.String())
	if secret == "" {
		secret = os.Getenv("PGPASSWORD")
	}
	db, err := sql.Open("postgres", u.String())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dsn.Redact(target), err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, sqldb.Scrub(fmt.Errorf("connect: %w", err), secret)
	}
	var version int
	if err := db.QueryRowContext(pctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		db.Close()
		return nil, sqldb.Scrub(fmt.Errorf("server version: %w", err), secret)
	}
	return sqldb.New(Dialect{version: version}, db, dsn.Redact(target), secret, opt), nil
}

func loopback(host string) bool {
	if host == "" || host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Name implements sqldb.Dialect.
func (Dialect) Name() string { return "postgres" }

// Quote implements sqldb.Dialect.
func (Dialect) Quote(ident string) string { return pq.QuoteIdentifier(ident) }

// tablesQuery lists tables and their columns. A partitioned table is
// read whole, through its parent, and its partitions are not listed; its
// row estimate is its leaf partitions' together, since autovacuum never
// analyses a parent (its own reltuples stays -1, and the table would be
// read from its first rows: its oldest partition). A recursive walk of
// pg_inherits, not pg_partition_tree, so that PostgreSQL 10 and 11 list
// their tables too.
const tablesQuery = `
WITH RECURSIVE parts(root, rel) AS (
    SELECT oid, oid FROM pg_class WHERE relkind = 'p'
  UNION ALL
    SELECT p.root, i.inhrelid FROM parts p JOIN pg_inherits i ON i.inhparent = p.rel
), leaves(root, est, pages) AS (
  SELECT p.root, CASE WHEN bool_and(l.reltuples < 0) THEN -1 ELSE sum(greatest(l.reltuples, 0)) END, sum(l.relpages)
  FROM parts p JOIN pg_class l ON l.oid = p.rel AND l.relkind <> 'p'
  GROUP BY p.root
)
SELECT n.nspname, c.relname, c.relkind IN ('v', 'm'), c.relkind = 'p', COALESCE(lv.est, c.reltuples)::bigint,
       COALESCE(lv.pages, c.relpages)::bigint,
       a.attname, format_type(a.atttypid, a.atttypmod), t.typname, t.typcategory,
       COALESCE((SELECT a.attnum = ANY (i.indkey::int2[]) AND i.indnatts = 1
                 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), false)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN leaves lv ON lv.root = c.oid
WHERE c.relkind = ANY ($1)
  AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
ORDER BY n.nspname, c.relname, a.attnum`

// Tables implements sqldb.Dialect.
func (Dialect) Tables(ctx context.Context, db *sql.DB, views bool) ([]sqldb.Table, error) {
	kinds := "{r,p}"
	if views {
		kinds = "{r,p,v,m}"
	}
	rows, err := db.QueryContext(ctx, tablesQuery, kinds)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tables []sqldb.Table
	for rows.Next() {
		var schema, name, col, typ, typname, category string
		var view, partitioned, pk bool
		var est, pages int64
		if err := rows.Scan(&schema, &name, &view, &partitioned, &est, &pages, &col, &typ, &typname, &category, &pk); err != nil {
			return nil, err
		}
		if len(tables) == 0 || tables[len(tables)-1].Schema != schema || tables[len(tables)-1].Name != name {
			tables = append(tables, sqldb.Table{Schema: schema, Name: name, View: view, Partitioned: partitioned, Rows: est, Pages: pages})
		}
		t := &tables[len(tables)-1]
		kind := columnKind(typname, category)
		if pk && (typname == "int2" || typname == "int4" || typname == "int8") {
			t.SampleKey = col
		}
		t.Columns = append(t.Columns, sqldb.Column{Name: col, Type: typ, Kind: kind})
	}
	return tables, rows.Err()
}

// columnKind classifies a type by its pg_type category.
func columnKind(typname, category string) sqldb.Kind {
	switch typname {
	case "json", "jsonb":
		return sqldb.JSON
	case "bytea":
		return sqldb.Binary
	case "oid", "lo": // lo: the lo extension's domain over oid
		return sqldb.LargeObject
	case "uuid", "tsvector", "tsquery", "geometry", "geography", "money", "pg_lsn", "txid_snapshot":
		return sqldb.Skip
	case "xml", "citext":
		return sqldb.Text
	}
	switch category {
	case "S", "A", "I", "C", "X", "U": // strings, arrays (read as literals), network addresses, composites
		return sqldb.Text
	case "N":
		return sqldb.Numeric
	}
	return sqldb.Skip // booleans, dates and times, geometry, ranges, bit strings, enums
}

// LargeObject implements sqldb.LargeObjects. Reading a large object the
// session has no SELECT privilege on fails the whole statement, and a
// role granted SELECT on a table is not granted its large objects, so the
// privilege is looked up first, as the server checks it: the owner (or
// a role that has its rights), a grant to the session's roles or to
// PUBLIC, a superuser, or lo_compat_privileges; from PostgreSQL 19 on,
// pg_read_all_data too, which a read-only scanning role is often given.
// An oid that names no large object (a dangling reference, or some other
// object's oid) is NULL.
func (d Dialect) LargeObject(t sqldb.Table, column string, limit int64) string {
	col := d.Quote(t.Schema) + "." + d.Quote(t.Name) + "." + d.Quote(column)
	readAll := ""
	if d.version >= 190000 {
		readAll = `OR pg_catalog.pg_has_role('pg_read_all_data', 'USAGE') `
	}
	// One look at the object's metadata, where it is checked: no row, a
	// dangling oid, is NULL.
	return fmt.Sprintf(`(SELECT CASE WHEN current_setting('lo_compat_privileges')::boolean %[4]s`+
		`OR (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) `+
		`OR pg_catalog.pg_has_role(m.lomowner, 'USAGE') `+
		`OR EXISTS (SELECT 1 FROM pg_catalog.aclexplode(m.lomacl) a `+
		`WHERE a.privilege_type = 'SELECT' AND (a.grantee = 0 OR pg_catalog.pg_has_role(a.grantee, 'USAGE'))) `+
		`THEN pg_catalog.lo_get(m.oid, 0, %[2]d) ELSE decode('%[3]x', 'hex') END `+
		`FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = %[1]s)`, col, min(limit+1, math.MaxInt32), sqldb.LargeObjectDenied, readAll)
}

// rawSQLASCII makes a SQL_ASCII database send its text as stored. Such a
// database keeps whatever bytes were written, often not UTF-8, and the
// server refuses to send bytes that are not UTF-8 to a UTF8 client (the
// only encoding the driver speaks): the whole statement fails and the
// table's findings are lost. With client_encoding SQL_ASCII too, nothing
// is converted or checked; the detectors read bytes. Other databases are
// left alone: the server converts LATIN1 and the like to UTF-8 correctly.
const rawSQLASCII = "SELECT set_config('client_encoding', 'SQL_ASCII', true) WHERE current_setting('server_encoding') = 'SQL_ASCII'"

// Begin implements sqldb.Dialect: BEGIN READ ONLY with a local
// statement_timeout, and raw text from a SQL_ASCII database.
func (Dialect) Begin(ctx context.Context, conn *sql.Conn, timeout time.Duration) (*sql.Tx, error) {
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	// lock_timeout too: a table locked by another transaction is an error
	// for that table after the timeout, not a scan that hangs.
	ms := sqldb.TimeoutMillis(timeout)
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d; SET LOCAL lock_timeout = %d; %s", ms, ms, rawSQLASCII)); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// from names t in a FROM clause. A table that others inherit from is
// read ONLY: its children's rows are theirs, and are read as theirs. A
// partitioned table has no rows but its partitions'.
func (d Dialect) from(t sqldb.Table) string {
	name := d.Quote(t.Schema) + "." + d.Quote(t.Name)
	if t.View || t.Partitioned {
		return name
	}
	return "ONLY " + name
}

// Sample implements sqldb.Dialect: TABLESAMPLE SYSTEM on a share of the
// pages sized from the row estimate, so the rows come from all over the
// table; a small table or one without statistics is read with LIMIT.
// The sampled pages come in the table's order, partition after partition,
// and a few more rows than asked for are sampled: an order that looks
// random keeps the LIMIT from cutting off the last pages, where a table's
// newest rows are, or its last partitions. Pages and order are drawn from
// the table's seed (sqldb.Table.Seed), not at random: a rerun over the same
// rows reads the same sample.
func (d Dialect) Sample(ctx context.Context, tx *sql.Tx, t sqldb.Table, cols string, n int) ([]sqldb.Statement, string, error) {
	from := d.from(t)
	limit := sqldb.Statement{Query: fmt.Sprintf("SELECT %s FROM %s LIMIT %d", cols, from, n), Head: true}
	stale := ""
	if !t.View && !t.Partitioned && t.Rows <= int64(2*n) {
		// Small by the catalog, which may be of the table as it was:
		// see its size now before it is read with LIMIT.
		var err error
		if t, stale, err = d.sizeNow(ctx, tx, t); err != nil {
			return nil, "", err
		}
	}
	switch {
	case t.Rows < 0 && t.Pages > 0:
		// No estimate of its rows, but of its pages: at least a row a
		// page, so n pages hold the sample.
		pct := min(100, float64(max(n, minSampledPages))/float64(t.Pages)*100)
		if pct == 100 {
			return []sqldb.Statement{wholeInRandomOrder(cols, from, n)}, fmt.Sprintf("random rows: %d of all its %d pages (%s)", n, t.Pages, stale), nil
		}
		q := fmt.Sprintf("SELECT %s FROM %s TABLESAMPLE SYSTEM (%.4f) REPEATABLE (%d) ORDER BY md5(tableoid::text || ctid::text) LIMIT %d",
			cols, from, pct, t.Seed()>>33, n)
		return []sqldb.Statement{{Query: q}}, fmt.Sprintf("random pages: tablesample system %.2f%% of its %d pages (%s)", pct, t.Pages, stale), nil
	case t.Rows < 0:
		return []sqldb.Statement{limit}, fmt.Sprintf("first %d rows (no statistics: table not analysed)", n), nil
	case t.View || t.Rows <= int64(2*n):
		if t.Rows <= int64(n) {
			return []sqldb.Statement{limit}, fmt.Sprintf("all rows (about %d)", t.Rows), nil
		}
		return []sqldb.Statement{limit}, fmt.Sprintf("first %d of about %d rows", n, t.Rows), nil
	}
	// Pages, not rows, are drawn: on a table of few pages, or for a
	// sample of few rows, the share that would hold n rows draws no page
	// at all as often as not (--sample 5 of 150 rows on 3 pages read
	// none). At least minSampledPages are drawn, and a table with fewer is
	// read whole, in the same random order.
	pct := float64(n) / float64(t.Rows) * 100 * 1.3
	if t.Pages > 0 {
		pct = min(100, max(pct, float64(minSampledPages)/float64(t.Pages)*100))
	}
	if pct == 100 {
		return []sqldb.Statement{wholeInRandomOrder(cols, from, n)}, fmt.Sprintf("random rows: %d of about %d, all its %d pages read", n, t.Rows, t.Pages), nil
	}
	q := fmt.Sprintf("SELECT %s FROM %s TABLESAMPLE SYSTEM (%.4f) REPEATABLE (%d) ORDER BY md5(tableoid::text || ctid::text) LIMIT %d",
		cols, from, pct, t.Seed()>>33, n)
	return []sqldb.Statement{{Query: q}}, fmt.Sprintf("random pages: tablesample system %.2f%% of about %d rows", pct, t.Rows), nil
}

// wholeInRandomOrder reads n rows of the whole table in an order drawn
// from where they are: fewer than n are every row (Head).
func wholeInRandomOrder(cols, from string, n int) sqldb.Statement {
	return sqldb.Statement{Query: fmt.Sprintf("SELECT %s FROM %s ORDER BY md5(tableoid::text || ctid::text) LIMIT %d", cols, from, n), Head: true}
}

// sizeNow returns t with its estimates scaled, as the planner scales them,
// by the pages it has now to the pages it had when last analysed, and
// says why where they changed: a table analysed at 50 rows and loaded
// with 200,000 since (autovacuum off, or not yet come round) was read
// with LIMIT as "all rows (about 50)". It asks the table's size, not the
// catalog, for each table the catalog has as small: the size takes a lock
// the catalog must not wait for, and the read takes it anyway.
func (d Dialect) sizeNow(ctx context.Context, tx *sql.Tx, t sqldb.Table) (sqldb.Table, string, error) {
	var pages int64
	q := "SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int"
	if err := tx.QueryRowContext(ctx, q, d.Quote(t.Schema)+"."+d.Quote(t.Name)).Scan(&pages); err != nil {
		return t, "", err
	}
	switch {
	case t.Rows < 0:
		t.Pages = pages
		return t, "no statistics: table not analysed", nil
	case pages <= max(t.Pages, 1):
		return t, "", nil // as it was, or smaller
	case t.Pages == 0:
		t.Rows, t.Pages = -1, pages
		return t, "analysed while empty, written since", nil
	}
	t.Rows, t.Pages = t.Rows*pages/t.Pages, pages
	return t, "", nil
}

// minSampledPages is the fewest pages a sample draws on average.
const minSampledPages = 32

// Cursor implements sqldb.CursorReader: the statement's rows come in
// FETCHes, each its own statement under the statement timeout.
func (d Dialect) Cursor(ctx context.Context, tx *sql.Tx, st sqldb.Statement, rows sqldb.ResultFunc) error {
	if _, err := tx.ExecContext(ctx, "DECLARE datakart_rows NO SCROLL CURSOR FOR "+st.Query, st.Args...); err != nil {
		return err
	}
	defer tx.ExecContext(context.WithoutCancel(ctx), "CLOSE datakart_rows")
	fetch := int64(1)
	var n, size int64
	for {
		rs, err := tx.QueryContext(ctx, fmt.Sprintf("FETCH FORWARD %d FROM datakart_rows", fetch))
		if err != nil {
			return err
		}
		got, bytes, err := rows(rs)
		rs.Close()
		if err != nil || got < fetch {
			return err
		}
		n, size = n+got, size+bytes
		fetch = sqldb.NextFetch(fetch, n, size)
	}
}

// Full implements sqldb.FullReader through Cursor, so memory stays flat
// however big the table.
func (d Dialect) Full(ctx context.Context, tx *sql.Tx, t sqldb.Table, cols string, rows sqldb.ResultFunc) error {
	return d.Cursor(ctx, tx, sqldb.Statement{Query: "SELECT " + cols + " FROM " + d.from(t)}, rows)
}
