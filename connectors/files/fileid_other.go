//go:build !unix

package files

import (
	"io/fs"
	"path/filepath"
)

// idOf returns the real path of the directory at path, its links
// resolved: where there are no inodes (Windows), two ways to one directory
// still have one real path.
func idOf(path string, _ fs.FileInfo) (fileID, bool) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fileID{}, false
	}
	abs, err := filepath.Abs(real)
	if err != nil {
		return fileID{}, false
	}
	return fileID{path: abs}, true
}
