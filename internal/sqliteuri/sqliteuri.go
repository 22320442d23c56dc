// Package sqliteuri writes the SQLite URI of a file path.
package sqliteuri

import (
	"path/filepath"
	"strings"
)

// File is the SQLite URI ("file:…") of the file at path, to which
// parameters may be added after a '?'. SQLite reads a '?' in the path as
// the start of the parameters and a '#' as the end of them, so they and
// '%' are escaped: unescaped, "Sak #12.db?mode=ro" opened "Sak "
// read-write, and SQLite created it.
func File(path string) string {
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) && len(p) > 1 && p[1] == ':' {
		p = "/" + p // C:/data/app.db: a Windows path with its drive
	}
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}
