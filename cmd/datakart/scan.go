package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"datakart/connectors"
	"datakart/connectors/databases"
	"datakart/connectors/files"
	"datakart/connectors/migrations"
	"datakart/connectors/sqldb"
	"datakart/history"
	"datakart/internal/dsn"
	"datakart/inventory"
	"datakart/reports"
	"datakart/rules"

	"golang.org/x/term"
)

var errHelp = errors.New("help shown")

const scanUsage = `Usage: datakart scan [flags] TARGET...

Scans each TARGET for personal data and writes the data inventory: which
file, table, field or column holds which categories, how sure, and why.
Values are masked and fingerprinted; raw values are never written unless
--show-values=raw. Databases are only read, in read-only transactions.

A TARGET is a file or directory tree, a folder of SQL migrations (read for
the columns they define, and as files, for the rows of a dump;
migrations:PATH reads the schema only), or a database:
  postgres://user@host:5432/db       (password: PGPASSWORD or --password-env)
  mysql://user@host:3306/db          (MySQL and MariaDB; also user:pass@tcp(host:3306)/db)
  sqlite:path/to/file.db             (opened read-only)

Examples:
  datakart scan ./exports
  datakart scan postgres://scanner@db.internal:5432/erp mysql://scanner@10.0.0.5:3306/crm ./exports
  PGPASSWORD=… datakart scan --full --format json -o erp.json postgres://scanner@db/erp
  datakart scan --format json -o inventory.json ./exports ./logs
  datakart scan --exclude '**/*.log' --include '**/*.csv' /srv/share
  DATAKART_FINGERPRINT_KEY=$(cat key) datakart scan --format csv ./exports > inventory.csv

Flags:
`

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

type scanFlags struct {
	format, output, showValues, fingerprintKey string
	minConfidence                              string
	concurrency                                int
	include, exclude                           stringList
	followSymlinks, noProgress, ocr            bool
	maxDepth, maxEntries                       int
	maxExpanded, maxMember                     byteSize

	// Databases.
	sample           int
	full, views      bool
	schemaOnly       bool
	statementTimeout time.Duration
	dbConnections    int
	passwordEnv      string

	history   string
	noHistory bool
}

// flagUse says which of the flags the scanning commands share a command
// takes, so that its help lists only those that do something.
type flagUse struct {
	formats    []string // the choices of --format; none: no --format
	output     string   // what --output writes
	filter     string   // what --min-confidence leaves out; "": no --min-confidence
	showValues bool     // --show-values: the output can hold values
	recorded   bool     // --history, --no-history: the run is kept in the history
}

var (
	scanFlagUse = flagUse{formats: reports.Formats, output: "write the report to this file instead of stdout", showValues: true, recorded: true,
		filter: "hide findings below this confidence in table, csv and markdown (low, medium, high); json has all"}
	checkFlagUse = flagUse{formats: reports.CheckFormats, output: "write the report to this file instead of stdout", recorded: true}
	initFlagUse  = flagUse{output: "write the config to this file (default ./" + rules.ConfigFile + "; - for stdout)",
		filter: "declare only the categories found at this confidence or above (low, medium, high)"}
)

