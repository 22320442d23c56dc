package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite/vfs"

	"datakart/connectors/sqldb"
	"datakart/internal/sqliteuri"
)

// OpenImage opens a database that is held in memory, the member of an
// archive, as Open opens a file: read-only and immutable, through a
// read-only VFS, so nothing is written anywhere (extracting it to a
// temporary file would put personal data on disk). log, if not nil, is
// the database's write-ahead log, found beside it in the archive: its
// committed transactions are laid over a copy of the image. name names the
// database in errors. close releases the image once the source is done
// with.
func OpenImage(ctx context.Context, name string, image, log []byte, opt sqldb.Options) (src *sqldb.Source, close func(), err error) {
	var logErr error
	if log != nil {
		checkpointed, err := checkpoint(image, log)
		if err != nil {
			logErr = LogNotRead(name, err)
		} else {
			image = checkpointed
		}
	}
	vfsName, err := memoryVFS()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	// The key is the path SQLite is given: a number, not the member's
	// name, which may hold anything.
	key := "/image-" + strconv.FormatUint(images.next.Add(1), 10) + ".db"
	images.m.Store(key, image)
	release := func() { images.m.Delete(key) }
	db, err := openDB(sqliteuri.File(key) + "?vfs=" + vfsName)
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		release()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	src = sqldb.New(Dialect{}, db, "sqlite:"+name, "", opt)
	if logErr != nil {
		src.NotRead(logErr)
	}
	return src, func() { db.Close(); release() }, nil
}

// images are the databases OpenImage has open, by the path their URI
// gives the memory VFS.
var images struct {
	m    sync.Map // string → []byte
	next atomic.Uint64
}

// memoryVFS registers, once, the read-only file system OpenImage's
// databases are read through.
var memoryVFS = sync.OnceValues(func() (string, error) {
	name, _, err := vfs.New(memoryFS{})
	return name, err
})

// memoryFS opens the images of OpenImage by their key; any other file
// (a journal, a log) does not exist.
type memoryFS struct{}

func (memoryFS) Open(name string) (fs.File, error) {
	b, ok := images.m.Load(name)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	image := b.([]byte)
	return &memoryFile{Reader: bytes.NewReader(image), size: int64(len(image))}, nil
}

// memoryFile is an image open for SQLite to read.
type memoryFile struct {
	*bytes.Reader
	size int64
}

func (f *memoryFile) Stat() (fs.FileInfo, error) { return memoryInfo(f.size), nil }
func (f *memoryFile) Close() error               { return nil }

type memoryInfo int64

func (memoryInfo) Name() string       { return "image" }
func (i memoryInfo) Size() int64      { return int64(i) }
func (memoryInfo) Mode() fs.FileMode  { return 0o444 }
func (memoryInfo) ModTime() time.Time { return time.Time{} }
func (memoryInfo) IsDir() bool        { return false }
func (memoryInfo) Sys() any           { return nil }

// checkpoint returns a copy of image with the committed pages of its log
// written over it, as a checkpoint would leave the file. A log claiming a
// database larger than the image and its pages together is not one SQLite
// wrote, and is refused rather than allocated.
func checkpoint(image, log []byte) ([]byte, error) {
	idx, err := indexWAL(bytes.NewReader(log))
	if err == errNoWAL {
		return image, nil
	}
	if err != nil {
		return nil, err
	}
	size := idx.dbPages * idx.pageSize
	if size > int64(len(image))+int64(idx.frames)*idx.pageSize {
		return nil, fmt.Errorf("its last commit gives the database %d pages, more than the file and the log hold", idx.dbPages)
	}
	out := make([]byte, size)
	copy(out, image)
	for page, at := range idx.pages {
		if off := int64(page-1) * idx.pageSize; page >= 1 && off < size {
			copy(out[off:off+idx.pageSize], log[at:at+idx.pageSize])
		}
	}
	return out, nil
}
