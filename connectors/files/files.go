// Package files is the connector for local file trees. It walks one root
// (a directory or a single file) and yields each regular file as a unit;
// reading a unit sniffs its content and decodes it: plain text and logs in
// UTF-8, UTF-16 or ISO-8859-1, CSV/TSV with a header, JSON and NDJSON,
// gzip, zip (nested, bounded), xlsx and docx. Files are streamed, never
// read whole, except office documents and nested archives, which need
// random access and are bounded in size.
package files

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"datakart/connectors"
	"datakart/connectors/sqldb"
	"datakart/internal/noatime"
)

// Options tune a file source.
type Options struct {
	// Include and Exclude are globs on the slash path relative to the root.
	// "**" matches any number of directories; a pattern without '/'
	// matches the base name. With Include set, only matching files are
	// read; Exclude wins over Include.
	Include, Exclude []string
	// FollowSymlinks follows symbolic links; loops are detected. Off: a
	// link is recorded as skipped.
	FollowSymlinks bool
	// MaxArchiveDepth bounds archives inside archives (default 3).
	MaxArchiveDepth int
	// MaxArchiveEntries bounds the members read from one archive (default
	// 10000).
	MaxArchiveEntries int
	// MaxExpandedBytes bounds the bytes decompressed from one top-level
	// file (default 4 GiB): zip bombs stop here.
	MaxExpandedBytes int64
	// MaxMemberBytes bounds a member that must be held in memory (a zip
	// inside a zip, an xlsx or docx; default 256 MiB).
	MaxMemberBytes int64
	// OCR reads the text of images with Tesseract (see ocr.go); New
	// fails when it is not installed.
	OCR bool
	// Database says how the tables of an SQLite database file are read
	// (its Include and Exclude are not used: the globs above select
	// files).
	Database sqldb.Options
	ocr      *ocrTool
}

func (o *Options) defaults() {
	if o.MaxArchiveDepth <= 0 {
		o.MaxArchiveDepth = 3
	}
	if o.MaxArchiveEntries <= 0 {
		o.MaxArchiveEntries = 10000
	}
	if o.MaxExpandedBytes <= 0 {
		o.MaxExpandedBytes = 4 << 30
	}
	if o.MaxMemberBytes <= 0 {
		o.MaxMemberBytes = 256 << 20
	}
}

// Source is a file tree.
type Source struct {
	root   string // absolute
	single bool   // the root is a file
	opt    Options

	// deep opens the root as an os.Root, for paths too long for one
	// system call.
	deep func() (*os.Root, error)
	// deeper keeps, by their slash path, the os.Roots of the directories
	// every deepStep levels down where a path has been too long, for
	// deepAt. Guarded by deeperMu.
	deeper   map[string]*os.Root
	deeperMu sync.Mutex

	// textBufs keeps the buffers text is read through (decoder.textBuf)
	// from one file to the next: made for each, 128 KiB allocated and
	// cleared per file was half the time of a tree of 50,000 small files,
	// and most of its memory.
	textBufs sync.Pool
}

// New returns a source for the tree (or single file) at root.
func New(root string, opt Options) (*Source, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if err := CheckGlobs(opt.Include, opt.Exclude); err != nil {
		return nil, err
	}
	opt.defaults()
	if opt.OCR {
		if opt.ocr, err = findOCR(); err != nil {
			return nil, err
		}
	}
	src := &Source{root: abs, single: !st.IsDir(), opt: opt, deep: sync.OnceValues(func() (*os.Root, error) { return os.OpenRoot(abs) })}
	if src.opt.Database.Documents == nil {
		// The documents an app's SQLite database keeps, as a server's are.
		o := &src.opt
		src.opt.Database.Documents = func(ctx context.Context, data, text []byte) (sqldb.Document, error) {
			return readDocument(ctx, o, data, text)
		}
	}
	return src, nil
}

// A path longer than the system takes in one call (4,096 bytes on Linux)
// is read through an os.Root, which opens one directory at a time, so a
// tree deeper than that is read whole. Paths are tried as they are first:
// a followed symlink may lead out of the root, where an os.Root does not
// go.

func (s *Source) lstat(full, rel string) (fs.FileInfo, error) {
	fi, err := os.Lstat(full)
	if r, below := s.deepRoot(err, rel); r != nil {
		return r.Lstat(below)
	}
	return fi, err
}

func (s *Source) stat(full, rel string) (fs.FileInfo, error) {
	fi, err := os.Stat(full)
	if r, below := s.deepRoot(err, rel); r != nil {
		return r.Stat(below)
	}
	return fi, err
}

func (s *Source) readDir(full, rel string) ([]fs.DirEntry, error) {
	d, err := s.open(full, rel)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	entries, err := d.ReadDir(-1)
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, err
}

// open opens a file or directory for reading, without updating its
// access time where the system allows (see internal/noatime).
func (s *Source) open(full, rel string) (*os.File, error) {
	f, err := noatime.OpenFile(full)
	if r, below := s.deepRoot(err, rel); r != nil {
		return noatime.Open(func(flag int) (*os.File, error) { return r.OpenFile(below, flag, 0) })
	}
	return f, err
}