func (f *scanFlags) register(fs *flag.FlagSet, use flagUse) {
	f.showValues, f.minConfidence = "masked", "medium"
	if use.formats != nil {
		fs.StringVar(&f.format, "format", "table", "output format: "+strings.Join(use.formats, ", "))
	}
	fs.StringVar(&f.output, "output", "", use.output)
	fs.StringVar(&f.output, "o", "", "shorthand for --output")
	fs.IntVar(&f.concurrency, "concurrency", runtime.NumCPU(), "units (files, tables) read at once, over all targets")
	fs.Var(&f.include, "include", "only scan paths matching this glob (repeatable; ** matches directories)")
	fs.Var(&f.exclude, "exclude", "skip paths matching this glob (repeatable)")
	fs.BoolVar(&f.followSymlinks, "follow-symlinks", false, "follow symbolic links (loops are detected)")
	fs.BoolVar(&f.ocr, "ocr", false, "read the text in images (PNG, JPEG, TIFF, GIF, WebP) and scanned PDFs with Tesseract and pdftoppm, which must be installed")
	if use.filter != "" {
		fs.StringVar(&f.minConfidence, "min-confidence", "medium", use.filter)
	}
	if use.showValues {
		fs.StringVar(&f.showValues, "show-values", "masked", "masked or raw: raw puts personal data in the output")
	}
	fs.StringVar(&f.fingerprintKey, "fingerprint-key", "", "key for value fingerprints (default $DATAKART_FINGERPRINT_KEY, else random per run)")
	fs.IntVar(&f.maxDepth, "max-archive-depth", 3, "how deep to open archives inside archives")
	fs.IntVar(&f.maxEntries, "max-archive-entries", 10000, "most members read from one archive")
	f.maxExpanded = 4 << 30
	fs.Var(&f.maxExpanded, "max-expanded-bytes", "most bytes decompressed from one archive (e.g. 512MiB, 4GiB)")
	f.maxMember = 256 << 20
	fs.Var(&f.maxMember, "max-member-bytes", "largest part held in memory to be read: a document in an archive, a database cell or a large object, an Office stream, an Outlook value (e.g. 64MiB, 1GiB)")
	fs.BoolVar(&f.noProgress, "no-progress", false, "never show progress on stderr")
	fs.IntVar(&f.sample, "sample", 10000, "rows read per table, chosen at random where the engine allows")
	fs.BoolVar(&f.full, "full", false, "read every row of every table (streaming) instead of a sample")
	fs.BoolVar(&f.views, "views", false, "scan views too")
	fs.BoolVar(&f.schemaOnly, "schema-only", false, "judge tables by column names and types only; read no rows")
	fs.DurationVar(&f.statementTimeout, "statement-timeout", 30*time.Second, "longest a database statement may run")
	fs.IntVar(&f.dbConnections, "db-connections", 2, "most open connections per database")
	fs.StringVar(&f.passwordEnv, "password-env", "", "read database passwords from this environment variable (for targets that carry none)")
	if use.recorded {
		fs.StringVar(&f.history, "history", history.DefaultPath, "record the inventory in this history database")
		fs.BoolVar(&f.noHistory, "no-history", false, "do not record the inventory in the history")
	}
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, as people type them.
func parseInterleaved(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	// The flag package prints the usage where it meets a bad flag, and
	// where it is asked for help (-h, --help): that answer goes to stdout,
	// as the main help does, where a pager or grep reads it.
	errOut := fs.Output()
	var printed bytes.Buffer
	fs.SetOutput(&printed)
	defer fs.SetOutput(errOut)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				stdout.Write(printed.Bytes())
				return nil, errHelp
			}
			// The error alone, as for every other bad value: the flag
			// package's whole usage after it buried it.
			msg := strings.Replace(err.Error(), " for flag -", " for flag --", 1)
			return nil, usageError{strings.Replace(msg, ": parse error", ": not a number", 1)}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runScan(args []string, stdout, stderr io.Writer) error {
	var r scanRun
	maxRows := 1000
	if err := r.parse("scan", scanUsage, scanFlagUse, args, stdout, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&maxRows, "max-rows", maxRows, "most findings listed in the table, in inventory order (0: all); csv and json have every one")
	}); err != nil {
		return err
	}
	if maxRows < 0 {
		return usagef("--max-rows must be 0 (all) or more, not %d", maxRows)
	}
	if !validFormat(r.f.format, reports.Formats) {
		return usagef("--format %q: want one of %s", r.f.format, strings.Join(reports.Formats, ", "))
	}
	minConf, err := r.minConfidence()
	if err != nil {
		return err
	}
	ctx, stop := interruptContext()
	defer stop()
	inv, err := r.scan(ctx, stderr)
	if err != nil {
		return err
	}
	r.record(ctx, "scan", inv, stderr)
	if err := writeReport(r.f.output, stdout, func(w io.Writer) error {
		return reports.Render(w, inv, r.f.format, reports.Options{MinConfidence: minConf, MaxRows: maxRows, Width: tableWidth(r.f.output, stdout)})
	}); err != nil {
		return err
	}
	return interrupted(inv, stderr)
}

// interrupted turns an incomplete inventory into the documented exit code.
func interrupted(inv *inventory.Inventory, stderr io.Writer) error {
	if inv.Complete {
		return nil
	}
	fmt.Fprintf(stderr, "datakart: scan interrupted; the output is partial and marked incomplete\n")
	return exitError{exitInterrupted}
}

// validFormat reports whether f is one of formats, or "md" for markdown.
func validFormat(f string, formats []string) bool {
	return slices.Contains(formats, f) || (f == "md" && slices.Contains(formats, "markdown"))
}

// openTarget turns a command-line target into its sources: a database URL
// or DSN, or a path.
// tableOptions are how tables are read, in a database and in an SQLite
// file of a tree alike.
func (f scanFlags) tableOptions() sqldb.Options {
	return sqldb.Options{
		Sample: f.sample, Full: f.full, Views: f.views, SchemaOnly: f.schemaOnly,
		StatementTimeout: f.statementTimeout, MaxDocumentBytes: int64(f.maxMember),
	}
}

// fileOptions are how files are read: in a tree, and the documents a
// database keeps in its binary columns.
func (f scanFlags) fileOptions() files.Options {
	return files.Options{
		Include:           f.include,
		Exclude:           f.exclude,
		FollowSymlinks:    f.followSymlinks,
		MaxArchiveDepth:   f.maxDepth,
		MaxArchiveEntries: f.maxEntries,
		MaxExpandedBytes:  int64(f.maxExpanded),
		MaxMemberBytes:    int64(f.maxMember),
		OCR:               f.ocr,
		Database:          f.tableOptions(),
	}
}

