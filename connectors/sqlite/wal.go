package sqlite

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"datakart/internal/noatime"
)

// A database in WAL mode keeps what changed since its last checkpoint in
// NAME-wal, and SQLite reads that log only through NAME-shm, which it
// would create or write. datakart reads the log itself instead: the pages
// of its committed transactions are laid over the database file's, so
// SQLite, opened immutable, sees the database as a checkpoint would leave
// it, and nothing beside it is touched. The format is SQLite's "WAL file
// format" (sqlite.org/fileformat2.html#walformat).

// The first bytes of a write-ahead log, whose checksums are little- or
// big-endian.
const (
	LogMagicLE = "\x37\x7f\x06\x82"
	LogMagicBE = "\x37\x7f\x06\x83"
)

// errNoWAL is walIndex's error for a database with no log to read.
var errNoWAL = errors.New("no write-ahead log")

// walIndex is where the latest committed copy of each page stands in a
// database's log.
type walIndex struct {
	pageSize int64
	pages    map[uint32]int64 // page number → offset of its data in the log
	dbPages  int64            // the database's size, in pages, after the last commit
	frames   int              // committed frames
}

const (
	walHeaderSize = 32
	walFrameSize  = 24
)

// walIndexOf is readWAL, once for each state of a log: the database is
// opened by Open for the store's note and again by each connection SQLite
// makes, and a log can be a large file to read through. A log that has
// changed since (its size or time) is read again.
func walIndexOf(dbPath string) (*walIndex, error) {
	st, err := os.Stat(dbPath + "-wal")
	if err != nil {
		return readWAL(dbPath) // not there, or the open says why
	}
	walCache.Lock()
	defer walCache.Unlock()
	if e, ok := walCache.m[dbPath]; ok && e.size == st.Size() && e.mod.Equal(st.ModTime()) {
		return e.idx, e.err
	}
	idx, err := readWAL(dbPath)
	if walCache.m == nil || len(walCache.m) >= maxCachedWALs {
		walCache.m = map[string]walEntry{}
	}
	walCache.m[dbPath] = walEntry{st.Size(), st.ModTime(), idx, err}
	return idx, err
}

// walCache holds the logs read last, by their database's path.
var walCache struct {
	sync.Mutex
	m map[string]walEntry
}

// maxCachedWALs bounds walCache: a tree of app databases is read one
// after another, and each is done with when the next starts.
const maxCachedWALs = 16

type walEntry struct {
	size int64
	mod  time.Time
	idx  *walIndex
	err  error
}

// readWAL reads the log of the database at dbPath and indexes the pages
// its committed transactions wrote. Frames after the last commit, and from
// the first one whose salt or checksum is wrong (a log cut short, or left
// from before the last checkpoint), are not part of the database.
func readWAL(dbPath string) (*walIndex, error) {
	f, err := noatime.OpenFile(dbPath + "-wal")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoWAL
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return indexWAL(bufio.NewReaderSize(f, 64<<10))
}

// indexWAL is readWAL on the log r.
func indexWAL(r io.Reader) (*walIndex, error) {
	var h [walHeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errNoWAL // empty: checkpointed and truncated
		}
		return nil, fmt.Errorf("its header is cut short")
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch string(h[:4]) {
	case LogMagicLE:
	case LogMagicBE:
		order = binary.BigEndian
	default:
		return nil, fmt.Errorf("its header is not a write-ahead log's")
	}
	pageSize := int64(binary.BigEndian.Uint32(h[8:]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize > 65536 || pageSize&(pageSize-1) != 0 {
		return nil, fmt.Errorf("its page size %d is not one SQLite uses", pageSize)
	}
	s0, s1 := walChecksum(order, h[:24], 0, 0)
	if s0 != binary.BigEndian.Uint32(h[24:]) || s1 != binary.BigEndian.Uint32(h[28:]) {
		return nil, fmt.Errorf("its header's checksum is wrong")
	}
	salt := h[16:24]
	idx := &walIndex{pageSize: pageSize, pages: map[uint32]int64{}}
	pending := map[uint32]int64{} // frames of the transaction not yet committed
	frame := make([]byte, walFrameSize+pageSize)
	off := int64(walHeaderSize)
	for {
		if _, err := io.ReadFull(r, frame); err != nil {
			break // the end of the log, or a frame cut short
		}
		if string(frame[8:16]) != string(salt) {
			break
		}
		s0, s1 = walChecksum(order, frame[:8], s0, s1)
		s0, s1 = walChecksum(order, frame[walFrameSize:], s0, s1)
		if s0 != binary.BigEndian.Uint32(frame[16:]) || s1 != binary.BigEndian.Uint32(frame[20:]) {
			break
		}
		page := binary.BigEndian.Uint32(frame[0:])
		pending[page] = off + walFrameSize
		if commit := binary.BigEndian.Uint32(frame[4:]); commit != 0 {
			for p, o := range pending {
				idx.pages[p] = o
			}
			idx.frames += len(pending)
			clear(pending)
			idx.dbPages = int64(commit)
		}
		off += walFrameSize + pageSize
	}
	if idx.dbPages == 0 {
		return nil, errNoWAL // no transaction in it was committed
	}
	return idx, nil
}

// walChecksum is SQLite's checksum of the log, continued from s0 and s1
// over b, whose 32-bit words are in the log's byte order.
func walChecksum(order binary.ByteOrder, b []byte, s0, s1 uint32) (uint32, uint32) {
	for i := 0; i+8 <= len(b); i += 8 {
		s0 += order.Uint32(b[i:]) + s1
		s1 += order.Uint32(b[i+4:]) + s0
	}
	return s0, s1
}

// walFile is the database file with its log's committed pages laid over
// it, for SQLite to read through the read-only VFS.
type walFile struct {
	db, wal *os.File
	idx     *walIndex
	off     int64
	info    fs.FileInfo
}

func (f *walFile) size() int64 { return f.idx.dbPages * f.idx.pageSize }

func (f *walFile) Read(p []byte) (int, error) {
	if f.off >= f.size() {
		return 0, io.EOF
	}
	page, within := f.off/f.idx.pageSize, f.off%f.idx.pageSize
	p = p[:min(int64(len(p)), f.idx.pageSize-within, f.size()-f.off)]
	var n int
	var err error
	if at, ok := f.idx.pages[uint32(page+1)]; ok {
		n, err = f.wal.ReadAt(p, at+within)
	} else {
		n, err = f.db.ReadAt(p, f.off)
		if errors.Is(err, io.EOF) {
			// A page past the database file's end that the log does not
			// hold reads as zeros, as a page SQLite never wrote would.
			clear(p[n:])
			n, err = len(p), nil
		}
	}
	f.off += int64(n)
	return n, err
}

func (f *walFile) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += f.size()
	}
	if offset < 0 {
		return 0, errors.New("seek before the start")
	}
	f.off = offset
	return offset, nil
}

func (f *walFile) Stat() (fs.FileInfo, error) { return walInfo{f.info, f.size()}, nil }

func (f *walFile) Close() error {
	f.wal.Close()
	return f.db.Close()
}

// walInfo is the database file's FileInfo with the size a checkpoint
// would give it.
type walInfo struct {
	fs.FileInfo
	size int64
}

func (i walInfo) Size() int64 { return i.size }
