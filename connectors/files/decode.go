package files

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"

	"datakart/connectors"
	"datakart/connectors/jsonvalues"
	"datakart/connectors/sqlite"
	"datakart/internal/sevenzipchild"

	"github.com/klauspost/compress/zstd"
	"github.com/therootcompany/xz"
	"github.com/ulikunitz/xz/lzma"
)

// sniffLen is how much of a file is looked at to decide what it is.
const sniffLen = 8 << 10

// decoder reads one unit: a file and whatever archives it holds.
type decoder struct {
	opt  *Options
	sink connectors.Sink
	// budget is what may still be decompressed from this unit.
	budget int64
	// sibling opens a file beside the unit's file by its name, for the
	// volumes of an archive; nil where the unit is not a file on disk.
	sibling func(name string) (fs.File, error)
	// memberBeside opens the member of the zip being read that has the
	// given name in the same folder as the member being decoded, for an
	// SQLite database's log; nil outside a zip.
	memberBeside func(name string) (io.ReadCloser, error)
	// stream pairs SQLite databases with their logs in the archive read
	// as a stream (tar, RAR) whose member is being decoded; nil elsewhere.
	stream *streamLogs
	// diskPath is where the unit's file is on disk, for what is read by
	// name (an SQLite database); "" where the unit is not a file.
	diskPath string
	// textBuf is what text is read through, kept from one member of an
	// archive (or message of a mailbox) to the next: made for each, it
	// was a third of the time on a tar of 50,000 small files.
	textBuf []byte
}

// text is readText through d's buffer.
func (d *decoder) text(ctx context.Context, r io.Reader, line int) error {
	var err error
	d.textBuf, err = readTextInto(ctx, r, line, d.sink, d.textBuf)
	return err
}

// textPart reads r as the text of the part begun, from line on (as the
// text it shows where it is HTML), records an error that is not the
// scan's cancellation on the part, and returns only the cancellation.
func (d *decoder) textPart(ctx context.Context, r io.Reader, line int, isHTML bool) error {
	var err error
	if isHTML {
		err = d.htmlText(ctx, r, line)
	} else {
		err = d.text(ctx, r, line)
	}
	if err != nil && ctx.Err() == nil {
		d.sink.PartError(err)
	}
	return ctx.Err()
}

var errBudget = fmt.Errorf("%w: more than --max-expanded-bytes decompressed from one file", connectors.ErrLimit)

// budgetReader counts decompressed bytes against the unit's budget, so a
// zip bomb stops at the limit whatever its headers claim.
type budgetReader struct {
	r io.Reader
	d *decoder
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.d.budget <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > b.d.budget {
		p = p[:b.d.budget]
	}
	n, err := b.r.Read(p)
	b.d.budget -= int64(n)
	return n, err
}

// joinPart names a member below a part: nested archives are joined with
// '!'.
func joinPart(part, member string) string {
	if part == "" {
		return member
	}
	return part + "!" + member
}

