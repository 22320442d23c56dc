package pst_test

import (
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"datakart/internal/pst"
	"datakart/internal/realfiles"
)

// TestRealFiles reads files Outlook wrote, a PST (Unicode, compressible
// encryption, from the Enron corpus) and two .ost files of Outlook 2013
// and later (4 KiB pages, compressed blocks), and checks them against
// libpst's readpst: the same messages, every one read, and every
// attachment byte for byte.
func TestRealFiles(t *testing.T) {
	for _, c := range []struct {
		name   string
		folder string // a folder and the messages it holds
		inIt   int
	}{
		{"package/example/testdata/enron.pst", "lokay-m/MLOKAY (Non-Privileged)/Personal", 47},
		{"package/example/testdata/pstextractortest@outlook.com.ost", "Calendar/United States holidays", 160},
		{"package/example/testdata/pstextractortestpdf@outlook.com.ost", "Inbox", 2},
	} {
		t.Run(filepath.Base(c.name), func(t *testing.T) {
			path := realfiles.Path(t, "pst-extractor-1.12.0.tgz", c.name)
			messages, attachments, folders := readReal(t, path)
			if folders[c.folder] != c.inIt {
				t.Errorf("%d messages in %q, want %d (folders %v)", folders[c.folder], c.folder, c.inIt, folders)
			}
			wantMessages, wantAttachments := readpstReal(t, path)
			if messages != wantMessages {
				t.Errorf("%d messages, readpst %d", messages, wantMessages)
			}
			if !slices.Equal(attachments, wantAttachments) {
				t.Errorf("%d distinct attachments, readpst %d; not the same bytes", len(attachments), len(wantAttachments))
			}
		})
	}
}

// readReal reads a file's messages and attachments: how many messages,
// the attachments' distinct SHA-256s, sorted, and the messages by folder.
func readReal(t *testing.T, path string) (int, [][32]byte, map[string]int) {
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, _ := fh.Stat()
	f, err := pst.Open(fh, st.Size(), pst.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	n, folders := 0, map[string]int{}
	var sums [][32]byte
	err = f.Messages(func(m *pst.Message, err error) error {
		if err != nil {
			t.Errorf("message %x: %v", m.NID, err)
			return nil
		}
		n++
		folders[m.Folder]++
		as, err := m.Attachments()
		if err != nil {
			t.Errorf("message %x's attachments: %v", m.NID, err)
		}
		for _, a := range as {
			if p, ok := a.Prop(pst.PropAttachData); ok && p.Type == pst.TypeBinary {
				v, err := a.Value(p)
				if err != nil {
					t.Errorf("message %x's attachment: %v", m.NID, err)
				}
				sums = append(sums, sha256.Sum256(v))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(sums, func(a, b [32]byte) int { return slices.Compare(a[:], b[:]) })
	return n, slices.Compact(sums), folders
}

// readpstReal has readpst write each message and attachment to a file of
// its own (-S): the messages are the files named by a number alone.
func readpstReal(t *testing.T, path string) (int, [][32]byte) {
	if _, err := exec.LookPath("readpst"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("readpst not installed (scripts/readers installs pst-utils)")
		}
		t.Skip("readpst not installed")
	}
	dir := t.TempDir()
	if out, err := exec.Command("readpst", "-j", "0", "-D", "-S", "-b", "-q", "-o", dir, path).CombinedOutput(); err != nil {
		t.Fatalf("readpst: %v\n%s", err, out)
	}
	number := regexp.MustCompile(`^[0-9]+$`)
	n := 0
	var sums [][32]byte
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if number.MatchString(e.Name()) {
			n++
			return nil
		}
		b, err := os.ReadFile(p)
		sums = append(sums, sha256.Sum256(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(sums, func(a, b [32]byte) int { return slices.Compare(a[:], b[:]) })
	return n, slices.Compact(sums)
}
