package migrations

import (
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

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
