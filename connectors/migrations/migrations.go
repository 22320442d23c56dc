// Package migrations is a schema-only connector for SQL migration files.
// It reads the *.sql files below a directory (or one file), in lexical
// order, and declares the columns their CREATE TABLE and ALTER TABLE
// statements define, with each column's declared type and the line of its
// definition, so that columns can be classified by name and type without
// a database. No data is read: the connector never calls Sink.Value.
//
// The parser understands the PostgreSQL and MySQL/MariaDB dialects well
// enough for DDL: quoted identifiers, comments, string literals and
// dollar-quoted bodies are tokenized with their lines, and statements it
// does not understand are skipped.
package migrations

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"datakart/connectors"
	"datakart/connectors/files"
)

// Options tune a migrations source.
type Options struct {
	// Include and Exclude are globs on the slash path relative to the root,
	// as in the files connector ("**" for any number of directories; a
	// pattern without '/' matches the base name). Only *.sql files are
	// read in any case; with Include set, only matching ones. Exclude wins.
	Include, Exclude []string
}

// Source is a directory of SQL migrations, or a single SQL file.
type Source struct {
	root   string // absolute, as given
	dir    string // root with symbolic links resolved, to walk
	single bool
	opt    Options
}

// New returns a source for the migrations below root, a directory (every
// *.sql file below it, in lexical order of their relative paths) or a
// single SQL file.
func New(root string, opt Options) (*Source, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if err := files.CheckGlobs(opt.Include, opt.Exclude); err != nil {
		return nil, err
	}
	dir, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	return &Source{root: abs, dir: dir, single: !st.IsDir(), opt: opt}, nil
}

// Kind implements connectors.Source.
func (s *Source) Kind() string { return "migrations" }

// Location implements connectors.Source.
func (s *Source) Location() string { return s.root }

// Units implements connectors.Source: one unit per SQL file, in lexical
// order of the slash paths relative to the root.
func (s *Source) Units(ctx context.Context, visit func(connectors.Unit) error) error {
	if s.single {
		st, err := os.Stat(s.root)
		if err != nil {
			return err
		}
		return visit(s.unit(filepath.Base(s.root), s.root, st.Size()))
	}
	// WalkDir visits entries in lexical order and does not follow links.
	return filepath.WalkDir(s.dir, func(full string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel, rerr := filepath.Rel(s.dir, full)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			if d != nil && d.IsDir() || full == s.dir {
				name := rel
				return visit(connectors.Unit{Name: name, Kind: "directory", Size: -1, Err: fmt.Errorf("list directory: %w", unwrap(err))})
			}
			if !s.selected(rel) {
				return nil
			}
			return visit(connectors.Unit{Name: rel, Kind: "migration", Size: -1, Err: unwrap(err)})
		}
		if d.IsDir() {
			if full != s.dir && s.excludedDir(rel) {
				return fs.SkipDir
			}
			return nil
		}
		if !s.selected(rel) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return visit(connectors.Unit{Name: rel, Kind: "symlink", Size: -1, Skip: "symlink (not followed)"})
		}
		if !d.Type().IsRegular() {
			return visit(connectors.Unit{Name: rel, Kind: "migration", Size: -1, Skip: "not a regular file"})
		}
		size := int64(-1)
		if fi, err := d.Info(); err == nil {
			size = fi.Size()
		}
		return visit(s.unit(rel, full, size))
	})
}

func unwrap(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

func (s *Source) unit(name, full string, size int64) connectors.Unit {
	return connectors.Unit{Name: name, Kind: "migration", Size: size, Read: func(ctx context.Context, sink connectors.Sink) error {
		f, err := os.Open(full)
		if err != nil {
			return fmt.Errorf("open: %w", unwrap(err))
		}
		defer f.Close()
		return Parse(ctx, f, sink)
	}}
}

// selected reports whether a file's relative path is a SQL file passing
// the globs.
func (s *Source) selected(rel string) bool {
	return strings.EqualFold(path.Ext(rel), ".sql") && files.Selected(s.opt.Include, s.opt.Exclude, rel)
}

func (s *Source) excludedDir(rel string) bool {
	for _, g := range s.opt.Exclude {
		if files.Match(g, rel) || files.Match(strings.TrimSuffix(g, "/**"), rel) {
			return true
		}
	}
	return false
}

// Parse reads SQL from r and declares to sink, for each table a CREATE
// TABLE or ALTER TABLE statement defines columns of, a part (Path the
// table name as written, unquoted, with its schema if given; Kind "table")
// and its columns with their types and lines. Statements it does not
// understand are skipped; only a read error is returned.
func Parse(ctx context.Context, r io.Reader, sink connectors.Sink) error {
	lx := newLexer(bufio.NewReaderSize(r, 64<<10))
	var stmt []token
	for n := 0; ; n++ {
		if n&63 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var eof bool
		stmt, eof = lx.statement(stmt[:0])
		if lx.err != nil {
			return lx.err
		}
		if len(stmt) > 0 {
			parseStatement(stmt, sink)
		}
		if eof {
			return nil
		}
	}
}
