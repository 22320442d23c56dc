package sqliteuri

import "testing"

func TestFile(t *testing.T) {
	for path, want := range map[string]string{
		"/data/app.db":         "file:/data/app.db",
		"/data/Sak #12.db":     "file:/data/Sak %2312.db",
		"/data/x?mode=rw.db":   "file:/data/x%3fmode=rw.db",
		"/data/p%41q.db":       "file:/data/p%2541q.db",
		".datakart/history.db": "file:.datakart/history.db",
	} {
		if got := File(path); got != want {
			t.Errorf("File(%q) = %q, want %q", path, got, want)
		}
	}
}
