package sqldb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"datakart/connectors"
	"datakart/connectors/jsonvalues"

	"golang.org/x/sync/errgroup"
)

// maxJSONValue bounds how much of one JSON value is walked. The value is
// already in memory (the driver read it); the walk streams over it.
const maxJSONValue = 64 << 20

// read reads one table into sink.
func (s *Source) read(ctx context.Context, t Table, sink connectors.Sink) error {
	kind := "table"
	if t.View {
		kind = "view"
	}
	sink.Begin(connectors.Part{Kind: kind})
	var read []Column
	lo, _ := s.d.(LargeObjects)
	for _, c := range t.Columns {
		sink.FieldInfo(c.Name, c.Type, 0)
		if c.Kind != Skip && (c.Kind != LargeObject || lo != nil) {
			read = append(read, c)
		}
	}
	if s.opt.SchemaOnly {
		sink.Sampled(0, "schema only (no rows read)")
		return nil
	}
	if len(read) == 0 {
		sink.Sampled(0, "no column can hold personal data as a value")
		return nil
	}
	quoted := make([]string, len(read))
	for i, c := range read {
		quoted[i] = s.d.Quote(c.Name)
		if c.Kind == LargeObject {
			quoted[i] = lo.LargeObject(t, c.Name, s.opt.MaxDocumentBytes) + " AS " + quoted[i]
		}
	}
	cols := strings.Join(quoted, ", ")

	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	tx, err := s.d.Begin(ctx, conn, s.opt.StatementTimeout)
	if err != nil {
		return fmt.Errorf("begin read-only transaction: %w", err)
	}
	defer tx.Rollback() // read-only: nothing to commit

	rr := &rowReader{sink: sink, cols: read, ctx: ctx, documents: s.opt.Documents, maxDocument: s.opt.MaxDocumentBytes}
	// The whole read is timed, statements and cursor fetches included:
	// waiting for them is waiting for the database.
	began := time.Now()
	if s.opt.Full {
		if fr, ok := s.d.(FullReader); ok {
			err = fr.Full(ctx, tx, t, cols, rr.whole)
		} else {
			err = s.query(ctx, tx, Statement{Query: "SELECT " + cols + " FROM " + s.table(t)}, rr, 0)
		}
		sink.Sampled(rr.n, cutOff("full (every row)", rr.n, err))
		sink.Paced(time.Since(began), rr.busy)
		return errors.Join(err, rr.documentsRead())
	}
	stmts, method, err := s.d.Sample(ctx, tx, t, cols, s.opt.Sample)
	if err != nil {
		return fmt.Errorf("plan sample: %w", err)
	}
	rr.limit = int64(s.opt.Sample)
	for _, st := range stmts {
		before := rr.n
		if cr, ok := s.d.(CursorReader); st.Keyset != nil {
			err = readPages(ctx, tx, *st.Keyset, rr.whole)
		} else if ok {
			err = cr.Cursor(ctx, tx, st, rr.whole)
		} else {
			err = s.query(ctx, tx, st, rr, s.opt.StatementTimeout)
		}
		if st.Note != "" && rr.n > before {
			method += ", " + st.Note
		}
		if err != nil || rr.n >= rr.limit {
			break
		}
	}
	if err == nil && len(stmts) == 1 && stmts[0].Head && rr.n < int64(s.opt.Sample) {
		method = fmt.Sprintf("every row (fewer than --sample %d)", s.opt.Sample)
	}
	took := time.Since(began)
	sink.Sampled(rr.n, cutOff(method, rr.n, err))
	sink.Paced(took, rr.busy)
	if timedOut(err) && rr.busy*2 > took {
		// MySQL and MariaDB count the time the server waits for the
		// client to take its rows (PostgreSQL reads through a cursor).
		err = fmt.Errorf("%w; the detectors were busy %.0f%% of the read (documents or long values) and the server waited for them: a longer --statement-timeout lets the table be read to the end", err, 100*rr.busy.Seconds()/took.Seconds())
	}
	return errors.Join(err, rr.documentsRead())
}

// cutOff is the method of a read that err ended before its end: a table
// cut off by a dropped connection was labelled "full (every row)".
func cutOff(method string, rows int64, err error) string {
	if err == nil {
		return method
	}
	method, _ = strings.CutSuffix(method, " (every row)")
	return fmt.Sprintf("%s, cut off after %d rows by the error", method, rows)
}