// readers are the buffered readers decode reads through, kept from one
// file or member to the next: one made for each was a tenth of the time
// of a tree of small files.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// decode sniffs r (named name, at part path part, depth archives deep) and
// hands it to the decoder for its kind. Errors inside a part are recorded
// on the sink; decode returns only the context's error.
func (d *decoder) decode(ctx context.Context, r io.Reader, name, part string, depth int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			// The part may not have begun where a decoder failed before
			// it said what it read: the error is this part's, not the one
			// before. The panic value may quote the input: do not print it.
			d.sink.Begin(connectors.Part{Path: part, Kind: kindByName(name)})
			d.sink.PartError(fmt.Errorf("decoder failed on malformed input (%T)", p))
			err = nil
		}
	}()
	// Only the member itself may look beside it in its zip, not what it
	// holds (a tar inside the zip).
	beside, stream := d.memberBeside, d.stream
	d.memberBeside, d.stream = nil, nil
	br := readers.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() {
		br.Reset(nil) // nor the reader, nor its bytes, past the part
		readers.Put(br)
	}()
	head, peekErr := br.Peek(sniffLen)
	if peekErr != nil && !errors.Is(peekErr, io.EOF) && !errors.Is(peekErr, bufio.ErrBufferFull) {
		d.sink.Begin(connectors.Part{Path: part, Kind: kindByName(name)})
		d.sink.PartError(fmt.Errorf("read: %w", peekErr))
		return nil
	}
	kind := sniff(head, name)
	if kind == "zip" || zipFormats[kind] {
		if f, ok := r.(*os.File); ok {
			return d.zip(ctx, f, name, part, depth, kind) // random access without a copy
		}
		return d.zip(ctx, br, name, part, depth, kind)
	}
	switch kind {
	case "gzip", "bzip2", "zstd", "xz", "lzma":
		return d.decompress(ctx, br, kind, name, part, depth)
	case "tar":
		return d.tar(ctx, br, part, depth)
	case "pdf":
		return d.pdf(ctx, br, part, depth)
	case "eml":
		return d.mail(ctx, br, part, depth)
	case "rtf":
		d.sink.Begin(connectors.Part{Path: part, Kind: kind})
		rr := newRTFReader(br)
		rr.objects.max = d.opt.MaxMemberBytes
		if err := d.text(ctx, rr, 1); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			d.sink.PartError(fmt.Errorf("rtf: %w", err))
		}
		return d.readRTFObjects(ctx, &rr.objects, part, depth)
	case "ole":
		if f, ok := r.(*os.File); ok {
			return d.ole(ctx, f, part, depth)
		}
		return d.ole(ctx, br, part, depth)
	case "7z":
		f, _ := r.(*os.File)
		return d.sevenZip(ctx, br, f, part, depth)
	case "rar":
		if depth == 0 && d.sibling != nil {
			return d.rarOnDisk(ctx, br, head, name, part)
		}
		return d.rar(ctx, br, part, depth)
	case "mbox":
		return d.mbox(ctx, br, part, depth)
	case "parquet":
		f, _ := r.(*os.File)
		return d.parquet(ctx, br, f, part)
	case "pst":
		f, _ := r.(*os.File)
		return d.pst(ctx, br, f, part, depth)
	case "mdb":
		f, _ := r.(*os.File)
		return d.mdb(ctx, br, f, part, depth)
	case "":
		if bytes.HasPrefix(head, []byte(sqliteSignature)) {
			if depth == 0 && d.diskPath != "" {
				return d.sqliteFile(ctx, part)
			}
			return d.sqliteMember(ctx, br, name, part, beside, stream)
		}
		if stream != nil && isWAL(head) {
			stream.keepLog(d, br, part)
		}
		if f := imageFormat(head); f != "" && d.opt.ocr != nil {
			return d.ocr(ctx, br, part, f)
		}
		d.sink.Begin(connectors.Part{Path: part, Kind: "binary"})
		d.sink.PartSkipped(binaryReason(head))
		return nil
	}
	tr, ok := textReader(br, head)
	if !ok {
		reason := "binary file (not text in any supported encoding)"
		if len(bytes.Trim(head, "\x00")) == 0 {
			// A sparse file's hole, or space preallocated and never written.
			reason = fmt.Sprintf("binary file (its first %d bytes are all NUL)", len(head))
		}
		d.sink.Begin(connectors.Part{Path: part, Kind: "binary"})
		d.sink.PartSkipped(reason)
		return nil
	}
	d.sink.Begin(connectors.Part{Path: part, Kind: kind})
	var rerr error
	switch kind {
	case "csv", "tsv":
		rerr = readCSV(ctx, tr, head, kind, d.sink)
	case "json":
		rerr = readJSON(ctx, tr, d.sink)
	case "ndjson":
		rerr = readNDJSON(ctx, tr, d.sink)
	case "html":
		rerr = d.htmlText(ctx, tr, 1)
	case "xml":
		rerr = d.readXML(ctx, tr, 1)
	default:
		rerr = d.text(ctx, tr, 1)
	}
	if rerr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d.sink.PartError(rerr)
	}
	return nil
}

