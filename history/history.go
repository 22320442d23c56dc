// Package history keeps the inventories of earlier scans in an embedded
// SQLite database (pure Go, no cgo), so an audit can say what changed
// since the last one. The schema is migrated when the database is opened.
// Only what an inventory holds is stored, and never raw values: a scan
// run with --show-values=raw is stored without them.
package history

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"datakart/detectors"
	"datakart/internal/sqliteuri"
	"datakart/inventory"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DefaultPath is where scans are recorded unless told otherwise.
const DefaultPath = ".datakart/history.db"

// DB is an open history database.
type DB struct {
	db *sql.DB
}

// migrations bring a database from one schema version to the next; the
// index is the version they leave it at, minus one.
var migrations = []string{
	`CREATE TABLE runs (
		id INTEGER PRIMARY KEY,
		command TEXT NOT NULL,
		started_at TEXT NOT NULL,
		finished_at TEXT NOT NULL,
		complete INTEGER NOT NULL,
		targets TEXT NOT NULL,
		containers INTEGER NOT NULL,
		personal_locations INTEGER NOT NULL,
		high INTEGER NOT NULL,
		medium INTEGER NOT NULL,
		low INTEGER NOT NULL,
		errors INTEGER NOT NULL,
		inventory BLOB NOT NULL
	)`,
	`CREATE INDEX runs_started ON runs (started_at)`,
}

// Open opens (creating it and its folder if needed) the history at path
// and migrates its schema.
func Open(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("history %s: %w", path, err)
		}
	}
	db, err := sql.Open("sqlite", sqliteuri.File(path)+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	h := &DB{db: db}
	if err := h.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	os.Chmod(path, 0o600) // it describes where personal data is
	return h, nil
}

// Close closes the database.
func (h *DB) Close() error { return h.db.Close() }