// timedOut reports whether err is a statement timeout, the client's or the
// server's.
func timedOut(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "statement timeout") || strings.Contains(msg, "max_statement_time") ||
		strings.Contains(msg, "maximum statement execution time")
}

func (s *Source) table(t Table) string {
	if s.d.Name() == "sqlite" {
		return s.d.Quote(t.Name)
	}
	return s.d.Quote(t.Schema) + "." + s.d.Quote(t.Name)
}

// query runs one statement and hands its rows on; timeout, if set, bounds
// it from the client side too (the server-side timeout is the dialect's).
func (s *Source) query(ctx context.Context, tx *sql.Tx, st Statement, rr *rowReader, timeout time.Duration) error {
	qctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		qctx, cancel = context.WithTimeout(ctx, timeout+timeout/10)
		defer cancel()
	}
	rows, err := tx.QueryContext(qctx, st.Query, st.Args...)
	if err != nil {
		return describe(ctx, qctx, err)
	}
	defer rows.Close()
	if err := rr.rows(rows); err != nil {
		return describe(ctx, qctx, err)
	}
	return nil
}

// describe says a timeout plainly.
func describe(ctx, qctx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(qctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("statement timeout: %w", err)
	}
	return err
}

// rowReader hands rows to the sink.
type rowReader struct {
	ctx    context.Context
	sink   connectors.Sink
	cols   []Column
	n      int64
	walker jsonvalues.Walker
	// limit, if set, is the most rows read: a sample's last statement
	// may offer more than it needs.
	limit int64
	// documents reads the documents in binary columns (Options.Documents);
	// docText is the text of the last, and docs what became of them.
	documents func(ctx context.Context, data, text []byte) (Document, error)
	docText   []byte
	docs      map[string]*columnDocs
	// maxDocument bounds a large object (Options.MaxDocumentBytes).
	maxDocument int64
	// spare keeps the batches a whole result set needed past the three,
	// from one FETCH to the next: made anew for each, they cost a tenth
	// of a full read.
	spare chan *batch
	// busy is how long the scanning goroutine spent on rows, rather
	// than waiting for them.
	busy time.Duration
}

// whole is a ResultFunc: it reads rs whole, however long the detectors
// take on its rows, and says how many rows and bytes it held.
func (r *rowReader) whole(rs *sql.Rows) (int64, int64, error) {
	before := r.n
	bytes, err := r.read(rs, true)
	return r.n - before, bytes, err
}

// rows reads rs, the database waiting while the detectors catch up.
func (r *rowReader) rows(rs *sql.Rows) error {
	_, err := r.read(rs, false)
	return err
}

// A batch the reading goroutine hands on holds batchRows rows, or fewer
// that hold batchBytes. Counted in rows alone, a table of 5 MB documents
// made batches of 1.2 GB, and a scan of it peaked at 3.5 GB.
const (
	batchRows  = 256
	batchBytes = 1 << 20
)

// batch is rows copied out of the driver's buffers: values are
// data[offs[i]:offs[i+1]], NULL where null[i].
type batch struct {
	first int64 // row number of the first row
	rows  int
	data  []byte
	offs  []int
	null  []bool
}

func (b *batch) reset(first int64) {
	b.first, b.rows = first, 0
	if cap(b.data) > 4*batchBytes {
		b.data = nil // one huge value is no reason to keep its room
	}
	b.data, b.offs, b.null = b.data[:0], append(b.offs[:0], 0), b.null[:0]
}