// gzip, bzip2, zstd and xz streams hold one file, named like the stream
// without its suffix (a .tgz, .tbz2, .tzst or .txz holds a .tar).
var compressed = map[string]struct {
	suffixes []string
	tarAlias string
	open     func(io.Reader) (io.Reader, error)
}{
	"gzip":  {[]string{".gz", ".gzip"}, ".tgz", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
	"bzip2": {[]string{".bz2", ".bzip2"}, ".tbz2", func(r io.Reader) (io.Reader, error) { return bzip2.NewReader(r), nil }},
	"zstd":  {[]string{".zst", ".zstd"}, ".tzst", openZstd},
	"xz":    {[]string{".xz"}, ".txz", openXZ},
	"lzma":  {[]string{".lzma"}, ".tlz", openLZMA},
}

// maxWindow bounds the memory one zstd, xz or lzma stream may ask for,
// its window or dictionary: "xz -9" needs 64 MiB, and a stream asking
// for more is refused rather than allocated (a header of a few bytes may
// ask for gigabytes). It is the bound the 7z child holds its coders to.
const maxWindow = sevenzipchild.MaxWindow

// openXZ opens an xz stream whose dictionary is at most maxWindow.
// github.com/ulikunitz/xz takes the larger of its limit and the
// stream's; this port of XZ Embedded refuses a larger one.
func openXZ(r io.Reader) (io.Reader, error) { return xz.NewReader(r, maxWindow) }

// openLZMA opens a .lzma stream (LZMA_Alone, what "xz --format=lzma" and
// the old lzma tool write) whose dictionary is at most maxWindow.
// github.com/ulikunitz/xz/lzma takes the larger of its limit and the
// stream's, so the header is looked at first: a properties byte, then the
// dictionary's size.
func openLZMA(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	h, err := br.Peek(5)
	if err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(h[1:]) > maxWindow {
		return nil, fmt.Errorf("%w: the stream asks for a dictionary over %d MiB", connectors.ErrLimit, maxWindow>>20)
	}
	return lzma.NewReader(br)
}

// looksLZMA tells a .lzma stream by its header, which has no magic: a
// properties byte (lc, lp and pb, below 9*5*5), a dictionary of a size
// 7-Zip and xz write (2^n or 3*2^n), and a size that is known or -1.
func looksLZMA(head []byte) bool {
	if len(head) < 13 || head[0] >= 9*5*5 {
		return false
	}
	dict := binary.LittleEndian.Uint32(head[1:])
	for n := uint32(1 << 12); n != 0; n <<= 1 {
		if dict == n || dict == n+n>>1 {
			return true
		}
	}
	return false
}

// openZstd opens a zstd stream with one goroutine and a window of at most
// maxWindow.
func openZstd(r io.Reader) (io.Reader, error) {
	zr, err := sevenzipchild.NewZstdReader(r)
	if err != nil {
		return nil, err
	}
	return zstdCloser{zr}, nil
}

// zstdCloser lets decompress close a zstd decoder, whose Close returns
// nothing.
type zstdCloser struct{ *zstd.Decoder }

func (z zstdCloser) Close() error { z.Decoder.Close(); return nil }

// decompress reads the one file a gzip, bzip2, zstd or xz stream holds.
func (d *decoder) decompress(ctx context.Context, r io.Reader, kind, name, part string, depth int) error {
	c := compressed[kind]
	inner := name
	for _, suf := range c.suffixes {
		inner = strings.TrimSuffix(inner, suf)
	}
	if strings.HasSuffix(name, c.tarAlias) {
		inner = strings.TrimSuffix(name, c.tarAlias) + ".tar"
	}
	if inner == name {
		inner = name + ".un" + kind
	}
	innerPart := joinPart(part, inner)
	if d.tooDeep(innerPart, kind, depth+1) { // the file inside is a level deeper
		return nil
	}
	zr, err := c.open(r)
	if err != nil {
		d.sink.Begin(connectors.Part{Path: innerPart, Kind: kind})
		d.sink.PartError(kindError(kind, err))
		return nil
	}
	if cl, ok := zr.(io.Closer); ok {
		defer cl.Close()
	}
	return d.decode(ctx, &budgetReader{formatReader{zr, kind}, d}, path.Base(inner), innerPart, depth+1)
}

// formatReader names the compression format in the errors of the stream
// it reads: a file cut short is "gzip: unexpected EOF", not an "unexpected
// EOF" of the file inside. io.EOF is passed as it is, as readers expect.
type formatReader struct {
	r    io.Reader
	kind string
}

func (f formatReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err != nil && err != io.EOF {
		err = kindError(f.kind, err)
	}
	return n, err
}

// kindByName guesses a part's kind from its name alone.
func kindByName(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		return "csv"
	case ".tsv", ".tab":
		return "tsv"
	case ".json":
		return "json"
	case ".ndjson", ".jsonl":
		return "ndjson"
	case ".gz", ".tgz":
		return "gzip"
	case ".bz2", ".tbz2":
		return "bzip2"
	case ".zst", ".zstd", ".tzst":
		return "zstd"
	case ".xz", ".txz":
		return "xz"
	case ".lzma", ".tlz":
		return "lzma"
	case ".zip":
		return "zip"
	case ".7z":
		return "7z"
	case ".rar":
		return "rar"
	case ".tar":
		return "tar"
	case ".xlsx", ".xlsm":
		return "xlsx"
	case ".docx":
		return "docx"
	case ".pptx":
		return "pptx"
	case ".odt":
		return "odt"
	case ".ods":
		return "ods"
	case ".odp":
		return "odp"
	case ".pdf":
		return "pdf"
	case ".eml":
		return "eml"
	case ".doc", ".dot":
		return "doc"
	case ".ppt", ".pps":
		return "ppt"
	case ".xls", ".xlt":
		return "xls"
	case ".msg":
		return "msg"
	case ".rtf":
		return "rtf"
	case ".html", ".htm", ".xhtml":
		return "html"
	case ".xml":
		return "xml"
	case ".mbox", ".mbx":
		return "mbox"
	}
	return "text"
}