// deepRoot returns the root to retry rel through, and rel's path below it,
// when err says a path was too long, else nil.
func (s *Source) deepRoot(err error, rel string) (*os.Root, string) {
	if !errors.Is(err, syscall.ENAMETOOLONG) {
		return nil, ""
	}
	r, below, rerr := s.deepAt(rel)
	if rerr != nil {
		return nil, ""
	}
	return r, below
}

// deepStep is how many levels an os.Root of deepAt reaches down.
const deepStep = 256

// deepAt returns the os.Root of the directory nearest above rel of those
// every deepStep levels down from the root, and rel's path below it. An
// os.Root opens one directory at a time: through the root alone, every
// file 2,700 levels down cost 2,700 system calls, and the tree 11 s,
// where one of 1,500 levels, short enough for a path, took 0.4 s.
func (s *Source) deepAt(rel string) (*os.Root, string, error) {
	parts := strings.Split(rel, "/")
	k := (len(parts) - 1) / deepStep * deepStep
	if k == 0 {
		r, err := s.deep()
		return r, rel, err
	}
	dir := strings.Join(parts[:k], "/")
	s.deeperMu.Lock()
	r := s.deeper[dir]
	s.deeperMu.Unlock()
	if r == nil {
		above, below, err := s.deepAt(dir)
		if err != nil {
			return nil, "", err
		}
		if r, err = above.OpenRoot(below); err != nil {
			return nil, "", err
		}
		s.deeperMu.Lock()
		if have := s.deeper[dir]; have != nil {
			r.Close() // another worker opened it first
			r = have
		} else {
			if s.deeper == nil {
				s.deeper = map[string]*os.Root{}
			}
			s.deeper[dir] = r
		}
		s.deeperMu.Unlock()
	}
	return r, strings.Join(parts[k:], "/"), nil
}

// Kind implements connectors.Source.
func (s *Source) Kind() string { return "files" }

// Location implements connectors.Source.
func (s *Source) Location() string { return s.root }

// Units implements connectors.Source: every file below the root in lexical
// order.
func (s *Source) Units(ctx context.Context, visit func(connectors.Unit) error) error {
	if fs := pseudoFS(s.root); fs != "" {
		return visit(kernelView(filepath.Base(s.root), fs))
	}
	if s.single {
		st, err := os.Lstat(s.root)
		if err != nil {
			return err
		}
		return visit(s.unit(filepath.Base(s.root), s.root, st))
	}
	seen := map[fileID]bool{}
	return s.walk(ctx, s.root, "", 0, seen, visit)
}

// kernelView is the unit of a directory on one of the kernel's pseudo
// filesystems, which is not walked.
func kernelView(name, fs string) connectors.Unit {
	return connectors.Unit{Name: name, Kind: "directory", Size: -1, Skip: "a view of the running kernel (" + fs + "), not stored files"}
}

// fileID identifies a directory, to see a symlink loop: its device and
// inode where the system has them (see idOf), else its real path.
type fileID struct {
	dev, ino uint64
	path     string
}

// walk visits the directory dir (rel is its slash path below the root; its
// parent is on device parentDev). It is its own walker rather than
// filepath.WalkDir so that followed symlinked directories can be walked
// with loop detection.
func (s *Source) walk(ctx context.Context, dir, rel string, parentDev uint64, seen map[fileID]bool, visit func(connectors.Unit) error) error {
	dev := parentDev
	if st, err := s.stat(dir, relOrDot(rel)); err == nil {
		if id, ok := idOf(dir, st); ok {
			// Where a mount point (or a followed link) leads to another
			// filesystem, ask what kind it is; Units asked for the root.
			if rel != "" && id.dev != parentDev {
				if fs := pseudoFS(dir); fs != "" {
					return visit(kernelView(rel, fs))
				}
			}
			dev = id.dev
			if seen[id] {
				return visit(connectors.Unit{Name: rel, Kind: "directory", Size: -1, Skip: "symlink loop (directory already scanned)"})
			}
			seen[id] = true
		}
	}
	entries, err := s.readDir(dir, relOrDot(rel))
	if err != nil {
		name := rel
		if name == "" {
			name = "."
		}
		return visit(connectors.Unit{Name: name, Kind: "directory", Size: -1, Err: fmt.Errorf("list directory: %w", errors.Unwrap(err))})
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		full := filepath.Join(dir, e.Name())
		r := path.Join(rel, e.Name())
		fi, err := s.lstat(full, r)
		if err != nil {
			if err := visit(connectors.Unit{Name: r, Kind: "file", Size: -1, Err: statErr(err)}); err != nil {
				return err
			}
			continue
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			if !s.opt.FollowSymlinks {
				if s.selected(r) {
					if err := visit(connectors.Unit{Name: r, Kind: "symlink", Size: -1, Skip: "symlink (not followed; --follow-symlinks follows links)"}); err != nil {
						return err
					}
				}
				continue
			}
			target, err := s.stat(full, r)
			if err != nil {
				if err := visit(connectors.Unit{Name: r, Kind: "symlink", Size: -1, Err: fmt.Errorf("broken symlink: %w", errors.Unwrap(err))}); err != nil {
					return err
				}
				continue
			}
			fi = target
		}
		if fi.IsDir() {
			if s.excludedDir(r) {
				continue
			}
			if err := s.walk(ctx, full, r, dev, seen, visit); err != nil {
				return err
			}
			continue
		}
		if !s.selected(r) {
			continue
		}
		if err := visit(s.unit(r, full, fi)); err != nil {
			return err
		}
	}
	return nil
}