// read reads every row of rs and returns the bytes they held. One
// goroutine reads rows from the driver while another runs the detectors
// on the rows before, so waiting for the database and detecting overlap
// instead of adding up. The reading one waits for the other when three
// batches are in flight; whole, it never does, and the result set is
// held in memory until the detectors are done with it.
func (r *rowReader) read(rs *sql.Rows, whole bool) (int64, error) {
	var busy time.Duration // of the scanning goroutine, which has ended when this returns
	defer func() { r.busy += busy }()
	var bytes int64
	g, ctx := errgroup.WithContext(r.ctx)
	full := make(chan *batch, 2)
	if whole {
		full = make(chan *batch, MaxFetchRows+1) // a batch holds a row at least
	}
	free := make(chan *batch, 3)
	if r.spare == nil {
		r.spare = make(chan *batch, 16)
	}
	for range cap(free) {
		select {
		case b := <-r.spare:
			free <- b
		default:
			free <- &batch{}
		}
	}
	g.Go(func() error {
		defer close(full)
		raw := make([]sql.RawBytes, len(r.cols))
		dest := make([]any, len(raw))
		for i := range raw {
			dest[i] = &raw[i]
		}
		b := <-free
		b.reset(r.n + 1)
		for (r.limit == 0 || r.n < r.limit) && rs.Next() {
			if err := rs.Scan(dest...); err != nil {
				return err
			}
			r.n++
			for _, v := range raw {
				bytes += int64(len(v))
				b.data = append(b.data, v...)
				b.offs = append(b.offs, len(b.data))
				b.null = append(b.null, v == nil)
			}
			if b.rows++; b.rows == batchRows || len(b.data) >= batchBytes {
				select {
				case full <- b:
				case <-ctx.Done():
					return ctx.Err()
				}
				b = nil
				if whole {
					select {
					case b = <-free:
					case b = <-r.spare:
					default:
						b = &batch{}
					}
				}
				if b == nil {
					select {
					case b = <-free:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				b.reset(r.n + 1)
			}
		}
		// The rows before a dropped connection or a timeout are read
		// too: they were counted, and a user check found 95 rows counted
		// that no detector had seen.
		err := rs.Err()
		if b.rows > 0 {
			select {
			case full <- b:
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			}
		}
		return err
	})
	g.Go(func() error {
		for b := range full {
			// Timed per batch, not per value: the clock costs as much
			// as scanning a short cell.
			start := time.Now()
			k := 0
			for row := range b.rows {
				line := int(b.first) + row
				for _, c := range r.cols {
					var v []byte
					if !b.null[k] {
						v = b.data[b.offs[k]:b.offs[k+1]]
						if v == nil {
							v = []byte{}
						}
					}
					if err := r.value(c, v, line); err != nil {
						return err
					}
					k++
				}
			}
			busy += time.Since(start)
			// To the reader first (it may be waiting for it), else kept
			// for the next result set, unless it holds the room of one
			// huge value.
			select {
			case free <- b:
			default:
				if cap(b.data) <= 2*batchBytes {
					select {
					case r.spare <- b:
					default:
					}
				}
			}
		}
		return nil
	})
	err := g.Wait()
	// Both goroutines are done: the batches left free are the next
	// result set's.
	for len(free) > 0 && len(r.spare) < cap(r.spare) {
		r.spare <- <-free
	}
	return bytes, err
}

// value hands a cell to the sink. line counts the rows read, for the
// errors of documents; it is no line of the table, whose rows come in
// the sample's order, so the values carry none.
func (r *rowReader) value(c Column, v []byte, line int) error {
	switch c.Kind {
	case JSON:
		if len(v) == 0 {
			return r.sink.Value(connectors.Value{Field: c.Name})
		}
		if len(v) > maxJSONValue {
			v = v[:maxJSONValue]
		}
		walked := false
		err := r.walker.Walk(r.ctx, bytes.NewReader(v), func(path string, data []byte, numeric bool) error {
			walked = true
			return r.sink.Value(connectors.Value{Field: c.Name + " → " + path, Data: data, Numeric: numeric})
		})
		if err != nil && r.ctx.Err() == nil {
			// Not JSON after all (a text column holding JSON-like text,
			// or JSON cut short): what was not walked is scanned as text.
			// All of it was, and the values before the break were
			// counted twice, under their path and in the text.
			if walked {
				v = v[min(r.walker.Read(), int64(len(v))):]
			}
			return r.sink.Value(connectors.Value{Field: c.Name, Data: v})
		}
		return err
	case LargeObject:
		switch {
		case bytes.Equal(v, LargeObjectDenied):
			r.columnDocs(c).denied++
			return r.sink.Value(connectors.Value{Field: c.Name})
		case int64(len(v)) > r.maxDocument:
			d := r.columnDocs(c)
			if d.tooLarge++; d.firstLarge == 0 {
				d.firstLarge = line
			}
			return r.sink.Value(connectors.Value{Field: c.Name})
		}
		fallthrough // its bytes are read as a binary value's
	case Binary:
		if v == nil || isText(v) && !(r.documents != nil && textDocument(v)) {
			return r.sink.Value(connectors.Value{Field: c.Name, Data: v})
		}
		if r.documents != nil {
			return r.document(c, v, line)
		}
		return r.sink.Value(connectors.Value{Field: c.Name})
	case Text:
		if looksJSON(v) {
			c.Kind = JSON
			return r.value(c, v, line)
		}
	}
	return r.sink.Value(connectors.Value{Field: c.Name, Data: v, Numeric: c.Kind == Numeric})
}

// columnDocs is what became of the documents of one column.
type columnDocs struct {
	read, failed int64
	kinds        map[string]int64
	first        string // the first failure, with its row
	// Large objects not read: no privilege on them, or larger than
	// maxDocument (the first such one's row).
	denied, tooLarge int64
	firstLarge       int
}

func (r *rowReader) columnDocs(c Column) *columnDocs {
	if r.docs == nil {
		r.docs = map[string]*columnDocs{}
	}
	d := r.docs[c.Name]
	if d == nil {
		d = &columnDocs{kinds: map[string]int64{}}
		r.docs[c.Name] = d
	}
	return d
}

// document reads the value of binary column c as a document: its text is
// the column's value.
func (r *rowReader) document(c Column, data []byte, line int) error {
	doc, err := r.documents(r.ctx, data, r.docText[:0])
	r.docText = doc.Text
	if r.ctx.Err() != nil {
		return r.ctx.Err()
	}
	if doc.Kind == "" {
		return r.sink.Value(connectors.Value{Field: c.Name})
	}
	d := r.columnDocs(c)
	d.kinds[doc.Kind]++
	if !doc.Unread {
		d.read++
	}
	if err != nil {
		if d.failed++; d.first == "" {
			d.first = fmt.Sprintf("row %d, %s: %v", line, doc.Kind, err)
		}
	}
	return r.sink.Value(connectors.Value{Field: c.Name, Data: doc.Text})
}

// documentsRead gives each column that held documents a type that says
// so ("bytea, documents: docx 1, pdf 12"), and returns, per column, how
// many of them could not be read whole: their text before counts.
func (r *rowReader) documentsRead() error {
	var errs []error
	for _, c := range r.cols {
		d := r.docs[c.Name]
		if d == nil {
			continue
		}
		var kinds []string
		for _, k := range slices.Sorted(maps.Keys(d.kinds)) {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, d.kinds[k]))
		}
		if len(kinds) > 0 {
			r.sink.FieldInfo(c.Name, c.Type+", documents: "+strings.Join(kinds, ", "), 0)
		}
		if d.failed > 0 {
			errs = append(errs, fmt.Errorf("column %s: %d of %d documents could not be read whole (first: %s)", c.Name, d.failed, d.read, d.first))
		}
		if d.denied > 0 {
			errs = append(errs, fmt.Errorf("column %s: %d large objects not read: no SELECT privilege on them (GRANT SELECT ON LARGE OBJECT, or lo_compat_privileges)", c.Name, d.denied))
		}
		if d.tooLarge > 0 {
			errs = append(errs, fmt.Errorf("column %s: %d large objects not read: larger than %d bytes (--max-member-bytes; first: row %d)", c.Name, d.tooLarge, r.maxDocument, d.firstLarge))
		}
	}
	return errors.Join(errs...)
}