// zipFormats are the formats kept in a zip, known by their name or their
// parts (officeKind).
var zipFormats = map[string]bool{"xlsx": true, "docx": true, "pptx": true, "odt": true, "ods": true, "odp": true}

// readByContent are the kinds a name may give that no magic bytes
// confirm: a file named like any other kind is only that kind where its
// first bytes say so.
var readByContent = map[string]bool{"text": true, "csv": true, "tsv": true, "json": true, "ndjson": true, "html": true, "eml": true, "xml": true}

var magics = []struct {
	prefix, kind string
}{
	{"\x1f\x8b", "gzip"},
	{"\x28\xb5\x2f\xfd", "zstd"},
	{"\xfd7zXZ\x00", "xz"},
	{"%PDF-", "pdf"},
	{"{\\rtf", "rtf"},
	{"PK\x03\x04", "zip"},
	{"PK\x05\x06", "zip"}, // empty zip
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"},
	{"7z\xbc\xaf\x27\x1c", "7z"},
	{"Rar!\x1a\x07\x00", "rar"},                // RAR 1.5 to 4
	{"Rar!\x1a\x07\x01\x00", "rar"},            // RAR 5 and 7
	{"!BDN", "pst"},                            // Outlook's personal folders
	{"\x00\x01\x00\x00Standard Jet DB", "mdb"}, // Access 97–2003
	{"\x00\x01\x00\x00Standard ACE DB", "mdb"}, // Access 2007 and later
}

// binaryFormats are formats recognised by their first bytes that datakart
// does not read, with the reason given.
var binaryFormats = []struct{ prefix, reason string }{
	{"\x7fELF", "executable (ELF)"},
	{"MZ", "executable (PE)"},
	{sqliteSignature, "SQLite database"}, // read (sqliteFile, sqliteMember); here so that it is not text
	// Formats that hold personal data but that datakart does not read:
	// the reason says so, and how to get at them, rather than "binary".
	{sqlite.LogMagicLE, walReason},
	{sqlite.LogMagicBE, walReason},
}

// walReason is why an SQLite database's log is not a part of its own.
const walReason = "SQLite write-ahead log (read with its database: beside it in the same folder, or anywhere in the same archive)"

func isWAL(head []byte) bool {
	return bytes.HasPrefix(head, []byte(sqlite.LogMagicLE)) || bytes.HasPrefix(head, []byte(sqlite.LogMagicBE))
}

// binaryFormat returns the reason of the format in binaryFormats that
// head, of the file name ("" when it does not matter), starts with. A
// prefix of letters only counts where the rest is binary too ("PAR1,PAR2"
// may start a CSV), and "MZ" only in an .exe or .dll.
func binaryFormat(head []byte, name string) (string, bool) {
	for _, b := range binaryFormats {
		switch {
		case !bytes.HasPrefix(head, []byte(b.prefix)):
		case b.prefix == "MZ" && name != "" && !strings.HasSuffix(strings.ToLower(name), ".exe") && !strings.HasSuffix(strings.ToLower(name), ".dll"):
		case !strings.ContainsFunc(b.prefix, func(r rune) bool { return r < 0x20 || r >= 0x7f }) && !looksBinary(head):
		default:
			return b.reason, true
		}
	}
	return "", false
}

