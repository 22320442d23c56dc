// Package migrations is a schema-only connector: it reads SQL migration
// files (PostgreSQL and MySQL/MariaDB dialects) and declares the columns
// they create, add, rename or retype, with the file and line of each
// definition, so `datakart check migrations/` can classify columns by
// name and type without a database. No data is read.
package migrations

import (
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

// maxFile bounds one migration file read into memory.
const maxFile = 64 << 20

// Options tune a migrations source.
type Options struct {
	Include, Exclude []string // globs on the slash path below the root
}

// Source is a folder of migrations, or one file.
type Source struct {
	root   string
	single bool
	opt    Options
}

// New returns a source for the migrations at root.
func New(root string, opt Options) (*Source, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	return &Source{root: abs, single: !st.IsDir(), opt: opt}, nil
}

// Looks reports whether dir is a folder of SQL migrations: at least one
// .sql file below it, and no other files but notes (.md, .txt) and hidden
// ones.
func Looks(dir string) bool {
	sql := 0
	other := false
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || other {
			return filepath.SkipDir
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		switch strings.ToLower(path.Ext(d.Name())) {
		case ".sql":
			sql++
		case ".md", ".txt":
		default:
			other = true
		}
		return nil
	})
	return sql > 0 && !other
}

// Kind implements connectors.Source.
func (s *Source) Kind() string { return "migrations" }

// Location implements connectors.Source.
func (s *Source) Location() string { return s.root }

// Units implements connectors.Source: each .sql file, in lexical order,
// which is migration order for numbered migrations.
func (s *Source) Units(ctx context.Context, visit func(connectors.Unit) error) error {
	if s.single {
		return visit(s.unit(filepath.Base(s.root), s.root))
	}
	return filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			rel, _ := filepath.Rel(s.root, p)
			return visit(connectors.Unit{Name: filepath.ToSlash(rel), Kind: "migration", Size: -1, Err: err})
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".sql") {
			return nil
		}
		rel, _ := filepath.Rel(s.root, p)
		rel = filepath.ToSlash(rel)
		if !s.selected(rel) {
			return nil
		}
		return visit(s.unit(rel, p))
	})
}

func (s *Source) selected(rel string) bool { return files.Selected(s.opt.Include, s.opt.Exclude, rel) }

func (s *Source) unit(name, full string) connectors.Unit {
	return connectors.Unit{Name: name, Kind: "migration", Size: -1, Read: func(ctx context.Context, sink connectors.Sink) error {
		f, err := os.Open(full)
		if err != nil {
			return err
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
		if err != nil {
			return err
		}
		if len(b) > maxFile {
			return fmt.Errorf("%w: a migration larger than %d MiB", connectors.ErrLimit, maxFile>>20)
		}
		cols := parse(string(b))
		if len(cols) == 0 {
			sink.Begin(connectors.Part{Kind: "migration"})
			sink.Sampled(0, "schema only: no columns defined")
			return nil
		}
		for _, c := range cols {
			sink.Begin(connectors.Part{Path: c.table, Kind: "table"})
			sink.FieldInfo(c.name, c.typ, c.line)
			sink.Sampled(0, "schema only (migration)")
		}
		return nil
	}}
}