// looksJSON is true for text that is a JSON object or array: MariaDB's
// JSON type is LONGTEXT, and many schemas keep JSON in text columns.
func looksJSON(v []byte) bool {
	t := bytes.TrimSpace(v)
	return len(t) >= 2 && ((t[0] == '{' && t[len(t)-1] == '}') || (t[0] == '[' && t[len(t)-1] == ']'))
}

// isText reports whether a binary value is text: UTF-8, or UTF-8 with a
// few invalid bytes (a legacy encoding's letters, a corrupt byte), which
// are handed on as they are, as a text column's would be. A NUL, or more
// than one byte in four invalid or a control character, is binary data:
// a document, an image, a hash, a key.
// textDocument reports whether v is a document whose bytes pass for text
// but whose text is not what they read as: a PDF with few fonts and one
// compressed page is nearly all ASCII, and RTF is ASCII with the letters
// escaped. Read as text, 9 PDFs in 10 of a user check showed nothing.
func textDocument(v []byte) bool {
	return bytes.HasPrefix(v, []byte("%PDF-")) || bytes.HasPrefix(v, []byte(`{\rtf`))
}

func isText(v []byte) bool {
	if bytes.IndexByte(v, 0) >= 0 {
		return false
	}
	if utf8.Valid(v) {
		return true
	}
	bad := 0
	for i := 0; i < len(v); {
		r, n := utf8.DecodeRune(v[i:])
		if (r == utf8.RuneError && n == 1) || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') {
			bad++
		}
		i += n
	}
	return bad*4 <= len(v)
}