func relOrDot(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

func statErr(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

func (s *Source) unit(name, full string, fi fs.FileInfo) connectors.Unit {
	u := connectors.Unit{Name: name, Kind: "file", Size: fi.Size()}
	if !fi.Mode().IsRegular() {
		u.Size = -1
		u.Skip = "not a regular file (" + fileType(fi.Mode()) + ")"
		return u
	}
	u.Read = func(ctx context.Context, sink connectors.Sink) error {
		f, err := s.open(full, name)
		if err != nil {
			return fmt.Errorf("open: %w", statErr(err))
		}
		defer f.Close()
		d := &decoder{opt: &s.opt, sink: sink, budget: s.opt.MaxExpandedBytes, diskPath: full}
		if b, ok := s.textBufs.Get().(*[]byte); ok {
			d.textBuf = *b
		}
		defer func() {
			if b := d.textBuf; b != nil {
				s.textBufs.Put(&b) // not &d.textBuf: the pool would keep d and its sink
			}
		}()
		d.sibling = func(base string) (fs.File, error) {
			f, err := s.sibling(name, full, base)
			if err != nil {
				return nil, err // not a nil *os.File in a non-nil fs.File
			}
			return f, nil
		}
		return d.decode(ctx, f, path.Base(name), "", 0)
	}
	return u
}

// sibling opens the file base beside the file name (full on disk) that is
// being read, as the walk would read it: only a regular file the scan
// selects, a symlink only with --follow-symlinks. The volumes of an
// archive are opened so.
func (s *Source) sibling(name, full, base string) (*os.File, error) {
	rel := path.Join(path.Dir(name), base)
	full = filepath.Join(filepath.Dir(full), base)
	if !s.single && !s.selected(rel) {
		return nil, fmt.Errorf("%s: excluded from the scan", base)
	}
	fi, err := s.lstat(full, rel)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 && s.opt.FollowSymlinks {
		fi, err = s.stat(full, rel)
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", base, statErr(err))
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file (%s)", base, fileType(fi.Mode()))
	}
	return s.open(full, rel)
}

func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	}
	return "irregular file"
}

// selected reports whether a file's relative path passes the globs.
func (s *Source) selected(rel string) bool { return Selected(s.opt.Include, s.opt.Exclude, rel) }

// Selected reports whether the slash path rel passes include and exclude
// globs (see Match): not excluded, and included when there are includes.
func Selected(include, exclude []string, rel string) bool {
	for _, g := range exclude {
		if Match(g, rel) {
			return false
		}
	}
	if len(include) == 0 {
		return true
	}
	for _, g := range include {
		if Match(g, rel) {
			return true
		}
	}
	return false
}

// excludedDir reports whether a directory is excluded as a whole
// ("node_modules", "**/.git", "build/**").
func (s *Source) excludedDir(rel string) bool {
	for _, g := range s.opt.Exclude {
		if Match(g, rel) || Match(strings.TrimSuffix(g, "/**"), rel) {
			return true
		}
	}
	return false
}

// CheckGlobs reports the first glob in the lists that Match cannot use.
func CheckGlobs(lists ...[]string) error {
	for _, list := range lists {
		for _, g := range list {
			if _, err := path.Match(strings.ReplaceAll(g, "**", "*"), ""); err != nil {
				return fmt.Errorf("bad glob %q: %w", g, err)
			}
		}
	}
	return nil
}

// Match reports whether the slash path name matches the glob pattern: '*'
// and '?' within one path element as in path.Match, "**" for any number
// of elements; a pattern without '/' matches the base name.
func Match(pattern, name string) bool {
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(name))
		return ok
	}
	return matchParts(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

// matchParts matches the elements of a path against those of a pattern,
// "**" standing for any number of elements. On a mismatch it goes back to
// the last "**" only, to let it take one more element: the time is the
// product of the two lengths at most, where trying every split for every
// "**" took a second for one path against "**/**/**/**/**/**/**/**/x.csv".
func matchParts(pat, name []string) bool {
	p, n := 0, 0
	star, from := -1, 0 // the last "**" met, and the element it took last
	for n < len(name) {
		switch {
		case p < len(pat) && pat[p] == "**":
			star, from = p, n
			p++
		case p < len(pat) && matchElement(pat[p], name[n]):
			p, n = p+1, n+1
		case star >= 0:
			from++
			p, n = star+1, from
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == "**" {
		p++
	}
	return p == len(pat)
}

func matchElement(pattern, element string) bool {
	ok, _ := path.Match(pattern, element)
	return ok
}