// targetPassword is the password to connect to the database target t
// with instead of its own: the one in the variable --password-env names,
// for a target that carries none. A password written in a target is for
// that target, so --password-env does not replace it: with one database
// read by a password from the environment and another by one in its URL,
// the second was refused with the first's.
func targetPassword(t, env string) (string, error) {
	if env == "" || dsn.Password(t) != "" {
		return "", nil
	}
	password := os.Getenv(env)
	if password == "" {
		return "", usagef("--password-env %s: the variable is empty or not set", env)
	}
	return password, nil
}

func openTarget(ctx context.Context, t string, f scanFlags) ([]connectors.Source, error) {
	if dsn.IsDatabaseTarget(t) {
		password, err := targetPassword(t, f.passwordEnv)
		if err != nil {
			return nil, err
		}
		opt := f.tableOptions()
		opt.MaxConns, opt.Include, opt.Exclude = f.dbConnections, f.include, f.exclude
		documents, err := files.DocumentReader(f.fileOptions())
		if err != nil {
			return nil, err
		}
		opt.Documents = documents
		src, err := databases.Open(ctx, t, password, opt)
		if err != nil {
			// One unreachable database must not stop the others: it is an
			// error of its store in the inventory.
			return []connectors.Source{unreachable{kind: databases.Kind(t), location: dsn.Redact(t), err: err}}, nil
		}
		return []connectors.Source{closingSource{src}}, nil
	}
	if dir, ok := strings.CutPrefix(t, "migrations:"); ok {
		schema, err := migrations.New(dir, migrations.Options{Include: f.include, Exclude: f.exclude})
		if err != nil {
			return nil, err
		}
		return []connectors.Source{schema}, nil
	}
	if scheme, _, ok := strings.Cut(t, "://"); ok && !strings.ContainsAny(scheme, `/\`) {
		// Not a path but a mistyped or unknown database URL: said so,
		// with its password hidden.
		return nil, usagef("target %s: unknown kind of target %q (postgres://, mysql://, sqlite:, migrations: or a path)", dsn.Redact(t), scheme+"://")
	}
	st, err := os.Stat(t)
	if err != nil {
		// A share that is not mounted, a path that went away: its store
		// could not be read, as a database that refuses the connection,
		// and the other targets are scanned (check exits 3).
		location, _ := filepath.Abs(t)
		return []connectors.Source{unreachable{kind: "files", location: location, err: errors.Unwrap(err)}}, nil
	}
	tree, err := files.New(t, f.fileOptions())
	if err != nil {
		return nil, err
	}
	if st.IsDir() && migrations.Looks(t) {
		// The columns the migrations define, and what the files hold:
		// a folder of .sql files may be a database dump, whose INSERT
		// rows are data the schema alone does not show.
		schema, err := migrations.New(t, migrations.Options{Include: f.include, Exclude: f.exclude})
		if err != nil {
			return nil, err
		}
		return []connectors.Source{schema, tree}, nil
	}
	return []connectors.Source{tree}, nil
}

// writeReport runs render to stdout or, atomically and readable only by
// its owner, to a file. What is not a file (/dev/null, a named pipe, a
// terminal) is written to as it is: replacing it with a file would break
// it for everyone, and as root would turn /dev/null into a file. A link
// to a file stays a link.
func writeReport(output string, stdout io.Writer, render func(io.Writer) error) error {
	if output == "" || output == "-" {
		return render(stdout)
	}
	if st, err := os.Stat(output); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return usagef("-o %s: is a directory", output)
		}
		f, err := os.OpenFile(output, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := render(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if target, err := filepath.EvalSymlinks(output); err == nil {
		output = target
	}
	tmp, err := os.CreateTemp(filepath.Dir(output), ".datakart-*")
	if err != nil {
		// The error names the temporary file, which the user never heard
		// of: name the file asked for.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("write %s: %w", output, pe.Err)
		}
		return err
	}
	defer os.Remove(tmp.Name())
	if err := render(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), output)
}

// interruptContext is cancelled by the first SIGINT or SIGTERM, so the scan
// stops and writes what it found; a second signal ends the process at once.
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig, ok := <-ch
		if !ok {
			return
		}
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		cancel(fmt.Errorf("received %v", sig))
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(ch)
		cancel(nil)
	}
}

// tableWidth is the width a table written to output is drawn for: on
// standard output, $COLUMNS where it is set, else the width of the
// terminal it is; 0 for a file or a pipe.
func tableWidth(output string, stdout io.Writer) int {
	if output != "" && output != "-" {
		return 0
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			return w
		}
	}
	return 0
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// closingSource lets the command close a database source when done.
type closingSource struct{ *sqldb.Source }

func (c closingSource) Close() error { return c.DB().Close() }

// unreachable is a database that could not be opened; scanning it records
// the error for its store.
type unreachable struct {
	kind, location string
	err            error
}

func (u unreachable) Kind() string     { return u.kind }
func (u unreachable) Location() string { return u.location }
func (u unreachable) Units(context.Context, func(connectors.Unit) error) error {
	return u.err
}
