//go:build unix

package files

import (
	"io/fs"
	"syscall"
)

// idOf returns the device and inode of fi, the directory at path.
func idOf(_ string, fi fs.FileInfo) (fileID, bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true
	}
	return fileID{}, false
}