func (h *DB) migrate(ctx context.Context) error {
	var version int
	if err := h.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this datakart knows (%d)", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		tx, err := h.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Run summarises one recorded scan.
type Run struct {
	ID                int64     `json:"id"`
	Command           string    `json:"command"`
	StartedAt         time.Time `json:"started_at"`
	FinishedAt        time.Time `json:"finished_at"`
	Complete          bool      `json:"complete"`
	Targets           []string  `json:"targets"`
	Containers        int       `json:"containers"`
	PersonalLocations int       `json:"personal_locations"`
	High              int       `json:"high"`
	Medium            int       `json:"medium"`
	Low               int       `json:"low"`
	Errors            int       `json:"errors"`
}

// Record stores an inventory and returns its run id. Raw values, if the
// scan had them, are not stored.
func (h *DB) Record(ctx context.Context, command string, inv *inventory.Inventory) (int64, error) {
	clean := withoutRawValues(inv)
	// Written a container at a time: json.Encoder would hold the whole
	// JSON, 250 MB for a tree of 50,000 small files, beside the inventory.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := clean.WriteCompact(zw); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	s := summarise(clean)
	targets, _ := json.Marshal(clean.Targets)
	res, err := h.db.ExecContext(ctx, `INSERT INTO runs (command, started_at, finished_at, complete, targets, containers,
		personal_locations, high, medium, low, errors, inventory) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		command, clean.StartedAt.UTC().Format(time.RFC3339Nano), clean.FinishedAt.UTC().Format(time.RFC3339Nano), clean.Complete,
		string(targets), s.Containers, s.PersonalLocations, s.High, s.Medium, s.Low, s.Errors, buf.Bytes())
	if err != nil {
		return 0, fmt.Errorf("record run: %w", err)
	}
	return res.LastInsertId()
}

// withoutRawValues returns inv itself, or a copy without raw values when
// it holds any. The copy shares everything but the slices it changes.
func withoutRawValues(inv *inventory.Inventory) *inventory.Inventory {
	if inv.Settings.ShowValues != "raw" {
		return inv
	}
	c := *inv
	c.Settings.ShowValues = "masked"
	c.Stores = slices.Clone(inv.Stores)
	for si := range c.Stores {
		containers := slices.Clone(c.Stores[si].Containers)
		for ci := range containers {
			fields := slices.Clone(containers[ci].Fields)
			for fi := range fields {
				cats := slices.Clone(fields[fi].Categories)
				for ki := range cats {
					cats[ki].Values = nil
				}
				fields[fi].Categories = cats
			}
			containers[ci].Fields = fields
		}
		c.Stores[si].Containers = containers
	}
	return &c
}

func summarise(inv *inventory.Inventory) Run {
	r := Run{Containers: inv.Totals.Containers, Errors: inv.Totals.Errors}
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			for _, f := range c.Fields {
				best := detectors.None
				for _, k := range f.Categories {
					if k.Personal && k.Confidence > best {
						best = k.Confidence
					}
				}
				switch best {
				case detectors.High:
					r.High++
				case detectors.Medium:
					r.Medium++
				case detectors.Low:
					r.Low++
				default:
					continue
				}
				r.PersonalLocations++
			}
		}
	}
	return r
}

// Runs lists the recorded runs, newest first, at most limit (0: all).
func (h *DB) Runs(ctx context.Context, limit int) ([]Run, error) {
	q := `SELECT id, command, started_at, finished_at, complete, targets, containers, personal_locations, high, medium, low, errors
		FROM runs ORDER BY id DESC`
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := h.db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []Run
	for rows.Next() {
		var r Run
		var started, finished, targets string
		if err := rows.Scan(&r.ID, &r.Command, &started, &finished, &r.Complete, &targets, &r.Containers, &r.PersonalLocations, &r.High, &r.Medium, &r.Low, &r.Errors); err != nil {
			return nil, err
		}
		r.StartedAt, _ = time.Parse(time.RFC3339Nano, started)
		r.FinishedAt, _ = time.Parse(time.RFC3339Nano, finished)
		json.Unmarshal([]byte(targets), &r.Targets)
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

// ErrNoRun is returned for a run that is not in the history.
var ErrNoRun = errors.New("no such run in the history")

// IsRunRef reports whether ref is written as a run reference: a number
// (with or without '#'), "latest" or "previous".
func IsRunRef(ref string) bool {
	switch ref {
	case "latest", "last", "previous", "prev":
		return true
	}
	_, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64)
	return err == nil
}

// Resolve turns a run reference into an id: a number, "latest", or
// "previous" (the one before the latest).
func (h *DB) Resolve(ctx context.Context, ref string) (int64, error) {
	offset, id, err := parseRef(ref)
	if err != nil || offset < 0 {
		return id, err
	}
	err = h.db.QueryRowContext(ctx, "SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?", offset).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%s: %w", ref, ErrNoRun)
	}
	return id, err
}

// ResolveIn is Resolve among runs, newest first (some of the recorded
// ones): latest and previous are the first two of them; a number names
// any run.
func ResolveIn(runs []Run, ref string) (int64, error) {
	offset, id, err := parseRef(ref)
	if err != nil || offset < 0 {
		return id, err
	}
	if offset >= len(runs) {
		return 0, fmt.Errorf("%s: %w", ref, ErrNoRun)
	}
	return runs[offset].ID, nil
}

// parseRef reads a run reference: how many runs back from the latest it
// is, or (offset -1) the run's id.
func parseRef(ref string) (offset int, id int64, err error) {
	switch ref {
	case "latest", "last":
		return 0, 0, nil
	case "previous", "prev":
		return 1, 0, nil
	}
	id, err = strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("%q: a run is a number, latest or previous", ref)
	}
	return -1, id, nil
}

// Inventory loads the inventory of a run.
func (h *DB) Inventory(ctx context.Context, id int64) (*inventory.Inventory, error) {
	var blob []byte
	err := h.db.QueryRowContext(ctx, "SELECT inventory FROM runs WHERE id = ?", id).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("run %d: %w", id, ErrNoRun)
	}
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", id, err)
	}
	return inventory.Read(io.LimitReader(zr, 1<<30))
}

// Prune deletes the runs past the newest keep (0: no such limit) and the
// runs that started before before (zero: no such limit), but never the
// newest run, which the next check and report compare with; then it gives
// their space back to the file system. It returns the ids it deleted,
// newest first. The history holds where personal data is and keyed
// fingerprints of it, so it is kept no longer than a retention policy
// says: this is how.
func (h *DB) Prune(ctx context.Context, keep int, before time.Time) ([]int64, error) {
	rows, err := h.db.QueryContext(ctx, "SELECT id, started_at FROM runs ORDER BY id DESC")
	if err != nil {
		return nil, err
	}
	var doomed []int64
	for i := 0; rows.Next(); i++ {
		var id int64
		var started string
		if err := rows.Scan(&id, &started); err != nil {
			rows.Close()
			return nil, err
		}
		at, _ := time.Parse(time.RFC3339Nano, started)
		if i > 0 && (keep > 0 && i >= keep || !before.IsZero() && at.Before(before)) {
			doomed = append(doomed, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(doomed) == 0 {
		return nil, err
	}
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	for _, id := range doomed {
		if _, err := tx.ExecContext(ctx, "DELETE FROM runs WHERE id = ?", id); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	// Deleted rows stay in the file, readable, until the space is reused.
	if _, err := h.db.ExecContext(ctx, "VACUUM"); err != nil {
		return doomed, fmt.Errorf("vacuum: %w", err)
	}
	_, err = h.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return doomed, err
}

// Previous returns the id of the run recorded before id, or 0.
func (h *DB) Previous(ctx context.Context, id int64) (int64, error) {
	var prev int64
	err := h.db.QueryRowContext(ctx, "SELECT id FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1", id).Scan(&prev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return prev, err
}
