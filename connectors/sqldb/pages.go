package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// readPages reads the statement k in pages (see Keyset), handing each to
// rows, and stops early when rows reads fewer than it was given (a
// sample's limit is reached).
func readPages(ctx context.Context, tx *sql.Tx, k Keyset, rows ResultFunc) error {
	fetch := int64(1)
	var n, size int64
	var after any // the key of the last row read; nil before the first page
	for n < k.Limit {
		page := min(fetch, k.Limit-n)
		where, args := k.Where, k.Args
		if after != nil {
			where, args = and(where, k.Key+" > ?"), append(args[:len(args):len(args)], after)
		}
		var last any
		err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT 1 OFFSET %d",
			k.Key, k.From, whereClause(where), k.Key, page-1), args...).Scan(&last)
		var q string
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// Fewer than page rows are left: the last page.
			q = fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s", k.Cols, k.From, whereClause(where), k.Key)
		case err != nil:
			return err
		default:
			if last, err = keyArg(last); err != nil {
				return err
			}
			q = fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s", k.Cols, k.From, whereClause(and(where, k.Key+" <= ?")), k.Key)
			args = append(args[:len(args):len(args)], last)
		}
		rs, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		got, bytes, err := rows(rs)
		rs.Close()
		if err != nil || last == nil || got < page {
			return err
		}
		n, size, after = n+got, size+bytes, last
		fetch = NextFetch(fetch, n, size)
	}
	return nil
}

func and(a, b string) string {
	if a == "" {
		return b
	}
	return "(" + a + ") AND " + b
}

func whereClause(cond string) string {
	if cond == "" {
		return ""
	}
	return " WHERE " + cond
}

// keyArg turns a key as the driver scanned it into an argument that
// compares exactly with the key column: the text protocol gives integers
// as text, which MySQL would compare with an integer as a double, losing
// the last digits of a large BIGINT.
func keyArg(v any) (any, error) {
	b, ok := v.([]byte)
	if !ok {
		return v, nil
	}
	if i, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return i, nil
	}
	if u, err := strconv.ParseUint(string(b), 10, 64); err == nil {
		return u, nil
	}
	return nil, fmt.Errorf("key %q is not an integer", b)
}