// sniff tells what a file is from its first bytes and name: a container
// kind, a text kind ("text", "csv", "tsv", "json", "ndjson") or "" for
// binary.
func sniff(head []byte, name string) string {
	// POSIX and GNU tar put "ustar" at offset 257 of the first header.
	if len(head) >= 262 && string(head[257:262]) == "ustar" {
		return "tar"
	}
	// bzip2: "BZh", the block size, and the magic of a first block (or of
	// the end of an empty stream); three letters alone start text too.
	if len(head) >= 10 && string(head[:3]) == "BZh" && head[3] >= '1' && head[3] <= '9' &&
		(string(head[4:10]) == "\x31\x41\x59\x26\x53\x59" || string(head[4:10]) == "\x17\x72\x45\x38\x50\x90") {
		return "bzip2"
	}
	for _, m := range magics {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			if k := kindByName(name); m.kind == "zip" && zipFormats[k] {
				return k
			}
			return m.kind
		}
	}
	if (bytes.HasPrefix(head, []byte("PAR1")) || bytes.HasPrefix(head, []byte("PARE"))) && looksBinary(head) {
		return "parquet" // "PAR1" may start a CSV too: a Parquet file is binary
	}
	if imageFormat(head) != "" {
		return ""
	}
	if _, ok := binaryFormat(head, name); ok {
		return ""
	}
	k := kindByName(name)
	// Mail by its content: Thunderbird's mailboxes and Maildir's messages
	// have no extension.
	if (k == "text" || k == "mbox") && looksMbox(head) {
		return "mbox"
	}
	if k == "text" && looksMessage(head) {
		return "eml"
	}
	if k == "lzma" && looksLZMA(head) {
		return k // no magic: known by its name and its header
	}
	if !readByContent[k] {
		k = "text" // misnamed: the magic bytes said otherwise
	}
	if k == "json" || k == "text" {
		if looksNDJSON(head) {
			return "ndjson"
		}
	}
	if k == "text" && looksDelimited(head) && delimitedExt(name) {
		return "csv"
	}
	if k == "text" && looksXML(head) {
		return "xml"
	}
	return k
}

// looksXML is true for a document that starts with an XML declaration
// and is not XHTML.
func looksXML(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	return bytes.HasPrefix(t, []byte("<?xml")) && !bytes.Contains(bytes.ToLower(t[:min(len(t), 1024)]), []byte("<html"))
}

func binaryReason(head []byte) string {
	if f := imageFormat(head); f != "" {
		return "binary file: image (" + f + "; --ocr reads its text)"
	}
	if reason, ok := binaryFormat(head, ""); ok {
		return "binary file: " + reason
	}
	return "binary file"
}

// delimitedExt is true for names that may hold a delimited export without
// saying so (.txt, .dat, .export, none).
func delimitedExt(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case "", ".txt", ".dat", ".export", ".out":
		return true
	}
	return false
}

// looksNDJSON is true when the first line is a JSON object and another
// object follows.
func looksNDJSON(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	nl := bytes.IndexByte(t, '\n')
	if nl < 0 {
		return false
	}
	rest := bytes.TrimLeft(t[nl+1:], " \t\r\n")
	return len(rest) > 0 && rest[0] == '{' && jsonvalues.Valid(bytes.TrimSpace(t[:nl]))
}

// looksDelimited is true when the first lines have the same number (at
// least two) of one delimiter.
func looksDelimited(head []byte) bool {
	lines := bytes.Split(head, []byte{'\n'})
	if len(lines) < 4 {
		return false
	}
	lines = lines[:len(lines)-1] // the last may be cut
	if len(lines) > 10 {
		lines = lines[:10]
	}
	for _, sep := range []byte{';', '\t', '|', ','} {
		n := bytes.Count(lines[0], []byte{sep})
		if n < 2 || (sep == ',' && bytes.IndexByte(lines[0], ' ') >= 0) {
			continue // commas in prose are not columns
		}
		same := true
		for _, l := range lines[1:] {
			if bytes.Count(l, []byte{sep}) != n {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}
